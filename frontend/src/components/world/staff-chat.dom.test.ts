// @vitest-environment jsdom
// The console's chat with many teams: two rooms a team do not fit a row of
// tabs on a phone, so the rooms are a labelled menu with unread counts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { render, type Rendered } from '../../test/render';
import type { ChatLine } from '../../lib/world';
import StaffChat from './StaffChat.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

const line = (seq: number, room: string, team: string, body: string): ChatLine => ({
  seq,
  room,
  participant: `p${seq}`,
  name: 'Bo',
  team,
  body,
  byFacilitator: false,
  clientId: '',
  atNs: seq * 1e9,
  wallTime: '',
});

const teamsOf = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `t${i + 1}`, name: `Team ${i + 1}` }));

describe('StaffChat', () => {
  it('picks among the rooms of eight teams with a labelled menu, not a row of tabs', () => {
    const chat = { 'team:t1': [line(1, 'team:t1', 't1', 'First room')], 'team:t7': [line(2, 'team:t7', 't7', 'Over here'), line(3, 'team:t7', 't7', 'Anyone?')] };
    const onsend = vi.fn(() => Promise.resolve());
    r = render(StaffChat, { teams: teamsOf(8), lines: [], chat, onsend });
    const c = r.container;
    expect(c.querySelectorAll('[role="tab"]')).toHaveLength(0);
    const menu = c.querySelector<HTMLSelectElement>('.staffchat select')!;
    expect(c.querySelector(`label[for="${menu.id}"]`)?.textContent).toBe('Room');
    expect(menu.options).toHaveLength(16);
    expect(menu.value).toBe('team:t1');
    // The room on screen is read; another room's lines show as unread.
    expect(menu.querySelector('[data-room="team:t7"]')?.textContent).toBe('Team 7 (team room) — 2 unread');
    expect(c.querySelector('[data-unread]')?.textContent).toBe('2 unread');
    expect(c.querySelector('.lines')?.textContent).toContain('First room');

    menu.value = 'team:t7';
    menu.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    expect(c.querySelector('.lines')?.getAttribute('aria-label')).toBe('Messages in Team 7 (team room)');
    expect(c.querySelector('.lines')?.textContent).toContain('Anyone?');
    expect(menu.querySelector('[data-room="team:t7"]')?.textContent).toBe('Team 7 (team room)');
    expect(c.querySelector('[data-unread]')).toBeNull();

    c.querySelector<HTMLTextAreaElement>('.say textarea')!.value = 'Coming';
    c.querySelector<HTMLTextAreaElement>('.say textarea')!.dispatchEvent(new Event('input'));
    flushSync();
    c.querySelector<HTMLFormElement>('.say')!.requestSubmit();
    expect(onsend).toHaveBeenCalledWith('team:t7', 'Coming');
  });

  it('keeps tabs for two teams', () => {
    r = render(StaffChat, { teams: teamsOf(2), lines: [], chat: {} });
    expect(r.container.querySelectorAll('[role="tab"]')).toHaveLength(4);
    expect(r.container.querySelector('select')).toBeNull();
  });
});

// @vitest-environment jsdom
// Scheduling an ad-hoc inject for a later exercise time (issue 16, item 18):
// the form's "at T+…" and "in N min", and the console's list with Cancel.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { adaptScenario } from '../../lib/facilitator-scenario';
import { render, type Rendered } from '../../test/render';
import AdHocForm from './AdHocForm.svelte';
import ScheduledInjects from './ScheduledInjects.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

const MIN = 60e9;
const model = adaptScenario({
  id: 's',
  teams: [{ id: 'soc', name: 'SOC' }],
  personas: [{ id: 'ciso', name: 'Dana Reyes', org: 'Acme', avatar: 'DR' }],
  states: [],
});

function set(c: HTMLElement, sel: string, v: string, ev = 'input') {
  const el = c.querySelector<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(sel)!;
  el.value = v;
  el.dispatchEvent(new Event(ev, { bubbles: true }));
  flushSync();
}

function choose(c: HTMLElement, when: string) {
  const radio = c.querySelector<HTMLInputElement>(`input[name="ah-when"][value="${when}"]`)!;
  radio.checked = true;
  radio.dispatchEvent(new Event('change', { bubbles: true }));
  flushSync();
}

describe('AdHocForm scheduling', { timeout: 20_000 }, () => {
  it.each([
    ['at', '#ah-at', 'T+25:00', { atNs: 25 * MIN }, 'at T+25:00'],
    ['in', '#ah-in', '5', { inNs: 5 * MIN }, 'in 5 min'],
  ])('schedules %s a time instead of sending now', async (when, field, text, timing, said) => {
    const onsend = vi.fn(() => Promise.resolve(true));
    const onschedule = vi.fn(() => Promise.resolve(true));
    r = render(AdHocForm, { model, onsend, onschedule, nowNs: 12 * MIN });
    const c = r.container;
    const button = c.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    expect(button.textContent).toBe('Send inject');
    choose(c, when);
    set(c, field, text);
    expect(button.textContent).toBe('Schedule inject');
    set(c, '#ah-from', 'ciso', 'change');
    set(c, '#ah-body', 'Call me.');
    c.querySelector<HTMLFormElement>('form')!.requestSubmit();
    await vi.waitFor(() => expect(onschedule).toHaveBeenCalled());
    expect(onschedule.mock.calls[0]).toEqual([{ channel: 'sitrep', teams: [], from: 'ciso', title: '', body: 'Call me.' }, timing]);
    expect(onsend).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(c.querySelector('.okmsg')?.textContent).toContain(said));
    expect(c.querySelector<HTMLTextAreaElement>('#ah-body')!.value).toBe('');
  });

  it('refuses a time that has passed, and says why, without sending', async () => {
    const onschedule = vi.fn(() => Promise.resolve(true));
    r = render(AdHocForm, { model, onsend: () => Promise.resolve(true), onschedule, nowNs: 12 * MIN });
    const c = r.container;
    choose(c, 'at');
    set(c, '#ah-at', '10:00');
    set(c, '#ah-body', 'Too late.');
    c.querySelector<HTMLFormElement>('form')!.requestSubmit();
    await vi.waitFor(() => expect(c.querySelector('[role="alert"]')?.textContent).toContain('T+10:00 has passed'));
    expect(onschedule).not.toHaveBeenCalled();
    expect(c.querySelector<HTMLTextAreaElement>('#ah-body')!.value).toBe('Too late.');
  });

  it('offers no schedule without a handler', () => {
    r = render(AdHocForm, { model, onsend: () => Promise.resolve(true) });
    expect(r.container.querySelector('input[name="ah-when"]')).toBeNull();
  });
});

describe('ScheduledInjects', { timeout: 20_000 }, () => {
  it('lists what waits, in order, with a Cancel button each', () => {
    const oncancel = vi.fn();
    const items = [
      { id: 'a', atNs: 25 * MIN, inject: { channel: 'email', teams: [], from: 'ciso', title: 'Board call', body: 'x' } },
      { id: 'b', atNs: 40 * MIN, inject: { channel: 'chat', teams: ['soc', 'facilitator'], from: 'Night desk', title: '', body: 'Ping' } },
    ];
    r = render(ScheduledInjects, { items, personas: model.personas, teams: model.teams, oncancel });
    const rows = [...r.container.querySelectorAll('li')];
    expect(rows.map((li) => li.querySelector('.what')?.textContent)).toEqual([
      'Scheduled: T+25:00 Email from Dana Reyes: Board call',
      'Scheduled: T+40:00 Chat from Night desk: Ping',
    ]);
    expect(rows.map((li) => li.querySelector('.to')?.textContent)).toEqual(['to every team', 'to SOC, you only']);
    const cancel = rows[1].querySelector('button')!;
    expect(cancel.getAttribute('aria-label')).toBe('Cancel the inject scheduled for T+40:00');
    cancel.click();
    expect(oncancel).toHaveBeenCalledWith('b');
  });

  it('shows nothing when nothing waits', () => {
    r = render(ScheduledInjects, { items: [], personas: [], teams: [], oncancel: () => {} });
    expect(r.container.querySelector('section')).toBeNull();
  });
});

// @vitest-environment jsdom
// Team chat on the participant page: rooms, sending over the socket, lines
// arriving live, unread counts, read marks kept across a reload.
import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { FakeWS } from '../../test/fakews';
import { fakeApi, playInfo, wire } from '../../test/fakeapi';
import { appPage } from '../../test/app';

const { at, settle } = appPage({ preload: true });

const chat = (seq: number, room: string, body: string, extra: Record<string, unknown> = {}) =>
  wire.event(seq, 'chat_posted', { room, body, participant: 'p9', name: 'Bo', team: 'soc', ...extra });

const tab = (c: HTMLElement, name: string) =>
  Array.from(c.querySelectorAll<HTMLButtonElement>('[role="tab"]')).find((b) => b.textContent?.trim().startsWith(name))!;

describe('participant chat', () => {
  it('lists the team room, the facilitator line and declared lines; sends and shows lines; counts unread', async () => {
    const api = fakeApi();
    api.playInfo.mockResolvedValue({ ...playInfo, world: { outlets: [], personas: [], lines: ['comms'], replies: [] } });
    const c = at('/play', api);
    await settle();
    const ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    ws.frame(chat(1, 'team:soc', 'Old line'));
    ws.frame(wire.live(1));
    flushSync();

    // Unread lines show on the Chat tab while the feed is on screen.
    expect(tab(c, 'Chat').querySelector('.badge')?.textContent).toBe('1');
    tab(c, 'Chat').click();
    flushSync();
    const rooms = Array.from(c.querySelectorAll('[data-room]')).map((b) => [b.getAttribute('data-room'), b.textContent?.trim()]);
    expect(rooms).toEqual([
      ['team:soc', 'Your team'],
      ['control:soc', 'Facilitator'],
      ['line:comms:soc', 'Communications'],
    ]);
    expect(c.querySelector('.lines')?.textContent).toContain('Old line');
    expect(c.querySelector('.lines')?.getAttribute('aria-live')).toBe('polite');
    expect(tab(c, 'Chat').querySelector('.badge')).toBeNull(); // read now

    // Write to the facilitator.
    c.querySelector<HTMLButtonElement>('[data-room="control:soc"]')!.click();
    flushSync();
    const box = c.querySelector<HTMLTextAreaElement>('.say textarea')!;
    expect(c.querySelector(`label[for="${box.id}"]`)?.textContent).toBe('Message to Facilitator');
    box.value = 'Need **help**';
    box.dispatchEvent(new Event('input'));
    flushSync();
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    flushSync();
    const sent = ws.sentMessages().filter((m) => m.type === 'chat');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ room: 'control:soc', body: 'Need **help**' });
    ws.frame({ type: 'ack', id: sent[0].id, seq: 2 });
    ws.frame(chat(2, 'control:soc', 'Need **help**', { participant: 'p1', name: 'Alice' }));
    ws.frame(chat(3, 'control:soc', 'On it', { participant: '', name: '', team: '', by_facilitator: true }));
    await settle();
    expect(box.value).toBe('');
    const lines = Array.from(c.querySelectorAll('.lines li'));
    expect(lines.map((l) => l.querySelector('.who')?.textContent)).toEqual(['You', 'Facilitator']);
    expect(lines[0].querySelector('strong')?.textContent).toBe('help'); // Markdown, as elements

    // A line in another room counts there until it is opened.
    ws.frame(chat(4, 'line:comms:soc', 'From comms', { team: 'comms', name: 'Cy', participant: 'p5' }));
    flushSync();
    expect(c.querySelector('[data-room="line:comms:soc"] .badge')?.textContent).toBe('1');
    expect(c.querySelector('[data-room="line:comms:soc"]')?.textContent).toContain('Communications');
    c.querySelector<HTMLButtonElement>('[data-room="line:comms:soc"]')!.click();
    flushSync();
    expect(c.querySelector('.lines li .who')?.textContent).toBe('Cy (Communications)');
    expect(c.querySelector('[data-room="line:comms:soc"] .badge')).toBeNull();
  });

  it('refuses an over-long line in the page, and shows the server’s refusal', async () => {
    const api = fakeApi();
    const c = at('/play', api);
    await settle();
    const ws = FakeWS.last();
    ws.handshake();
    tab(c, 'Chat').click();
    flushSync();
    const box = c.querySelector<HTMLTextAreaElement>('.say textarea')!;
    box.value = 'x'.repeat(4001);
    box.dispatchEvent(new Event('input'));
    flushSync();
    c.querySelector<HTMLFormElement>('.say')!.requestSubmit();
    flushSync();
    expect(ws.sentMessages().filter((m) => m.type === 'chat')).toHaveLength(0);
    expect(c.querySelector('.chat [role="alert"]')?.textContent).toContain('Too long');
    expect(box.value.length).toBe(4001); // nothing lost

    box.value = 'hello';
    box.dispatchEvent(new Event('input'));
    flushSync();
    c.querySelector<HTMLFormElement>('.say')!.requestSubmit();
    flushSync();
    const sent = ws.sentMessages().filter((m) => m.type === 'chat');
    ws.frame({ type: 'error', id: sent[0].id, code: 'not_allowed', message: 'You cannot write in this room.' });
    await settle();
    expect(c.querySelector('.chat [role="alert"]')?.textContent).toContain('You cannot write in this room.');
    expect(box.value).toBe('hello');
  });
});

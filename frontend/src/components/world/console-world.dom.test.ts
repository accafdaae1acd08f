// @vitest-environment jsdom
// The console's world panels: the persona inbox (answer as the persona in
// one step, canned replies with their availability), receipts per inject with
// a chip per team, and chat in every room.
import { describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import brandHijack from '../../lib/testdata/brand-hijack.scenario.json';
import { eventFrame } from '../../test/fakeserver';
import { exerciseRecord, serverPage } from '../../test/app';

const page = serverPage();

const sent = (i = 0) => page.srv.sockets[i].sent.map((s) => JSON.parse(s) as Record<string, unknown>);

describe('console world panels', () => {
  it('answers a team as the persona, offers canned replies, shows receipts and writes in any room', async () => {
    const srv = page.srv;
    srv.routes['GET /api/exercises/ex1'] = () => [200, exerciseRecord('running')];
    srv.routes['GET /api/exercises/ex1/scenario'] = () => [200, { scenario: brandHijack }];
    srv.routes['GET /api/exercises/ex1/canned'] = () => [
      200,
      [
        { id: 'thanks', label: 'Thank them', body: 'Thanks, noted.', available: true },
        { id: 'quote', label: 'Ask for a quote', body: 'Can I quote you?', available: false },
      ],
    ];
    const c = page.at('/console/ex1');
    await vi.waitFor(() => expect(srv.sockets.length).toBe(1));
    const ws = srv.sockets[0];
    ws.open();
    ws.frame({ type: 'hello', after: 0, server_time: '2026-11-23T10:00:00Z' });
    ws.frame(eventFrame(1, 'participant_joined', 0, { participant: 'p1', team: 'comms', name: 'Ana' }));
    ws.frame(eventFrame(2, 'participant_joined', 0, { participant: 'p2', team: 'soc', name: 'Chen' }));
    ws.frame(eventFrame(3, 'exercise_started', 0, { speed: 1 }));
    ws.frame(eventFrame(4, 'inject_delivered', 1, { inject: 'reporter_email', channel: 'email', title: 'Press enquiry', body: 'Comment?', persona_name: 'Dana Reyes' }, ['comms']));
    ws.frame(eventFrame(5, 'message_sent', 2, { message: 'm5', action: 'reply', team: 'comms', participant: 'p1', persona: 'reporter', persona_name: 'Dana Reyes', inject: 'reporter_email', thread: 'reporter_email', channel: 'email', body: 'No comment **yet**.' }, ['comms']));
    ws.frame(eventFrame(6, 'message_sent', 3, { message: 'm6', action: 'compose', team: 'soc', participant: 'p2', persona: 'support', persona_name: 'Platform Support', thread: 'm6', channel: 'ticket', title: 'Hijack', body: 'Lock it.' }, ['soc']));
    ws.frame(eventFrame(7, 'inject_receipt', 2, { participant: 'p1', team: 'comms', inject: 'reporter_email', seq: 4, opened: false }));
    ws.frame(eventFrame(8, 'inject_receipt', 3, { participant: 'p1', team: 'comms', inject: 'reporter_email', seq: 4, opened: true }));
    ws.frame(eventFrame(9, 'chat_posted', 3, { room: 'team:soc', participant: 'p2', name: 'Chen', team: 'soc', body: 'Anyone on the ticket?' }, ['soc']));
    ws.frame({ type: 'live', last_seq: 9 });
    await vi.waitFor(() => expect(c.querySelector('[aria-labelledby="inbox-h"]')).not.toBeNull());
    const inbox = c.querySelector('[aria-labelledby="inbox-h"]')!;
    flushSync();

    // Both personas wait for an answer; the reporter's thread shows the team's reply.
    const personas = Array.from(inbox.querySelectorAll('[data-persona]')).map((b) => b.textContent?.trim());
    expect(personas).toEqual(['Platform Support1', 'Dana Reyes1']);
    (inbox.querySelector('[data-persona="reporter"]') as HTMLButtonElement).click();
    flushSync();
    const thread = inbox.querySelector('[data-thread="reporter_email"]')!;
    expect(thread.textContent).toContain('Ana (Comms & Social)');
    expect(thread.querySelector('strong + span, .tmsg strong')).not.toBeNull();
    await vi.waitFor(() => expect(thread.querySelectorAll('[data-canned]')).toHaveLength(2));
    expect(srv.calls.some((x) => x.url === '/api/exercises/ex1/canned?team=comms&thread=reporter_email')).toBe(true);
    const [thanks, quote] = Array.from(thread.querySelectorAll<HTMLButtonElement>('[data-canned]'));
    expect(quote.disabled).toBe(true);
    expect(quote.textContent).toContain('(not available now)');
    thanks.click();
    flushSync();
    const first = sent().find((m) => m.type === 'persona_send')!;
    expect(first).toMatchObject({ persona: 'reporter', team: 'comms', thread: 'reporter_email', canned: 'thanks' });
    ws.frame({ type: 'ack', id: first.id, seq: 99 });
    await vi.waitFor(() => expect(thanks.disabled).toBe(false));

    // One step: type and send as the persona.
    const box = thread.querySelector<HTMLTextAreaElement>('textarea')!;
    expect(c.querySelector(`label[for="${box.id}"]`)?.textContent).toBe('Answer Comms & Social as Dana Reyes');
    box.value = 'When will you know more?';
    box.dispatchEvent(new Event('input'));
    flushSync();
    Array.from(thread.querySelectorAll('button')).find((b) => b.textContent === 'Send as Dana Reyes')!.click();
    flushSync();
    const ps = sent().filter((m) => m.type === 'persona_send');
    expect(ps[1]).toMatchObject({ persona: 'reporter', team: 'comms', thread: 'reporter_email', body: 'When will you know more?' });
    ws.frame({ type: 'ack', id: ps[1].id, seq: 10 });
    ws.frame(eventFrame(10, 'message_sent', 4, { message: 'm10', action: 'persona', team: 'comms', persona: 'reporter', persona_name: 'Dana Reyes', thread: 'reporter_email', channel: 'email', body: 'When will you know more?', by_facilitator: true }, ['comms']));
    await vi.waitFor(() => expect(box.value).toBe(''));
    expect(inbox.querySelector('[data-persona="reporter"] .badge')).toBeNull(); // answered

    // Receipts: one of one received and opened, so folded as done.
    const rc = c.querySelector('[aria-labelledby="rc-h"]')!;
    const group = rc.querySelector('.all-done [data-inject="reporter_email"]')!;
    expect(group.querySelector('.title')?.textContent).toBe('Press enquiry');
    const chip = group.querySelector('[data-team="comms"]')!;
    expect(chip.querySelector('summary')?.textContent).toBe('Comms & Social 1 of 1 opened');
    expect(chip.textContent).toContain('Ana');

    // Chat: the SOC room's line, and the facilitator writes there.
    const chat = c.querySelector('.staffchat')!;
    const rooms = chat.querySelector<HTMLSelectElement>('select')!;
    rooms.value = 'team:soc';
    rooms.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    expect(chat.querySelector('.lines')?.textContent).toContain('Anyone on the ticket?');
    expect(chat.querySelector('.lines .who')?.textContent).toBe('Chen (Security Operations (SOC/IR))');
    const say = chat.querySelector<HTMLTextAreaElement>('.say textarea')!;
    say.value = 'Yes, support answers soon.';
    say.dispatchEvent(new Event('input'));
    flushSync();
    chat.querySelector<HTMLFormElement>('.say')!.requestSubmit();
    flushSync();
    expect(sent().find((m) => m.type === 'chat')).toMatchObject({ room: 'team:soc', body: 'Yes, support answers soon.' });
  });
});

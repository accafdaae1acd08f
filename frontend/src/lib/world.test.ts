import { describe, expect, it } from 'vitest';
import {
  bodyProblem,
  emptyWorld,
  lineRoom,
  participantRooms,
  personaInbox,
  reduceWorld,
  roomLabel,
  staffRooms,
  threads,
  unread,
  type WorldState,
} from './world';

const ev = (seq: number, kind: string, payload: Record<string, unknown>, at = seq * 60e9, audience?: string[]) => ({
  type: 'event',
  seq,
  kind,
  at,
  wall_time: '2026-01-01T10:00:00Z',
  payload,
  ...(audience ? { audience } : {}),
});

const fold = (frames: unknown[], s: WorldState = emptyWorld()) => frames.reduce<WorldState>((w, f) => reduceWorld(w, f), s);

describe('chat', () => {
  it('keeps each room in seq order, ignores repeats, empty bodies and other kinds', () => {
    const w = fold([
      ev(3, 'chat_posted', { room: 'team:soc', participant: 'p1', name: 'Ann', team: 'soc', body: 'second' }),
      ev(2, 'chat_posted', { room: 'team:soc', participant: 'p2', name: 'Bo', team: 'soc', body: 'first' }),
      ev(3, 'chat_posted', { room: 'team:soc', participant: 'p1', name: 'Ann', team: 'soc', body: 'second again' }),
      ev(4, 'chat_posted', { room: 'control:soc', by_facilitator: true, body: 'Hello from control' }),
      ev(5, 'chat_posted', { room: 'team:soc', body: '' }),
      ev(6, 'inject_delivered', { inject: 'x', body: 'not chat' }),
      { type: 'presence', teams: {} },
    ]);
    expect(w.chat['team:soc'].map((l) => l.body)).toEqual(['first', 'second']);
    expect(w.chat['control:soc'][0]).toMatchObject({ byFacilitator: true, body: 'Hello from control', atNs: 4 * 60e9 });
    expect(w.lastSeq).toBe(5);
  });

  it('returns the same state for a frame it ignores', () => {
    const w = fold([ev(1, 'chat_posted', { room: 'team:soc', body: 'x' })]);
    expect(reduceWorld(w, ev(1, 'chat_posted', { room: 'team:soc', body: 'x' }))).toBe(w);
    expect(reduceWorld(w, ev(2, 'decision_opened', {}))).toBe(w);
    expect(reduceWorld(w, 'garbage')).toBe(w);
  });

  it.each([
    { name: 'others since the mark', read: 1, me: { participant: 'p1' }, want: 1 },
    { name: 'nothing read', read: 0, me: { participant: 'p1' }, want: 2 },
    { name: 'facilitator skips their own', read: 0, me: { facilitator: true }, want: 2 },
    { name: 'all read', read: 9, me: { participant: 'p1' }, want: 0 },
  ])('unread: $name', ({ read, me, want }) => {
    const w = fold([
      ev(1, 'chat_posted', { room: 'r', participant: 'p2', body: 'a' }),
      ev(2, 'chat_posted', { room: 'r', participant: 'p1', body: 'mine' }),
      ev(3, 'chat_posted', { room: 'r', by_facilitator: true, body: 'fac' }),
    ]);
    expect(unread(w.chat['r'], read, me)).toBe(want);
  });

  it('names rooms and lists a participant’s and staff rooms', () => {
    const names = { soc: 'SOC', comms: 'Comms', legal: 'Legal' };
    expect(lineRoom('legal', 'comms')).toBe('line:comms:legal');
    expect(participantRooms('comms', ['legal'], names).map((r) => [r.id, r.label])).toEqual([
      ['team:comms', 'Your team'],
      ['control:comms', 'Facilitator'],
      ['line:comms:legal', 'Legal'],
    ]);
    // A line room seen in the log shows even when the declaration is unknown; others' rooms never do.
    const seen = fold([ev(1, 'chat_posted', { room: 'line:comms:soc', body: 'x' }), ev(2, 'chat_posted', { room: 'line:legal:soc', body: 'y' })]);
    expect(participantRooms('comms', [], names, seen.chat).map((r) => r.id)).toEqual(['team:comms', 'control:comms', 'line:comms:soc']);
    const staff = staffRooms(
      [
        { id: 'comms', name: 'Comms' },
        { id: 'legal', name: 'Legal' },
      ],
      [['comms', 'legal']],
      {},
      false,
    );
    expect(staff.map((r) => r.label)).toEqual(['Comms (team room)', 'Comms ↔ facilitator', 'Legal (team room)', 'Legal ↔ facilitator', 'Comms ↔ Legal']);
    expect(staff.every((r) => !r.canWrite)).toBe(true);
    expect(roomLabel('weird', {})).toBe('weird');
  });

  it.each([
    { body: '', want: 'Write something first.' },
    { body: '   ', want: 'Write something first.' },
    { body: 'ok', want: '' },
    { body: 'é'.repeat(4000), want: '' },
    { body: 'x'.repeat(4001), want: 'Too long: 4001 of at most 4000 characters.' },
  ])('bodyProblem($body.length chars)', ({ body, want }) => {
    expect(bodyProblem(body)).toBe(want);
  });
});

const msg = (seq: number, p: Record<string, unknown>) => ev(seq, 'message_sent', { message: `m${seq}`, ...p });

describe('messages and drafts', () => {
  it('adapts message_sent and groups conversations by team and thread', () => {
    const w = fold([
      ev(1, 'inject_delivered', { inject: 'reporter_email' }),
      msg(2, { action: 'publish', team: 'comms', outlet: 'newsroom', outlet_name: 'Acme newsroom', channel: 'news', title: 'Statement', body: 'We are aware.', drafted_by: 'p1', approved_by: 'p7' }),
      msg(3, { action: 'reply', team: 'comms', participant: 'p1', persona: 'reporter', persona_name: 'Dana Reyes', inject: 'reporter_email', thread: 'reporter_email', channel: 'email', body: 'No comment yet.' }),
      msg(4, { action: 'compose', team: 'soc', participant: 'p3', persona: 'support', persona_name: 'Platform Support', thread: 'm4', channel: 'ticket', title: 'Account hijacked', body: 'Please lock it.' }),
      msg(5, { action: 'persona', team: 'comms', persona: 'reporter', persona_name: 'Dana Reyes', thread: 'reporter_email', channel: 'email', body: 'Can I quote you?', canned: 'quote' }),
    ]);
    expect(w.messages).toHaveLength(4);
    expect(w.messages[0]).toMatchObject({ action: 'publish', outletName: 'Acme newsroom', draftedBy: 'p1', approvedBy: 'p7', atNs: 2 * 60e9 });
    const ts = threads(w.messages);
    expect(ts.map((t) => [t.team, t.id, t.messages.length, t.awaitingPersona])).toEqual([
      ['comms', 'reporter_email', 2, false],
      ['soc', 'm4', 1, true],
    ]);
    const inbox = personaInbox(w.messages);
    expect(inbox.map((b) => [b.personaId, b.waiting])).toEqual([
      ['support', 1],
      ['reporter', 0],
    ]);
    expect(inbox[1].persona?.name).toBe('Dana Reyes');
  });

  it('follows a draft through save, request, approval, a new version and sending', () => {
    let w = fold([
      ev(1, 'draft_saved', { draft: 'd1', version: 1, action: 'publish', team: 'comms', participant: 'p1', outlet: 'newsroom', title: 'T', body: 'v1' }),
      ev(2, 'approval_requested', { draft: 'd1', version: 1, team: 'comms', participant: 'p1', approver: 'legal', title: 'T', body: 'v1', outlet: 'newsroom' }),
    ]);
    expect(w.drafts['d1']).toMatchObject({ status: 'requested', approver: 'legal', requestedBy: 'p1', version: 1 });
    w = fold([ev(3, 'draft_approved', { draft: 'd1', version: 1, team: 'comms', participant: 'p7', comment: 'fine' })], w);
    expect(w.drafts['d1']).toMatchObject({ status: 'approved', decidedBy: 'p7', comment: 'fine' });
    // An edit withdraws the approval; an approval of the old version then says nothing.
    w = fold([ev(4, 'draft_saved', { draft: 'd1', version: 2, action: 'publish', team: 'comms', participant: 'p2', outlet: 'newsroom', title: 'T', body: 'v2' })], w);
    expect(w.drafts['d1']).toMatchObject({ status: 'draft', version: 2, body: 'v2', participant: 'p2', createdBy: 'p1' });
    w = fold([ev(5, 'draft_approved', { draft: 'd1', version: 1, team: 'comms', participant: 'p7' })], w);
    expect(w.drafts['d1'].status).toBe('draft');
    w = fold([ev(6, 'draft_rejected', { draft: 'd1', version: 2, team: 'comms', participant: 'p7', comment: 'too vague' })], w);
    expect(w.drafts['d1']).toMatchObject({ status: 'rejected', comment: 'too vague' });
    w = fold([ev(7, 'message_submitted', { client_id: 's1', action: 'publish', team: 'comms', draft: 'd1' })], w);
    expect(w.drafts['d1']).toBeUndefined();
    expect(w.messages).toHaveLength(0); // the input is not the message
  });

  it('learns of another team’s draft from its approval request, and forgets discarded drafts', () => {
    let w = fold([ev(1, 'approval_requested', { draft: 'd9', version: 3, team: 'comms', participant: 'p1', approver: 'legal', title: 'Holding', body: 'text', outlet: 'newsroom' })]);
    expect(w.drafts['d9']).toMatchObject({ team: 'comms', version: 3, status: 'requested', title: 'Holding', outlet: 'newsroom' });
    w = fold([ev(2, 'draft_discarded', { draft: 'd9', team: 'comms', participant: 'p1' })], w);
    expect(w.drafts).toEqual({});
  });

  it('records receipts once each, received before opened', () => {
    const w = fold([
      ev(1, 'inject_receipt', { participant: 'p1', team: 'soc', inject: 'hijack', seq: 10, opened: false }, 60e9),
      ev(2, 'inject_receipt', { participant: 'p1', team: 'soc', inject: 'hijack', seq: 10, opened: true }, 120e9),
      ev(3, 'inject_receipt', { participant: 'p2', team: 'soc', inject: 'hijack', seq: 10, opened: true }, 180e9),
    ]);
    expect(w.receipts['p1|hijack']).toMatchObject({ receivedNs: 60e9, openedNs: 120e9 });
    // An "opened" without a "received" counts as both.
    expect(w.receipts['p2|hijack']).toMatchObject({ receivedNs: 180e9, openedNs: 180e9 });
  });
});

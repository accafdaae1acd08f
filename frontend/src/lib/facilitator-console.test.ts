import { describe, expect, it } from 'vitest';
import { adaptLogEvent } from './events';
import { adaptPresence, adaptPresenceBatch, adaptSnapshot, commandBody } from './facilitator';
import {
  applyPresence,
  applySnapshot,
  clockRate,
  deliveredInjects,
  initialConsole,
  loadEvents,
  rosters,
} from './facilitator-console';
import { adaptScenario } from './facilitator-scenario';
import brandHijack from './testdata/brand-hijack.scenario.json';

const MIN = 60e9;
const model = adaptScenario(brandHijack);

/** A log frame exactly as the server sends it. */
function frame(seq: number, kind: string, atMin: number, payload: Record<string, unknown>, audience: string[] = []) {
  return { type: 'event', seq, kind, at: atMin * MIN, wall_time: '2026-11-23T10:00:00Z', payload, audience };
}

const log = [
  frame(1, 'exercise_created', 0, { title: 'Tuesday drill', scenario: 'brand-hijack', params: { company: 'Northwind' } }),
  frame(2, 'participant_joined', 0, { participant: 'p1', team: 'comms', name: 'Ana', lead: true }),
  frame(3, 'participant_joined', 0, { participant: 'p2', team: 'comms', name: 'Ben' }),
  frame(4, 'participant_joined', 0, { participant: 'p3', team: 'soc', name: 'Cy', lead: true }),
  frame(5, 'exercise_started', 0, { speed: 1 }),
  frame(6, 'started', 0, { kind: 'started', at: 0, scenario: 'brand-hijack' }),
  frame(7, 'state_entered', 0, { kind: 'state_entered', at: 0, state: 'hijack_begins', title: 'The hijack begins' }, ['*']),
  frame(8, 'inject_delivered', 0.5, {
    kind: 'inject_delivered',
    at: 0.5 * MIN,
    state: 'hijack_begins',
    inject: 'giveaway_post',
    channel: 'social',
    body: 'Double your money!',
    persona_name: 'Northwind Bank',
    persona_handle: 'northwindbank',
    platform: 'Chirp',
    teams: ['comms'],
  }, ['comms']),
  frame(9, 'decision_opened', 1, {
    kind: 'decision_opened',
    at: MIN,
    state: 'hijack_begins',
    decision: 'first_response',
    team: 'comms',
    prompt: 'What now?',
    options: [
      { id: 'delete', label: 'Delete the post' },
      { id: 'wait', label: 'Wait' },
    ],
    mode: 'vote',
    time_limit: 6 * MIN,
    closes_at: 7 * MIN,
  }, ['comms']),
  frame(10, 'answer_submitted', 2, { participant: 'p1', team: 'comms', decision: 'first_response', option: 'wait', client_id: 'c1' }, ['comms']),
  frame(11, 'decision_answered', 2, { kind: 'decision_answered', at: 2 * MIN, decision: 'first_response', team: 'comms', option: 'wait', option_label: 'Wait', participant: 'p1', lead: true }, ['comms']),
  frame(12, 'decision_answered', 3, { kind: 'decision_answered', at: 3 * MIN, decision: 'first_response', team: 'comms', option: 'delete', option_label: 'Delete the post', participant: 'p2', confidence: 4 }, ['comms']),
  // p1 revises the answer.
  frame(13, 'decision_answered', 4, { kind: 'decision_answered', at: 4 * MIN, decision: 'first_response', team: 'comms', option: 'delete', option_label: 'Delete the post', participant: 'p1', lead: true }, ['comms']),
  frame(14, 'exercise_paused', 4.5, {}),
  frame(15, 'speed_changed', 4.5, { speed: 5, from: 1 }),
  frame(16, 'exercise_resumed', 4.5, {}),
  frame(17, 'decision_closed', 7, { kind: 'decision_closed', at: 7 * MIN, decision: 'first_response', team: 'comms', settled: 'answered', close_reason: 'time_limit', option: 'delete', option_label: 'Delete the post', votes: [{ option: 'delete', count: 2 }] }, ['comms']),
  frame(18, 'effect_applied', 7, { kind: 'effect_applied', at: 7 * MIN, var: 'reputation', old: 70, new: 62, expr: 'reputation - 8', visible: true }, ['*']),
  frame(19, 'transition_taken', 7, { kind: 'transition_taken', at: 7 * MIN, from_state: 'hijack_begins', to_state: 'source_identified', reason: 'when: chose(...)' }),
  frame(20, 'state_entered', 7, { kind: 'state_entered', at: 7 * MIN, state: 'source_identified', title: 'Source identified' }, ['*']),
];

describe('reduceConsole', () => {
  const s = loadEvents(initialConsole(model), log);

  it('starts from the scenario variables', () => {
    const init = initialConsole(model);
    expect(init.vars['reputation']).toBe(70);
    expect(init.status).toBe('lobby');
  });

  it('follows status, speed, clock, state and path', () => {
    expect(s.lastSeq).toBe(20);
    expect(s.status).toBe('running');
    expect(s.speed).toBe(5);
    expect(s.clockNs).toBe(7 * MIN);
    expect(s.state).toBe('source_identified');
    expect(s.path.map((p) => p.state)).toEqual(['hijack_begins', 'source_identified']);
    expect(s.vars['reputation']).toBe(62);
    expect(clockRate(s)).toBe(5);
  });

  it('records each participant once with their latest answer and response time', () => {
    const d = s.decisions[0];
    expect(d.id).toBe('first_response');
    expect(d.open).toBe(false);
    expect(d.settled).toBe('answered');
    expect(d.optionLabel).toBe('Delete the post');
    expect(d.closeReason).toBe('time_limit');
    expect(d.answers.map((a) => [a.name, a.option, a.responseNs / MIN])).toEqual([
      ['Ana', 'delete', 3],
      ['Ben', 'delete', 2],
    ]);
    expect(d.answers[1].confidence).toBe(4);
    expect(d.answers[1].optionLabel).toBe('Delete the post');
  });

  it('lists delivered injects newest first with their cards', () => {
    const inj = deliveredInjects(s);
    expect(inj).toHaveLength(1);
    expect(inj[0].inject?.channel).toBe('social');
    expect(inj[0].inject?.from?.name).toBe('Northwind Bank');
    expect(inj[0].audience).toEqual(['comms']);
  });

  it('ignores a repeated sequence number (a replay after reconnecting)', () => {
    const again = loadEvents(s, log.slice(5, 12));
    expect(again).toBe(s);
  });

  it('moves a participant between team rosters; the old team’s next lead follows', () => {
    const moved = loadEvents(s, [
      frame(21, 'participant_moved', 8, { participant: 'p1', name: 'Ana', from: 'comms', to: 'soc' }, ['comms', 'soc']),
      frame(22, 'lead_changed', 8, { participant: 'p2', team: 'comms', name: 'Ben', lead: true }, ['comms']),
    ]);
    const r = rosters(moved, model.teams);
    const members = (team: string) => r.find((t) => t.id === team)?.members.map((p) => [p.name, p.lead]);
    expect(members('comms')).toEqual([['Ben', true]]);
    expect(members('soc')).toEqual([
      ['Cy', true],
      ['Ana', false],
    ]);
  });

  it('places a late event in order', () => {
    const partial = loadEvents(initialConsole(model), [log[0], log[2]]);
    const filled = loadEvents(partial, [log[1]]);
    expect(filled.events.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('closes open decisions and ends on an outcome', () => {
    const open = loadEvents(initialConsole(model), log.slice(0, 9));
    expect(open.decisions[0].open).toBe(true);
    const ended = loadEvents(open, [
      frame(30, 'facilitator_end', 5, { reason: 'out of time' }),
      frame(31, 'outcome_reached', 5, { kind: 'outcome_reached', at: 5 * MIN, outcome: 'ended', reason: 'out of time' }),
    ]);
    expect(ended.status).toBe('ended');
    expect(ended.outcome).toEqual({ outcome: 'ended', rating: '', title: '', debrief: '', reason: 'out of time' });
    expect(ended.decisions[0].open).toBe(false);
    expect(clockRate(ended)).toBe(0);
  });

  it('does not resume an ended exercise on a late resume event', () => {
    let x = loadEvents(initialConsole(model), [frame(1, 'outcome_reached', 1, { outcome: 'contained', rating: 'success' })]);
    x = loadEvents(x, [frame(2, 'exercise_resumed', 1, {})]);
    expect(x.status).toBe('ended');
  });

  it('keeps error events for the facilitator', () => {
    const x = loadEvents(initialConsole(model), [frame(1, 'error', 1, { kind: 'error', code: 'eval', error: 'division by zero' })]);
    expect(x.errors.map((e) => [e.errorCode, e.error])).toEqual([['eval', 'division by zero']]);
  });
});

describe('snapshots and presence', () => {
  const snapRaw = {
    id: 'ex1',
    status: 'paused',
    speed: 2,
    clock: 5 * MIN,
    last_seq: 20,
    teams: [{ ID: 'comms', Name: 'Communications' }],
    participants: [
      { id: 'p1', team: 'comms', name: 'Ana', lead: true, present: true },
      { id: 'p2', team: 'comms', name: 'Ben', lead: false, present: false },
      { id: 'p4', team: 'soc', name: 'Dee', lead: false, present: true },
    ],
    decisions: [],
    sim: { state: 'source_identified', vars: [{ id: 'reputation', value: 55 }], visited: ['hijack_begins'] },
  };

  it('adapts the snapshot, including teams without JSON tags', () => {
    const snap = adaptSnapshot(snapRaw);
    expect(snap.teams).toEqual([{ id: 'comms', name: 'Communications' }]);
    expect(snap.clockNs).toBe(5 * MIN);
    expect(snap.vars).toEqual([{ id: 'reputation', value: 55, visible: false }]);
  });

  it('takes status, clock, variables and who is online from a snapshot', () => {
    const s = loadEvents(initialConsole(model), log);
    const x = applySnapshot(s, adaptSnapshot(snapRaw), [{ participant: 'p1', name: 'Ana', team: 'comms', online: true, status: 'idle' }]);
    expect(x.status).toBe('paused');
    expect(x.speed).toBe(2);
    expect(x.clockNs).toBe(5 * MIN);
    expect(x.vars['reputation']).toBe(55);
    const byId = Object.fromEntries(x.participants.map((p) => [p.id, p]));
    expect(byId['p1'].online).toBe(true);
    expect(byId['p1'].activity).toBe('idle');
    expect(byId['p2'].left).toBe(true);
    expect(byId['p4'].online).toBe(false);
    const r = rosters(x, model.teams);
    const comms = r.find((t) => t.id === 'comms')!;
    expect(comms.members.map((m) => m.name)).toEqual(['Ana']);
    expect(comms.online).toBe(1);
    expect(r.find((t) => t.id === 'soc')!.members.map((m) => m.name)).toEqual(['Cy', 'Dee']);
  });

  it('keeps newer log variables over an older snapshot', () => {
    const s = loadEvents(initialConsole(model), log);
    const x = applySnapshot(s, adaptSnapshot({ ...snapRaw, last_seq: 3 }));
    expect(x.vars['reputation']).toBe(62);
  });

  it('merges answers a snapshot reports for open decisions', () => {
    const s = loadEvents(initialConsole(model), log.slice(0, 9));
    const x = applySnapshot(
      s,
      adaptSnapshot({
        ...snapRaw,
        last_seq: 9,
        decisions: [{ id: 'first_response', team: 'comms', opened_at: MIN, answers: [{ participant: 'p2', name: 'Ben', option: 'wait', at: 2.5 * MIN, response_time: 1.5 * MIN }] }],
      }),
    );
    expect(x.decisions[0].answers.map((a) => [a.name, a.optionLabel, a.responseNs / MIN])).toEqual([['Ben', 'Wait', 1.5]]);
  });

  it('applies presence frames: a batch of the latest state of each participant who changed', () => {
    const s = loadEvents(initialConsole(model), log.slice(0, 4));
    const on = applyPresence(
      s,
      adaptPresenceBatch({
        type: 'presence',
        changes: [
          { participant: 'p2', name: 'Ben', team: 'comms', online: true, status: 'active' },
          { participant: 'p3', name: 'Cy', team: 'soc', online: true, status: 'idle' },
          { participant: 'p9', name: 'Newcomer', team: 'soc', online: true, status: 'active' },
          { name: 'no id' },
        ],
        teams: { comms: 1, soc: 2 },
      })!,
    );
    const byId = (st: typeof on) => Object.fromEntries(st.participants.map((p) => [p.id, [p.online, p.activity, p.name, p.team]]));
    expect(byId(on)).toEqual({
      p1: [false, '', 'Ana', 'comms'],
      p2: [true, 'active', 'Ben', 'comms'],
      p3: [true, 'idle', 'Cy', 'soc'],
      // Someone the log has not named yet still shows, by the frame's name.
      p9: [true, 'active', 'Newcomer', 'soc'],
    });
    expect(rosters(on, model.teams).map((t) => [t.id, t.online])).toEqual(
      model.teams.map((t) => [t.id, t.id === 'comms' ? 1 : t.id === 'soc' ? 2 : 0]),
    );
    const off = applyPresence(on, adaptPresenceBatch({ type: 'presence', changes: [{ participant: 'p2', name: 'Ben', team: 'comms', online: false }], teams: { comms: 0 } })!);
    expect(byId(off).p2).toEqual([false, '', 'Ben', 'comms']);
    expect(byId(off).p3).toEqual([true, 'idle', 'Cy', 'soc']);
    // A frame with team counts only changes nothing (and keeps the state object).
    expect(applyPresence(off, adaptPresenceBatch({ type: 'presence', teams: { soc: 2 } })!)).toBe(off);
  });

  it('reads presence frames defensively', () => {
    expect(adaptPresenceBatch({ type: 'event', seq: 1 })).toBeNull();
    expect(adaptPresenceBatch(null)).toBeNull();
    expect(adaptPresenceBatch({ type: 'presence', changes: 'x', teams: { a: 2.7, b: -1, c: '3', d: Infinity } })).toEqual({ changes: [], teams: { a: 2 } });
    expect(adaptPresence({ type: 'presence', participant: 'p1', name: 'Ana', team: 'comms', online: true, status: 'active' })).toEqual({
      participant: 'p1',
      name: 'Ana',
      team: 'comms',
      online: true,
      status: 'active',
    });
  });
});

describe('decision extensions', () => {
  const extended = (seq: number, atMin: number, byMin: number, closesMin: number, limitMin: number) =>
    frame(seq, 'decision_extended', atMin, { kind: 'decision_extended', at: atMin * MIN, decision: 'first_response', team: 'comms', by: byMin * MIN, closes_at: closesMin * MIN, time_limit: limitMin * MIN }, ['comms']);

  it('moves an open decision to its new deadline and adds up the time given', () => {
    let s = loadEvents(initialConsole(model), log.slice(0, 9));
    s = loadEvents(s, [
      frame(10, 'facilitator_extend', 3, { decision: 'first_response', by: 2 * MIN }),
      extended(11, 3, 2, 9, 8),
      extended(12, 4, 1, 10, 9),
    ]);
    const d = s.decisions[0];
    expect([d.closesAtNs, d.timeLimitNs, d.extendedNs].map((x) => (x ?? 0) / MIN)).toEqual([10, 9, 3]);
    expect(d.open).toBe(true);
    const ev = adaptLogEvent(extended(11, 3, 2, 9, 8))!;
    expect([ev.byNs, ev.closesAtNs, ev.timeLimitNs, ev.team]).toEqual([2 * MIN, 9 * MIN, 8 * MIN, 'comms']);
    expect(adaptLogEvent(frame(10, 'facilitator_extend', 3, { decision: 'first_response', by: 2 * MIN }))!.byNs).toBe(2 * MIN);
  });

  it('sends whole seconds within the server bounds', () => {
    expect(commandBody({ type: 'extend-decision', decision: 'first_response', by: 120 })).toEqual({ decision: 'first_response', by: 120 });
    expect(commandBody({ type: 'extend-decision', decision: 'd', by: 0 })).toEqual({ decision: 'd', by: 1 });
    expect(commandBody({ type: 'extend-decision', decision: 'd', by: 90.4 })).toEqual({ decision: 'd', by: 90 });
    expect(commandBody({ type: 'extend-decision', decision: 'd', by: 99_999 })).toEqual({ decision: 'd', by: 3600 });
  });

  it('leaves a closed decision as it was', () => {
    let s = loadEvents(initialConsole(model), log.slice(0, 9));
    s = loadEvents(s, [frame(10, 'decision_closed', 3, { decision: 'first_response', team: 'comms', settled: 'expired' }, ['comms']), extended(11, 3, 2, 9, 8)]);
    expect([s.decisions[0].closesAtNs, s.decisions[0].extendedNs]).toEqual([7 * MIN, 0]);
  });
});

describe('adaptLogEvent', () => {
  it('reads a frame with a nested payload and a flat object alike', () => {
    const a = adaptLogEvent(log[7])!;
    const b = adaptLogEvent({ seq: 8, ...(log[7].payload as object), audience: ['comms'] })!;
    expect(a.inject).toEqual(b.inject);
    expect(a.atNs).toBe(0.5 * MIN);
    expect(a.wallTime).toBe('2026-11-23T10:00:00Z');
  });

  it('refuses frames that are not events and bad sequence numbers', () => {
    expect(adaptLogEvent({ type: 'presence', seq: 1, kind: 'x' })).toBeNull();
    expect(adaptLogEvent({ type: 'event', seq: 0, kind: 'x' })).toBeNull();
    expect(adaptLogEvent({ type: 'event', seq: 1.5, kind: 'x' })).toBeNull();
    expect(adaptLogEvent({ type: 'event', seq: 1 })).toBeNull();
    expect(adaptLogEvent(null)).toBeNull();
  });

  it('treats wrongly typed fields as missing and keeps unknown kinds', () => {
    const e = adaptLogEvent({ type: 'event', seq: 3, kind: 'future_kind', at: 'soon', payload: { title: 5, new: { x: 1 }, confidence: 9 } })!;
    expect(e.kind).toBe('future_kind');
    expect(e.atNs).toBe(0);
    expect(e.title).toBe('');
    expect(e.newValue).toBeNull();
    expect(e.confidence).toBeNull();
  });

  it('shows a free-text sender of an ad-hoc inject', () => {
    const e = adaptLogEvent(frame(5, 'facilitator_inject', 1, { channel: 'email', from: 'The CEO', body: 'Call me', teams: ['exec'] }))!;
    expect(e.inject?.from?.name).toBe('The CEO');
    expect(e.adhoc).toBe(true);
  });
});

// The adapter against frames recorded from a real server (testdata/wire-soc.json:
// the SOC team's view of the example scenario, skipped through and ended).
import { describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import frames from './testdata/wire-soc.json';
import { adaptClockEvent, adaptEvent, adaptNote, adaptPresenceFrame, adaptRosterEvent, fromWire, objectivesOf, parseServerTime } from './events';
import { createFeed, injectItems } from './feed';
import { applyClockEvent, clockSync, initialClock, replyOffset, seedClock, wallOffset } from './liveclock';
import { checkCode, codeFromLink, joinErrorField } from './join';

describe('wire frames', () => {
  it('fold into the feed as the participant sees them', () => {
    const feed = createFeed();
    feed.load(frames);
    const s = get(feed);
    const injects = injectItems(s).map((i) => i.ev.inject!);
    expect(injects.map((i) => [i.id, i.channel])).toEqual([
      ['ciso_call', 'phone'],
      ['news_story', 'news'],
      ['soc_alert', 'ticket'],
      ['scam_post', 'social'],
    ]);
    const scam = injects[3];
    expect(scam.from).toEqual({ name: 'Northwind Giveaways', handle: '@northwind', avatar: 'N', org: 'Northwind Bank (hijacked)' });
    expect(scam.engagement).toEqual({ likes: 1200, reposts: 430, replies: 88 });
    expect(scam.platform).toBe('Chirp');
    expect(s.decisions.map((d) => [d.decision.id, d.decision.mode, d.status, d.answer?.option])).toEqual([
      ['lock_account', 'lead', 'closed', 'wait'],
      ['escalate', 'vote', 'closed', 'platform'],
    ]);
    const lock = s.decisions[0].decision;
    expect(lock).toMatchObject({ confidence: true, rationale: true, timeLimitNs: 300e9, closesAtNs: 300e9, team: 'soc' });
    expect(lock.options.map((o) => o.id)).toEqual(['revoke', 'report', 'wait']);
    expect(s.outcome).toEqual({ outcome: 'ended', title: '', rating: '', debrief: '', reason: 'time is up' });
    expect(s.lastSeq).toBe(38);
  });

  it('keeps story time, state and audience', () => {
    const ev = adaptEvent(frames.find((f) => f.kind === 'inject_delivered'))!;
    expect(ev.storyTime).toBe('2026-02-08T09:00:00Z');
    expect(ev.state).toBe('takeover');
    expect(ev.audience).toEqual(['*']);
  });

  it('maps an expired decision and a visible effect', () => {
    const closed = fromWire({ type: 'event', seq: 5, kind: 'decision_closed', at: 1, payload: { decision: 'd', team: 't', settled: 'expired' } });
    expect(closed['expired']).toBe(true);
    const eff = adaptEvent(frames.find((f) => f.kind === 'effect_applied'))!;
    expect(eff.effect).toEqual({ variable: 'reputation', value: 65 });
  });

  it('reads clock, roster, note and objective frames', () => {
    expect(adaptClockEvent(frames.find((f) => f.kind === 'exercise_started'))).toEqual({
      kind: 'started',
      atNs: 0,
      wallMs: Date.parse('2026-11-23T18:47:16.449Z'),
      speed: 1,
    });
    expect(adaptClockEvent(frames.find((f) => f.kind === 'clock_skipped'))).toMatchObject({ kind: 'skipped', atNs: 60e9, speed: null });
    expect(adaptRosterEvent(frames.find((f) => f.kind === 'participant_joined'))).toEqual({
      kind: 'joined',
      participant: 'zxhpzux7yvwgaqbm',
      team: 'soc',
      from: '',
      name: 'Sam',
      lead: true,
    });
    expect(adaptNote({ type: 'event', seq: 3, kind: 'note_added', at: 5, wall_time: 'w', payload: { author: 'Olga', team: 'soc', text: 'Quick' } })).toEqual({
      seq: 3,
      atNs: 5,
      wallTime: 'w',
      author: 'Olga',
      team: 'soc',
      objective: '',
      text: 'Quick',
    });
    expect(objectivesOf(frames.find((f) => f.kind === 'decision_opened'))).toEqual(['recover']);
    expect(adaptRosterEvent({ kind: 'participant_joined', payload: {} })).toBeNull();
    expect(adaptRosterEvent({ type: 'event', seq: 9, kind: 'participant_moved', payload: { participant: 'p1', name: 'Mo', from: 'comms', to: 'soc', lead: true } })).toEqual({
      kind: 'moved',
      participant: 'p1',
      team: 'soc',
      from: 'comms',
      name: 'Mo',
      lead: true,
    });
    expect(adaptRosterEvent({ type: 'event', seq: 9, kind: 'participant_moved', payload: { participant: 'p1', from: 'comms' } })).toBeNull();
  });
});

describe('live clock', () => {
  const ce = (kind: 'started' | 'paused' | 'resumed' | 'speed' | 'skipped', atNs: number, wallMs: number, speed: number | null = null) => ({ kind, atNs, wallMs, speed });

  it('follows start, speed, pause, resume and skip', () => {
    let st = initialClock;
    expect(clockSync(st, 0)).toBeNull();
    st = applyClockEvent(st, ce('started', 0, 1000, 2));
    expect(clockSync(st, null)).toBeNull();
    expect(clockSync(st, 500)).toEqual({ serverNs: 0, localMs: 500, rate: 2 });
    st = applyClockEvent(st, ce('paused', 4e9, 3000));
    expect(clockSync(st, 0)).toEqual({ serverNs: 4e9, localMs: 3000, rate: 0 });
    st = applyClockEvent(st, ce('resumed', 4e9, 9000));
    st = applyClockEvent(st, ce('speed', 6e9, 10000, 5));
    expect(clockSync(st, 0)).toEqual({ serverNs: 6e9, localMs: 10000, rate: 5 });
    st = applyClockEvent(st, ce('skipped', 60e9, 11000));
    expect(clockSync(st, 0)).toEqual({ serverNs: 60e9, localMs: 11000, rate: 5 });
  });

  it('measures the server clock offset from hello', () => {
    expect(wallOffset('2026-01-01T10:00:05Z', Date.parse('2026-01-01T10:00:00Z'))).toBe(5000);
    expect(wallOffset('nonsense', 0)).toBeNull();
    expect(wallOffset(undefined, 0)).toBeNull();
  });

  it('measures it from a reply half-way through the round trip', () => {
    const t0 = Date.parse('2026-01-01T10:00:00Z');
    // Sent at t0, answered 400 ms later: the server's reading (t0 + 3.2 s by its clock) was taken at t0 + 200 ms.
    expect(replyOffset('2026-01-01T10:00:03.200000000Z', t0, t0 + 400)).toBe(3000);
    expect(replyOffset('2026-01-01T10:00:03.2Z', t0, t0 - 5)).toBe(3200);
    expect(replyOffset('', t0, t0)).toBeNull();
  });

  it('reads the server times it is sent, nanoseconds and all', () => {
    expect(parseServerTime('2026-03-01T09:00:00.123456789Z')).toBe(Date.parse('2026-03-01T09:00:00.123Z'));
    expect(parseServerTime('2026-03-01T09:00:00Z')).toBe(Date.parse('2026-03-01T09:00:00Z'));
    expect(parseServerTime('2026-03-01T10:00:00.5+01:00')).toBe(Date.parse('2026-03-01T09:00:00.500Z'));
    for (const bad of ['', 'soon', '2026-03-01', '2026-03-01T09:00Z', 12, null]) expect(parseServerTime(bad)).toBeNaN();
  });

  it('starts from the server reading for each status', () => {
    const r = { atNs: 90e9, speed: 2, serverMs: 5000 };
    expect(clockSync(seedClock({ ...r, status: 'lobby' }), 0)).toBeNull();
    expect(clockSync(seedClock({ ...r, status: 'running' }), 1000)).toEqual({ serverNs: 90e9, localMs: 4000, rate: 2 });
    expect(clockSync(seedClock({ ...r, status: 'paused' }), 0)).toEqual({ serverNs: 90e9, localMs: 5000, rate: 0 });
    expect(clockSync(seedClock({ ...r, status: 'ended' }), 0)).toEqual({ serverNs: 90e9, localMs: 5000, rate: 0 });
    expect(seedClock({ ...r, speed: 0, status: 'running' }).speed).toBe(1);
  });

  it('skips replayed clock events the reading already covers, applies newer ones', () => {
    let st = seedClock({ atNs: 600e9, speed: 2, status: 'running', serverMs: 100_000 });
    // The backlog after the reading: a start and a pause long before it.
    st = applyClockEvent(st, ce('started', 0, 10_000, 1));
    st = applyClockEvent(st, ce('paused', 100e9, 50_000));
    expect(clockSync(st, 0)).toEqual({ serverNs: 600e9, localMs: 100_000, rate: 2 });
    // A pause committed between the reading and its server_time still counts.
    st = applyClockEvent(st, ce('paused', 599e9, 99_500));
    expect(clockSync(st, 0)).toEqual({ serverNs: 599e9, localMs: 99_500, rate: 0 });
    st = applyClockEvent(st, ce('resumed', 599e9, 120_000));
    expect(clockSync(st, 0)).toEqual({ serverNs: 599e9, localMs: 120_000, rate: 2 });
  });
});

describe('presence frames', () => {
  it('reads the staff batch and the team count', () => {
    expect(
      adaptPresenceFrame({
        type: 'presence',
        changes: [{ participant: 'd2y', name: 'Casey', team: 'comms', online: true, status: 'active' }, { participant: 'x', online: false }],
        teams: { comms: 3, soc: 0 },
      }),
    ).toEqual({
      changes: [
        { participant: 'd2y', name: 'Casey', team: 'comms', online: true, status: 'active' },
        { participant: 'x', name: '', team: '', online: false, status: '' },
      ],
      teams: { comms: 3, soc: 0 },
    });
    expect(adaptPresenceFrame({ type: 'presence', teams: { comms: 3 } })).toEqual({ changes: [], teams: { comms: 3 } });
    expect(adaptPresenceFrame({ type: 'presence' })).toEqual({ changes: [], teams: {} });
    expect(adaptPresenceFrame({ type: 'live' })).toBeNull();
  });
});

describe('join flow logic', () => {
  it.each([
    ['', 'empty'],
    ['abcd', 'partial'],
    ['MQCK-SVU2', 'ready'],
    ['mqck svu2', 'ready'],
    ['MQCKSVU20', 'bad_symbol'],
    ['MQCKSVU2O', 'bad_symbol'],
    ['MQCKSVU2A', 'too_long'],
  ])('checkCode(%j) = %s', (code, want) => expect(checkCode(code)).toBe(want));

  it('reads the code from the path or the fragment', () => {
    expect(codeFromLink('mqck-svu2', '#IGNORED')).toBe('MQCKSVU2');
    expect(codeFromLink('', '#MQCKSVU2')).toBe('MQCKSVU2');
    expect(codeFromLink('', '#token=o.abc')).toBe('');
    expect(codeFromLink('', '')).toBe('');
    expect(codeFromLink('', '#%E0%A4%A')).toBe('');
  });

  it('puts server refusals on the right field', () => {
    expect(joinErrorField('bad_code')).toBe('code');
    expect(joinErrorField('bad_name')).toBe('name');
    expect(joinErrorField('bad_team')).toBe('team');
    expect(joinErrorField('rate_limited')).toBe('');
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { get } from 'svelte/store';
import { ApiError } from './api';
import { createPlaySession, type PlaySession } from './participant';
import { FakeWS } from '../test/fakews';
import { fakeApi, participantSession, playInfo, wire, type FakeApi } from '../test/fakeapi';

class MemStorage {
  data = new Map<string, string>();
  get length() {
    return this.data.size;
  }
  key(i: number) {
    return [...this.data.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
  clear() {
    this.data.clear();
  }
}

const opened = (seq: number, extra: Record<string, unknown> = {}) =>
  wire.event(seq, 'decision_opened', {
    kind: 'decision_opened',
    decision: 'lock',
    team: 'soc',
    prompt: 'Lock it?',
    options: [
      { id: 'revoke', label: 'Revoke' },
      { id: 'wait', label: 'Wait' },
    ],
    mode: 'first',
    audience: ['soc'],
    ...extra,
  });

const answer = (option: string) => ({ decision: 'lock', option, text: '', confidence: null, rationale: '' });

let api: FakeApi;
let storage: MemStorage;
let sessions: PlaySession[] = [];
let ids = 0;

function newSession(): PlaySession {
  const s = createPlaySession(api, participantSession, {
    storage: storage as unknown as Storage,
    newId: () => `cid-${++ids}`,
    restAfterMs: 10_000,
    retryMs: 5_000,
  });
  sessions.push(s);
  return s;
}

async function started(): Promise<{ s: PlaySession; ws: FakeWS }> {
  const s = newSession();
  await s.start();
  return { s, ws: FakeWS.last() };
}

function goLive(ws: FakeWS, events: object[] = [], last = 0) {
  ws.open();
  ws.frame(wire.hello());
  for (const e of events) ws.frame(e);
  ws.frame(wire.live(last));
}

beforeEach(() => {
  FakeWS.all = [];
  api = fakeApi();
  storage = new MemStorage();
  sessions = [];
  ids = 0;
  vi.useFakeTimers();
});
afterEach(() => {
  for (const s of sessions) s.destroy();
  vi.useRealTimers();
});

describe('play session', () => {
  it('loads the team view, connects with the token and folds wire events into the feed', async () => {
    const { s, ws } = await started();
    expect(api.playInfo).toHaveBeenCalledWith(participantSession);
    expect(ws.protocols).toEqual(['ttx.v1', `ttx.token.${participantSession.token}`]);
    expect(get(s.status)).toBe('connecting');
    goLive(ws, [opened(3)], 3);
    expect(get(s.status)).toBe('live');
    expect(get(s.feed).decisions.map((d) => [d.decision.id, d.status])).toEqual([['lock', 'open']]);
    expect(get(s.info)?.team.name).toBe('Security Operations');
  });

  it('sends an answer with a client id and clears it on the ack', async () => {
    const { s, ws } = await started();
    goLive(ws, [opened(3)], 3);
    s.answer(answer('revoke'));
    expect(ws.sentMessages()).toEqual([{ type: 'answer', id: 'cid-1', decision: 'lock', option: 'revoke' }]);
    expect(get(s.outbox).lock.state).toBe('sending');
    ws.frame({ type: 'ack', id: 'cid-1', seq: 4 });
    await vi.advanceTimersByTimeAsync(0);
    expect(get(s.outbox)).toEqual({});
    expect(storage.data.size).toBe(0);
  });

  it('resends the same id after a reconnect and never a second answer', async () => {
    const { s, ws } = await started();
    goLive(ws, [opened(3)], 3);
    s.answer(answer('revoke'));
    ws.drop(1006);
    expect(get(s.status)).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(100);
    const ws2 = FakeWS.last();
    expect(new URL(ws2.url).searchParams.get('after')).toBe('3');
    goLive(ws2, [], 3);
    expect(ws2.sentMessages().filter((m) => m.type === 'answer')).toEqual([{ type: 'answer', id: 'cid-1', decision: 'lock', option: 'revoke' }]);
    ws2.frame({ type: 'ack', id: 'cid-1', seq: 4, duplicate: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(get(s.outbox)).toEqual({});
  });

  it('keeps an answer given offline and sends it once live', async () => {
    const { s, ws } = await started();
    goLive(ws, [opened(3)], 3);
    ws.drop(1006);
    s.answer(answer('wait'));
    expect(get(s.outbox).lock.message).toMatch(/sent when the connection is back/);
    await vi.advanceTimersByTimeAsync(100);
    goLive(FakeWS.last(), [], 3);
    expect(FakeWS.last().sentMessages()).toEqual([{ type: 'answer', id: 'cid-1', decision: 'lock', option: 'wait' }]);
  });

  it('a revised answer replaces one still waiting: only the newest goes out', async () => {
    const { s, ws } = await started();
    goLive(ws, [opened(3)], 3);
    ws.drop(1006);
    s.answer(answer('revoke'));
    s.answer(answer('wait'));
    await vi.advanceTimersByTimeAsync(100);
    goLive(FakeWS.last(), [], 3);
    expect(FakeWS.last().sentMessages().map((m) => [m.id, m.option])).toEqual([['cid-2', 'wait']]);
  });

  it('survives a reload: the outbox is resubmitted with the same id', async () => {
    const first = await started();
    goLive(first.ws, [opened(3)], 3);
    first.s.answer(answer('revoke'));
    first.s.destroy(); // the page is reloaded before the ack
    FakeWS.all = [];
    const { ws } = await started();
    goLive(ws, [opened(3)], 3);
    expect(ws.sentMessages()).toEqual([{ type: 'answer', id: 'cid-1', decision: 'lock', option: 'revoke' }]);
  });

  it('shows a refusal and keeps the prompt usable', async () => {
    const { s, ws } = await started();
    goLive(ws, [opened(3)], 3);
    s.answer(answer('revoke'));
    ws.frame({ type: 'error', id: 'cid-1', code: 'decision_closed', message: 'decision is not open' });
    await vi.advanceTimersByTimeAsync(0);
    expect(get(s.outbox).lock).toMatchObject({ state: 'failed', message: 'decision is not open' });
    expect(storage.data.size).toBe(0); // a refused answer is not resent after a reload
  });

  it('uses the REST route, same id, when the socket never got through', async () => {
    api.answerRest.mockImplementation(() => Promise.resolve({ id: 'cid-1', seq: 9 }));
    const { s, ws } = await started();
    ws.drop(1006); // e.g. WebSockets blocked by a proxy
    s.answer(answer('revoke'));
    expect(api.answerRest).toHaveBeenCalledWith(participantSession, answer('revoke'), 'cid-1');
    await vi.advanceTimersByTimeAsync(0);
    expect(get(s.outbox)).toEqual({});
  });

  it('retries a REST answer that did not get through, with the same id', async () => {
    api.answerRest
      .mockImplementationOnce(() => Promise.reject(new ApiError(0, 'network', 'offline')))
      .mockImplementationOnce(() => Promise.resolve({ id: 'cid-1', seq: 9 }));
    const { s, ws } = await started();
    ws.drop(1006);
    s.answer(answer('revoke'));
    await vi.advanceTimersByTimeAsync(0);
    expect(get(s.outbox).lock.state).toBe('queued');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(api.answerRest).toHaveBeenCalledTimes(2);
    expect(api.answerRest.mock.calls.map((c) => c[2])).toEqual(['cid-1', 'cid-1']);
    expect(get(s.outbox)).toEqual({});
  });

  it('tracks the lead from the roster', async () => {
    const { s, ws } = await started();
    expect(get(s.lead)).toBe(false);
    goLive(ws, [wire.event(2, 'participant_joined', { participant: 'p1', team: 'soc', name: 'Alice', lead: false })], 2);
    expect(get(s.lead)).toBe(false);
    ws.frame(wire.event(5, 'lead_changed', { participant: 'p1', team: 'soc' }));
    expect(get(s.lead)).toBe(true);
    ws.frame(wire.event(6, 'participant_joined', { participant: 'p2', team: 'soc', name: 'Bo' }));
    ws.frame(wire.event(7, 'lead_changed', { participant: 'p2', team: 'soc' }));
    expect(get(s.lead)).toBe(false);
    expect(get(s.members).p2).toEqual({ id: 'p2', name: 'Bo', lead: true });
  });

  it('rebuilds the clock from the events every team sees', async () => {
    const { s, ws } = await started();
    vi.setSystemTime(Date.parse('2026-01-01T10:00:00Z'));
    goLive(
      ws,
      [wire.event(3, 'exercise_started', { speed: 2 }, 0, '2026-01-01T09:59:00Z')],
      3,
    );
    const c = get(s.clock)!;
    expect(c.rate).toBe(2);
    expect(c.serverNs).toBe(0);
    expect(c.localMs).toBe(Date.parse('2026-01-01T09:59:00Z'));
    ws.frame(wire.event(4, 'exercise_paused', {}, 120e9, '2026-01-01T10:00:00Z'));
    expect(get(s.clock)).toMatchObject({ rate: 0, serverNs: 120e9 });
  });

  it('seeds the clock from the server reading, correcting for the round trip', async () => {
    // Our wall clock is 10 s behind the server's; the GET takes 400 ms.
    vi.setSystemTime(Date.parse('2026-01-01T09:59:50Z'));
    api.playInfo.mockImplementation(async () => {
      await vi.advanceTimersByTimeAsync(400);
      return { ...playInfo, clock: { atNs: 300e9, speed: 2, status: 'running', serverTime: '2026-01-01T10:00:00.200000000Z' } };
    });
    const { s, ws } = await started();
    const local = Date.parse('2026-01-01T09:59:50Z');
    // The reading is placed half-way through the request, on our clock.
    expect(get(s.clock)).toEqual({ serverNs: 300e9, localMs: local + 200, rate: 2 });
    // The hello agrees within a second (it is one-way): the measured offset stays.
    ws.open();
    ws.frame(wire.hello('2026-01-01T10:00:00.900Z'));
    // The backlog replays clock events long before the reading: they change nothing.
    ws.frame(wire.event(3, 'exercise_started', { speed: 1 }, 0, '2026-01-01T09:50:00Z'));
    ws.frame(wire.event(4, 'speed_changed', { speed: 2 }, 60e9, '2026-01-01T09:51:00Z'));
    ws.frame(wire.live(4));
    expect(get(s.clock)).toEqual({ serverNs: 300e9, localMs: local + 200, rate: 2 });
    // A live pause moves it, placed by the measured offset.
    ws.frame(wire.event(5, 'exercise_paused', {}, 320e9, '2026-01-01T10:00:10.200Z'));
    expect(get(s.clock)).toEqual({ serverNs: 320e9, localMs: local + 10_200, rate: 0 });
  });

  it('takes the hello offset when the local clock was set since the reading', async () => {
    vi.setSystemTime(Date.parse('2026-01-01T10:00:00Z'));
    api.playInfo.mockImplementation(() => Promise.resolve({ ...playInfo, clock: { atNs: 0, speed: 1, status: 'paused', serverTime: '2026-01-01T10:00:00Z' } }));
    const { s, ws } = await started();
    expect(get(s.clock)).toEqual({ serverNs: 0, localMs: Date.parse('2026-01-01T10:00:00Z'), rate: 0 });
    // Our clock jumps 5 s back (a time sync); the hello shows it.
    vi.setSystemTime(Date.parse('2026-01-01T09:59:55Z'));
    ws.open();
    ws.frame(wire.hello('2026-01-01T10:00:00Z'));
    expect(get(s.clock)).toEqual({ serverNs: 0, localMs: Date.parse('2026-01-01T09:59:55Z'), rate: 0 });
  });

  it('has no clock in the lobby until the exercise starts', async () => {
    vi.setSystemTime(Date.parse('2026-01-01T10:00:00Z'));
    api.playInfo.mockImplementation(() => Promise.resolve({ ...playInfo, clock: { atNs: 0, speed: 1, status: 'lobby', serverTime: '2026-01-01T10:00:00Z' } }));
    const { s, ws } = await started();
    expect(get(s.clock)).toBeNull();
    goLive(ws, [], 2);
    ws.frame(wire.event(3, 'exercise_started', { speed: 3 }, 0, '2026-01-01T10:01:00Z'));
    expect(get(s.clock)).toEqual({ serverNs: 0, localMs: Date.parse('2026-01-01T10:01:00Z'), rate: 3 });
  });

  it('knows the exercise has not started, then runs, then is paused (the pill says Live only while it runs)', async () => {
    vi.setSystemTime(Date.parse('2026-01-01T10:00:00Z'));
    api.playInfo.mockImplementation(() => Promise.resolve({ ...playInfo, clock: { atNs: 0, speed: 1, status: 'lobby', serverTime: '2026-01-01T10:00:00Z' } }));
    const { s, ws } = await started();
    expect(get(s.phase)).toBe('lobby');
    goLive(ws, [], 2);
    expect(get(s.phase)).toBe('lobby');
    ws.frame(wire.event(3, 'exercise_started', { speed: 1 }, 0, '2026-01-01T10:01:00Z'));
    expect(get(s.phase)).toBe('running');
    ws.frame(wire.event(4, 'exercise_paused', {}, 60e9, '2026-01-01T10:02:00Z'));
    expect(get(s.phase)).toBe('paused');
  });

  it('knows how many of the team are online from the team presence frames', async () => {
    const { s, ws } = await started();
    expect(get(s.teamOnline)).toBeNull();
    goLive(ws, [], 1);
    ws.frame({ type: 'presence', teams: { soc: 3 } });
    expect(get(s.teamOnline)).toBe(3);
    // Another team's count, or a frame without ours, leaves it.
    ws.frame({ type: 'presence', teams: { comms: 7 } });
    ws.frame({ type: 'presence', changes: [{ participant: 'p2', team: 'soc', online: false }] });
    expect(get(s.teamOnline)).toBe(3);
    ws.frame({ type: 'presence', teams: { soc: 2 } });
    expect(get(s.teamOnline)).toBe(2);
    // Offline, the count is unknown until the server sends a new one.
    ws.drop(1006);
    expect(get(s.teamOnline)).toBeNull();
    await vi.advanceTimersByTimeAsync(100);
    goLive(FakeWS.last(), [], 1);
    expect(get(s.teamOnline)).toBeNull();
    FakeWS.last().frame({ type: 'presence', teams: { soc: 4 } });
    expect(get(s.teamOnline)).toBe(4);
  });

  it('stops at the outcome and shows it', async () => {
    const { s, ws } = await started();
    goLive(ws, [], 1);
    ws.frame(wire.event(9, 'outcome_reached', { kind: 'outcome_reached', outcome: 'contained', title: 'Contained', debrief: 'Well done', audience: ['*'] }));
    expect(get(s.feed).outcome).toMatchObject({ title: 'Contained', debrief: 'Well done' });
    expect(get(s.status)).toBe('ended');
    expect(ws.closedByClient).toBe(1000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWS.all).toHaveLength(1);
  });

  it('forgets the token when the participant is removed', async () => {
    const { s, ws } = await started();
    goLive(ws, [], 1);
    ws.drop(4502, 'removed from the exercise');
    expect(get(s.stopped)).toBe('removed');
    expect(api.forgetParticipant).toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWS.all).toHaveLength(1);
  });

  it('does not connect when the token is refused', async () => {
    api.playInfo.mockImplementation(() => Promise.reject(new ApiError(401, 'invalid_token', 'gone')));
    const s = newSession();
    await s.start();
    expect(FakeWS.all).toHaveLength(0);
    expect(get(s.fatal)).toBe('gone');
    expect(api.forgetParticipant).toHaveBeenCalled();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { get } from 'svelte/store';
import { ApiError, type PlayInfo } from './api';
import { createPlaySession, type PlaySession } from './participant';
import { FakeWS } from '../test/fakews';
import { fakeApi, participantSession, playInfo, wire, type FakeApi } from '../test/fakeapi';

// The participant p1 (Alice) starts in soc and is moved to comms while the
// socket is live.

const opened = (seq: number, decision: string, team: string) =>
  wire.event(seq, 'decision_opened', {
    kind: 'decision_opened',
    decision,
    team,
    prompt: `${decision}?`,
    options: [{ id: 'yes', label: 'Yes' }],
    mode: 'first',
    audience: [team],
  });

const inject = (seq: number, id: string, team: string) =>
  wire.event(seq, 'inject_delivered', { kind: 'inject_delivered', inject: id, channel: 'chat', body: `${id} body`, audience: [team] });

const joined = (seq: number, participant: string, name: string, team: string, lead = false) =>
  wire.event(seq, 'participant_joined', { participant, team, name, lead });

const chat = (seq: number, room: string, team: string, body: string) =>
  wire.event(seq, 'chat_posted', { room, participant: 'p2', name: 'Sol', team, body, client_id: `c${seq}`, audience: [team] });

const moveAlice = (seq: number, lead = false) =>
  wire.event(seq, 'participant_moved', { participant: 'p1', name: 'Alice', from: 'soc', to: 'comms', lead });

const commsInfo: PlayInfo = {
  ...playInfo,
  me: { id: 'p1', name: 'Alice', team: 'comms', lead: false },
  team: { id: 'comms', name: 'Communications', brief: 'You speak for us.' },
};

let api: FakeApi;
let sessions: PlaySession[] = [];

async function liveSoc(): Promise<{ s: PlaySession; ws: FakeWS }> {
  const s = createPlaySession(api, participantSession, { retryMs: 1_000 });
  sessions.push(s);
  await s.start();
  const ws = FakeWS.last();
  ws.open();
  ws.frame(wire.hello());
  for (const f of [joined(2, 'p1', 'Alice', 'soc', true), joined(3, 'p2', 'Sol', 'soc'), opened(5, 'lock', 'soc'), inject(6, 'soc_alert', 'soc'), chat(7, 'team:soc', 'soc', 'soc only')])
    ws.frame(f);
  ws.frame(wire.live(7));
  return { s, ws };
}

const decisionIds = (s: PlaySession) => get(s.feed).decisions.map((d) => d.decision.id);
const injectIds = (s: PlaySession) => get(s.feed).items.filter((i) => i.ev.kind === 'inject_delivered').map((i) => i.ev.inject?.id);

beforeEach(() => {
  FakeWS.all = [];
  api = fakeApi();
  sessions = [];
  vi.useFakeTimers();
});
afterEach(() => {
  for (const s of sessions) s.destroy();
  vi.useRealTimers();
});

describe('a move to another team', () => {
  it('keeps the socket, rebuilds the feed and roster from the new team’s history and says so', async () => {
    const { s, ws } = await liveSoc();
    expect(decisionIds(s)).toEqual(['lock']);
    expect(get(s.lead)).toBe(true);
    expect(Object.keys(get(s.world).chat)).toEqual(['team:soc']);

    let release: () => void = () => undefined;
    api.playInfo.mockImplementation(() => Promise.resolve(commsInfo));
    api.teamEvents.mockImplementation(
      (_sess: unknown, after: number) =>
        new Promise((resolve) => {
          release = () =>
            resolve(
              after === 0
                ? { events: [joined(4, 'p9', 'Cam', 'comms', true), chat(6, 'team:comms', 'comms', 'comms line'), opened(7, 'statement', 'comms'), inject(8, 'ops_chat', 'comms')], nextAfter: 8, more: true }
                : { events: [moveAlice(9)], nextAfter: 10, more: false },
            );
        }),
    );
    ws.frame(moveAlice(9));
    // What arrives while the history loads waits for it.
    ws.frame(inject(11, 'press_email', 'comms'));
    expect(injectIds(s)).toEqual(['soc_alert']);
    release();
    await vi.advanceTimersByTimeAsync(0);
    release();
    await vi.advanceTimersByTimeAsync(0);

    expect(api.teamEvents.mock.calls.map((c) => c[1])).toEqual([0, 8]);
    expect(FakeWS.all).toHaveLength(1); // no reconnect
    expect(get(s.status)).toBe('live');
    expect(decisionIds(s)).toEqual(['statement']);
    expect(injectIds(s)).toEqual(['ops_chat', 'press_email']);
    expect(get(s.info)?.team.name).toBe('Communications');
    // The old team's room is gone from the page; the new team's history is there.
    expect(Object.keys(get(s.world).chat)).toEqual(['team:comms']);
    expect(get(s.world).chat['team:comms'].map((l) => l.body)).toEqual(['comms line']);
    expect(get(s.members)).toEqual({
      p1: { id: 'p1', name: 'Alice', lead: false },
      p9: { id: 'p9', name: 'Cam', lead: true },
    });
    expect(get(s.lead)).toBe(false);
    expect(get(s.moved)).toEqual({ from: 'soc', to: 'comms', toName: 'Communications', complete: true });
    // The team count now is the new team's.
    ws.frame({ type: 'presence', teams: { comms: 2, soc: 1 } });
    expect(get(s.teamOnline)).toBe(2);
    s.dismissMove();
    expect(get(s.moved)).toBeNull();
  });

  it('tries again, and goes on with a partial view when the history cannot be loaded', async () => {
    const { s, ws } = await liveSoc();
    api.teamEvents.mockImplementation(() => Promise.reject(new ApiError(0, 'network', 'offline')));
    ws.frame(moveAlice(9));
    ws.frame(inject(10, 'press_email', 'comms'));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(api.teamEvents).toHaveBeenCalledTimes(3);
    expect(get(s.moved)).toMatchObject({ to: 'comms', complete: false });
    expect(injectIds(s)).toEqual(['soc_alert', 'press_email']);
    expect(FakeWS.all).toHaveLength(1);
  });

  it('a teammate moved away leaves the roster; one moved in joins it', async () => {
    const { s, ws } = await liveSoc();
    ws.frame(wire.event(9, 'participant_moved', { participant: 'p2', name: 'Sol', from: 'soc', to: 'comms' }));
    ws.frame(wire.event(10, 'participant_moved', { participant: 'p7', name: 'Vic', from: 'comms', to: 'soc' }));
    expect(get(s.members)).toEqual({
      p1: { id: 'p1', name: 'Alice', lead: true },
      p7: { id: 'p7', name: 'Vic', lead: false },
    });
    expect(api.teamEvents).not.toHaveBeenCalled();
    expect(get(s.moved)).toBeNull();
  });

  it('a replayed move to the team the page already shows changes nothing', async () => {
    api.playInfo.mockImplementation(() => Promise.resolve(commsInfo));
    const s = createPlaySession(api, { ...participantSession, team: 'comms' });
    sessions.push(s);
    await s.start();
    const ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    ws.frame(moveAlice(9));
    ws.frame(wire.live(9));
    expect(api.teamEvents).not.toHaveBeenCalled();
    expect(get(s.moved)).toBeNull();
  });
});

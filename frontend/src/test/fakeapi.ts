// An Api for tests: REST calls are vi.fn()s a test can script, and connect()
// builds the real socket client over FakeWS, so page tests exercise the
// same wiring as the browser with the test playing the server.

import { vi } from 'vitest';
import { offlineApi, type Api, type ObserverSession, type ParticipantSession, type PlayInfo } from '../lib/api';
import { createSocket } from '../lib/socket';
import { FakeWS } from './fakews';

export const participantSession: ParticipantSession = {
  role: 'participant',
  token: 'p.' + 'a'.repeat(43),
  exercise: 'ex1',
  title: 'Hijacked account',
  participant: 'p1',
  name: 'Alice',
  team: 'soc',
  lead: false,
};

export const observerSession: ObserverSession = {
  role: 'observer',
  token: 'o.' + 'b'.repeat(43),
  exercise: 'ex1',
  observer: 'ob1',
  name: 'Olga',
};

export const playInfo: PlayInfo = {
  exercise: { id: 'ex1', title: 'Hijacked account', status: 'running', outcome: '' },
  me: { id: 'p1', name: 'Alice', team: 'soc', lead: false },
  team: { id: 'soc', name: 'Security Operations', brief: 'You run the **SOC**.' },
  teams: [
    { id: 'comms', name: 'Communications' },
    { id: 'soc', name: 'Security Operations' },
  ],
  // No reading: the clock comes from the events (a test scripts one when it needs it).
  clock: null,
};

export type FakeApi = Api & {
  /** What participant() answers from now on (as a real join stores it). */
  setParticipant(s: ParticipantSession | null): void;
} & {
  [K in 'lookupCode' | 'join' | 'playInfo' | 'teamEvents' | 'answerRest' | 'noteRest' | 'observeInfo' | 'useObserverToken' | 'forgetParticipant' | 'forgetObserver']: ReturnType<typeof vi.fn>;
};

export function fakeApi(opts: { participant?: ParticipantSession | null; observer?: ObserverSession | null } = {}): FakeApi {
  let participant = opts.participant === undefined ? participantSession : opts.participant;
  let observer = opts.observer === undefined ? null : opts.observer;
  const api = {
    ...offlineApi,
    lookupCode: vi.fn(() => Promise.reject(new Error('not scripted'))),
    join: vi.fn(() => Promise.reject(new Error('not scripted'))),
    participant: () => participant,
    setParticipant: (p: ParticipantSession | null) => {
      participant = p;
    },
    forgetParticipant: vi.fn(() => {
      participant = null;
    }),
    playInfo: vi.fn(() => Promise.resolve(playInfo)),
    teamEvents: vi.fn(() => Promise.reject(new Error('not scripted'))),
    observer: () => observer,
    forgetObserver: vi.fn(() => {
      observer = null;
    }),
    useObserverToken: vi.fn((t: string) => {
      observer = { ...observerSession, token: t };
      return Promise.resolve(observer);
    }),
    observeInfo: vi.fn(() => Promise.reject(new Error('not scripted'))),
    connect: (s, h) =>
      createSocket({
        ...h,
        exercise: s.exercise,
        token: s.token,
        WebSocket: FakeWS,
        base: { protocol: 'http:', host: 'example.test' },
        random: () => 0.5,
        backoff: { initialMs: 100, maxMs: 1000 },
      }),
    answerRest: vi.fn(() => Promise.reject(new Error('not scripted'))),
    noteRest: vi.fn(() => Promise.reject(new Error('not scripted'))),
  } as Api & { setParticipant(s: ParticipantSession | null): void } as FakeApi;
  return api;
}

/** Wire frames as the server sends them. */
export const wire = {
  event(seq: number, kind: string, payload: Record<string, unknown>, at = 0, wall = '2026-01-01T10:00:00Z') {
    return { type: 'event', seq, kind, at, wall_time: wall, payload };
  },
  hello(serverTime = '2026-01-01T10:00:00Z') {
    return { type: 'hello', protocol: 'ttx.v1', after: 0, server_time: serverTime };
  },
  live(lastSeq: number) {
    return { type: 'live', last_seq: lastSeq };
  },
};

// What the participant and observer pages need from the server, behind one
// interface so that pages and tests can swap the implementation. Pages get
// the Api from the app context, never import a client. `httpApi` is the
// live client (REST under /api, the WebSocket in socket.ts); `offlineApi`
// answers every call with a clear "not connected" (the gallery, tests).
//
// REST shapes (server/api): participant and observer tokens are bearer
// tokens; requests and errors go through the one layer of lib/http.ts.

import type { JoinForm } from './join';
import { ApiError, createRequester, defaultMessage, type Fetch, type Refusal } from './http';
import { createSocket, type Ack, type LiveSocket, type SocketOptions } from './socket';

/** A team's answer to a decision, as the prompt submits it. */
export interface AnswerSubmission {
  decision: string;
  option: string;
  text: string;
  confidence: number | null;
  rationale: string;
}

export interface TeamOption {
  id: string;
  name: string;
}

/** What a join code opens. */
export interface ExerciseInfo {
  id: string;
  title: string;
  status: string;
  teams: TeamOption[];
}

/** A participant's credentials and who they are, kept across reloads. */
export interface ParticipantSession {
  role: 'participant';
  token: string;
  exercise: string;
  title: string;
  participant: string;
  name: string;
  team: string;
  lead: boolean;
}

/** An observer's credentials. */
export interface ObserverSession {
  role: 'observer';
  token: string;
  exercise: string;
  observer: string;
  name: string;
}

export interface ExerciseSummary {
  id: string;
  title: string;
  /** lobby | running | paused | ended */
  status: string;
  outcome: string;
}

/** The exercise clock as the server read it for a participant. */
export interface PlayClock {
  /** Exercise clock (ns) at serverTime. */
  atNs: number;
  speed: number;
  /** lobby | running | paused | ended */
  status: string;
  /** The server's wall time of the reading, RFC 3339 as sent. */
  serverTime: string;
}

/** An outlet the team may publish on (or approves for). */
export interface WorldOutlet {
  id: string;
  name: string;
  /** social | news | status | email */
  channel: string;
  platform: string;
  /** '' (none), a team id, or 'lead'. */
  approval: string;
  /** Teams that may draft and publish on it. */
  teams: string[];
}

/** A persona the team may start a new message to. */
export interface WorldPersona {
  id: string;
  name: string;
  /** email | chat | ticket | phone */
  via: string;
}

/**
 * What the scenario lets the participant's team do in the world (issue #18):
 * its outlets, the personas it may write to, its declared chat lines and the
 * injects it may reply to. Empty lists from a server that does not say; the
 * server decides in every case.
 */
export interface WorldInfo {
  outlets: WorldOutlet[];
  personas: WorldPersona[];
  /** Teams with a declared chat line to this one. */
  lines: string[];
  /** Inject ids that take replies from this team. */
  replies: string[];
}

export const emptyWorldInfo: WorldInfo = { outlets: [], personas: [], lines: [], replies: [] };

/** GET /api/exercises/:id as a participant. */
export interface PlayInfo {
  exercise: ExerciseSummary;
  me: { id: string; name: string; team: string; lead: boolean };
  team: { id: string; name: string; brief: string };
  teams: TeamOption[];
  /** Null from a server that does not send it. */
  clock: PlayClock | null;
  /** Absent from a server that does not send it. */
  world?: WorldInfo;
}

/** One page of GET /api/exercises/:id/events: wire event frames, oldest first. */
export interface EventPage {
  events: unknown[];
  /** The seq to continue after. */
  nextAfter: number;
  more: boolean;
}

export interface ParticipantInfo {
  id: string;
  name: string;
  team: string;
  lead: boolean;
}

/** GET /api/exercises/:id as an observer. */
export interface ObserveInfo {
  exercise: ExerciseSummary;
  teams: TeamOption[];
  participants: ParticipantInfo[];
  /** The exercise clock (ns) when the server answered, its speed and whether it runs. */
  clockNs: number;
  speed: number;
  /** Every objective of the scenario, by title, for tagging notes. */
  objectives?: ObjectiveOption[];
}

export interface ObjectiveOption {
  id: string;
  title: string;
}

export type ConnectionStatus = 'offline' | 'connecting' | 'live' | 'reconnecting' | 'ended';

/** The handlers a page gives when it opens the live connection. */
export type LiveHandlers = Omit<SocketOptions, 'exercise' | 'token' | 'checkAuth' | 'WebSocket' | 'base' | 'window'>;

export interface Api {
  /** Look up a join code: the exercise title and its teams. */
  lookupCode(code: string): Promise<ExerciseInfo>;
  /** Join; the session is stored and returned. */
  join(form: JoinForm): Promise<ParticipantSession>;
  /** The stored participant session, if any. */
  participant(): ParticipantSession | null;
  /** Forget the stored participant session (leave this device). */
  forgetParticipant(): void;
  playInfo(s: ParticipantSession): Promise<PlayInfo>;
  /** GET /api/exercises/:id/events after a seq: one page of the log as the participant's team sees it now. */
  teamEvents(s: ParticipantSession, after: number): Promise<EventPage>;

  /** Check an observer token and store it. */
  useObserverToken(token: string): Promise<ObserverSession>;
  observer(): ObserverSession | null;
  forgetObserver(): void;
  observeInfo(s: ObserverSession): Promise<ObserveInfo>;

  /** A live socket for the session; the caller starts and closes it. */
  connect(s: ParticipantSession | ObserverSession, h: LiveHandlers): LiveSocket;
  /** POST /api/exercises/:id/answers: the REST path for an answer, same idempotency key. */
  answerRest(s: ParticipantSession, a: AnswerSubmission, clientId: string): Promise<Ack>;
  /** POST /api/exercises/:id/notes. */
  noteRest(s: ObserverSession, n: NoteSubmission): Promise<Ack>;
  /** GET /api/exercises/:id/evaluation: the value of `evaluation` (lib/evaluation.ts adapts it). */
  evaluation(s: ObserverSession): Promise<unknown>;
  /** POST /api/exercises/:id/ratings: the REST path of the `rate` message. */
  rateRest(s: ObserverSession, body: Record<string, unknown>): Promise<Ack>;
}

export interface NoteSubmission {
  text: string;
  team: string;
  objective: string;
}

/** The body of an answer, without empty optional fields (the server refuses confidence 0). */
export function answerBody(a: AnswerSubmission): Record<string, unknown> {
  const b: Record<string, unknown> = { decision: a.decision };
  if (a.option) b.option = a.option;
  if (a.text.trim()) b.text = a.text.trim();
  if (a.confidence !== null && a.confidence >= 1 && a.confidence <= 5) b.confidence = Math.round(a.confidence);
  if (a.rationale.trim()) b.rationale = a.rationale.trim();
  return b;
}

export function noteBody(n: NoteSubmission): Record<string, unknown> {
  const b: Record<string, unknown> = { text: n.text.trim() };
  if (n.team) b.team = n.team;
  if (n.objective) b.objective = n.objective;
  return b;
}

// One error type for every request of the UI (lib/http.ts).
export { ApiError };

export class NotConnectedError extends Error {
  constructor() {
    super('This page is not connected to an exercise server yet.');
    this.name = 'NotConnectedError';
  }
}

const notConnected = () => Promise.reject(new NotConnectedError());

export const offlineApi: Api = {
  lookupCode: notConnected,
  join: notConnected,
  participant: () => null,
  forgetParticipant: () => undefined,
  playInfo: notConnected,
  teamEvents: notConnected,
  useObserverToken: notConnected,
  observer: () => null,
  forgetObserver: () => undefined,
  observeInfo: notConnected,
  connect: (_s, h) => {
    // A socket that never connects: its status is closed at once.
    let started = false;
    return {
      start() {
        if (!started) {
          started = true;
          h.onStatus?.('closed', { reason: 'offline' });
        }
      },
      request: () => Promise.reject(new NotConnectedError()),
      cancel: () => undefined,
      close: () => undefined,
      retryNow: () => undefined,
      status: () => 'closed',
      pendingIds: () => [],
    };
  },
  answerRest: notConnected,
  noteRest: notConnected,
  evaluation: notConnected,
  rateRest: notConnected,
};

// --- the live client -------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const s = (o: Obj, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
const n = (o: Obj, k: string): number => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : 0);
const obj = (o: Obj, k: string): Obj => (isObj(o[k]) ? (o[k] as Obj) : {});
const list = (o: Obj, k: string): Obj[] => (Array.isArray(o[k]) ? (o[k] as unknown[]).filter(isObj) : []);

function teamsOf(o: Obj, k: string): TeamOption[] {
  // store.Team has no JSON tags in snapshots ("ID", "Name"); accept both spellings.
  return list(o, k)
    .map((t) => ({ id: s(t, 'id') || s(t, 'ID'), name: s(t, 'name') || s(t, 'Name') }))
    .filter((t) => t.id !== '')
    .map((t) => ({ id: t.id, name: t.name || t.id }));
}

const strs = (o: Obj, k: string): string[] => (Array.isArray(o[k]) ? (o[k] as unknown[]).filter((x): x is string => typeof x === 'string' && x !== '') : []);

/** The `world` object of the participant's GET, read defensively. */
export function worldInfoOf(w: Obj): WorldInfo {
  return {
    outlets: list(w, 'outlets')
      .map((o) => ({ id: s(o, 'id'), name: s(o, 'name') || s(o, 'id'), channel: s(o, 'channel'), platform: s(o, 'platform'), approval: s(o, 'approval'), teams: strs(o, 'teams') }))
      .filter((o) => o.id !== ''),
    personas: list(w, 'personas')
      .map((p) => ({ id: s(p, 'id'), name: s(p, 'name') || s(p, 'id'), via: s(p, 'via') || 'email' }))
      .filter((p) => p.id !== ''),
    lines: strs(w, 'lines'),
    replies: strs(w, 'replies'),
  };
}

function summaryOf(e: Obj): ExerciseSummary {
  return { id: s(e, 'id'), title: s(e, 'title'), status: s(e, 'status'), outcome: s(e, 'outcome') };
}

/** What participants and observers see for an error: the server's own words, plus advice where it helps. */
function messageFor(r: Refusal): string {
  switch (r.code) {
    case 'bad_code':
      return 'No exercise is open with this code. Check it with your facilitator.';
    case 'rate_limited':
      return `Too many attempts from this network. Wait ${r.retryAfter ? `${r.retryAfter} seconds` : 'a minute'} and try again.`;
    case 'invalid_token':
    case 'unauthenticated':
      return 'Your access to this exercise is no longer valid. Join again with the code.';
  }
  return defaultMessage(r);
}

export interface HttpApiOptions {
  fetch?: Fetch;
  storage?: Storage | null;
  location?: { protocol: string; host: string };
  WebSocket?: SocketOptions['WebSocket'];
  window?: SocketOptions['window'];
}

const PARTICIPANT_KEY = 'ttx.participant';
const OBSERVER_KEY = 'ttx.observer';
const TOKEN_RE = /^[po]\.[A-Za-z0-9_-]{43}$/;

function load<T>(storage: Storage | null, key: string, check: (v: Obj) => T | null): T | null {
  try {
    const raw = storage?.getItem(key);
    if (!raw) return null;
    const v: unknown = JSON.parse(raw);
    return isObj(v) ? check(v) : null;
  } catch {
    return null;
  }
}

function save(storage: Storage | null, key: string, v: unknown): void {
  try {
    if (v === null) storage?.removeItem(key);
    else storage?.setItem(key, JSON.stringify(v));
  } catch {
    // Private mode or a full quota: the session lasts as long as the page.
  }
}

function checkParticipant(v: Obj): ParticipantSession | null {
  const token = s(v, 'token');
  if (!TOKEN_RE.test(token) || !token.startsWith('p.') || !s(v, 'exercise')) return null;
  return {
    role: 'participant',
    token,
    exercise: s(v, 'exercise'),
    title: s(v, 'title'),
    participant: s(v, 'participant'),
    name: s(v, 'name'),
    team: s(v, 'team'),
    lead: v['lead'] === true,
  };
}

function checkObserver(v: Obj): ObserverSession | null {
  const token = s(v, 'token');
  if (!TOKEN_RE.test(token) || !token.startsWith('o.') || !s(v, 'exercise')) return null;
  return { role: 'observer', token, exercise: s(v, 'exercise'), observer: s(v, 'observer'), name: s(v, 'name') };
}

/** The live client over fetch and WebSocket. */
export function httpApi(o: HttpApiOptions = {}): Api {
  const request = createRequester({ fetch: o.fetch, message: messageFor });
  const storage = o.storage ?? null;
  let participant = load(storage, PARTICIPANT_KEY, checkParticipant);
  let observer = load(storage, OBSERVER_KEY, checkObserver);

  async function call(method: string, path: string, body?: unknown, token?: string): Promise<Obj> {
    const data = await request(method, path, { body, token });
    return isObj(data) ? data : {};
  }

  const exPath = (id: string) => `/api/exercises/${encodeURIComponent(id)}`;

  return {
    async lookupCode(code) {
      const d = await call('POST', '/api/join/lookup', { code });
      return { id: s(d, 'exercise_id'), title: s(d, 'title'), status: s(d, 'status'), teams: teamsOf(d, 'teams') };
    },
    async join(form) {
      const d = await call('POST', '/api/join', { code: form.code, name: form.name, team: form.team });
      const p = obj(d, 'participant');
      const ex = obj(d, 'exercise');
      const sess: ParticipantSession = {
        role: 'participant',
        token: s(d, 'token'),
        exercise: s(p, 'exercise_id') || s(ex, 'exercise_id'),
        title: s(ex, 'title'),
        participant: s(p, 'id'),
        name: s(p, 'name'),
        team: s(p, 'team'),
        lead: p['lead'] === true,
      };
      if (!sess.token || !sess.exercise) throw new ApiError(500, 'bad_response', 'The server sent an unexpected answer.');
      participant = sess;
      save(storage, PARTICIPANT_KEY, sess);
      return sess;
    },
    participant: () => participant,
    forgetParticipant() {
      participant = null;
      save(storage, PARTICIPANT_KEY, null);
    },
    async playInfo(sess) {
      const d = await call('GET', exPath(sess.exercise), undefined, sess.token);
      const me = obj(d, 'me');
      const team = obj(d, 'team');
      const clock = obj(d, 'clock');
      const info: PlayInfo = {
        exercise: summaryOf(obj(d, 'exercise')),
        me: { id: s(me, 'id'), name: s(me, 'name'), team: s(me, 'team'), lead: me['lead'] === true },
        team: { id: s(team, 'id'), name: s(team, 'name'), brief: s(team, 'brief') },
        teams: teamsOf(d, 'teams'),
        clock: s(clock, 'server_time') && s(clock, 'status')
          ? { atNs: n(clock, 'at'), speed: n(clock, 'speed'), status: s(clock, 'status'), serverTime: s(clock, 'server_time') }
          : null,
        world: worldInfoOf(obj(d, 'world')),
      };
      if (participant && participant.token === sess.token) {
        participant = { ...participant, title: info.exercise.title || participant.title, team: info.me.team || participant.team, lead: info.me.lead };
        save(storage, PARTICIPANT_KEY, participant);
      }
      return info;
    },
    async teamEvents(sess, after) {
      const d = await call('GET', `${exPath(sess.exercise)}/events?after=${Math.max(0, Math.floor(after))}&limit=1000`, undefined, sess.token);
      return { events: Array.isArray(d['events']) ? d['events'] : [], nextAfter: n(d, 'next_after'), more: d['more'] === true };
    },
    async useObserverToken(token) {
      const t = token.trim();
      if (!TOKEN_RE.test(t) || !t.startsWith('o.')) throw new ApiError(400, 'bad_token', 'This is not an observer link or token.');
      const me = await call('GET', '/api/me', undefined, t);
      if (s(me, 'role') !== 'observer') throw new ApiError(403, 'forbidden', 'This is not an observer link or token.');
      observer = { role: 'observer', token: t, exercise: s(me, 'exercise_id'), observer: s(me, 'id'), name: s(me, 'name') };
      save(storage, OBSERVER_KEY, observer);
      return observer;
    },
    observer: () => observer,
    forgetObserver() {
      observer = null;
      save(storage, OBSERVER_KEY, null);
    },
    async observeInfo(sess) {
      const d = await call('GET', exPath(sess.exercise), undefined, sess.token);
      const snap = obj(d, 'snapshot');
      return {
        exercise: summaryOf(obj(d, 'exercise')),
        teams: teamsOf(snap, 'teams'),
        participants: list(snap, 'participants').map((p) => ({ id: s(p, 'id'), name: s(p, 'name'), team: s(p, 'team'), lead: p['lead'] === true })),
        clockNs: n(snap, 'clock'),
        speed: n(snap, 'speed'),
        objectives: list(d, 'objectives')
          .map((o) => ({ id: s(o, 'id'), title: s(o, 'title') || s(o, 'id') }))
          .filter((o) => o.id !== ''),
      };
    },
    connect(sess, h) {
      return createSocket({
        ...h,
        exercise: sess.exercise,
        token: sess.token,
        WebSocket: o.WebSocket,
        base: o.location,
        window: o.window,
        // A refused upgrade looks like a network error to the page; /api/me
        // tells the two apart (401 = the token is gone).
        checkAuth: async () => {
          try {
            await call('GET', '/api/me', undefined, sess.token);
            return true;
          } catch (e) {
            if (e instanceof ApiError && e.status === 401) return false;
            throw e;
          }
        },
      });
    },
    async answerRest(sess, a, clientId) {
      const d = await call('POST', `${exPath(sess.exercise)}/answers`, { ...answerBody(a), client_id: clientId }, sess.token);
      const ack: Ack = { id: s(d, 'client_id') || clientId, seq: n(d, 'seq') };
      if (d['duplicate'] === true) ack.duplicate = true;
      return ack;
    },
    async noteRest(sess, note) {
      const d = await call('POST', `${exPath(sess.exercise)}/notes`, noteBody(note), sess.token);
      return { id: '', seq: n(d, 'seq') };
    },
    async evaluation(sess) {
      const d = await call('GET', `${exPath(sess.exercise)}/evaluation`, undefined, sess.token);
      return d['evaluation'] ?? null;
    },
    async rateRest(sess, body) {
      const d = await call('POST', `${exPath(sess.exercise)}/ratings`, body, sess.token);
      return { id: '', seq: n(d, 'seq') };
    },
  };
}

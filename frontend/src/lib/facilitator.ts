// The facilitator's HTTP client: sessions, the scenario library, exercises
// and the commands of the live console. Same-origin fetches with the session
// cookie; the server refuses cross-origin state changes by the browser's
// Sec-Fetch-Site / Origin headers, which a same-origin fetch sends on its
// own, so no token needs to travel with the requests.
//
// Every response is adapted here into typed view models, defensively (a
// field of the wrong type reads as missing), so pages never touch wire JSON.

import { adaptPresenceChange, adaptPresenceFrame, type PresenceBatch, type PresenceChange } from './events';
import { scheduledOfSnapshot, type ScheduledInject, type Timing } from './schedule';
import { paramConstraints } from './param-form';
import { ApiError, browserFetch, createRequester, type Fetch } from './http';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(o: Obj, k: string): string {
  const v = o[k];
  return typeof v === 'string' ? v : '';
}
function num(o: Obj, k: string): number {
  const v = o[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
function optNum(o: Obj, k: string): number | null {
  const v = o[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function bool(o: Obj, k: string): boolean {
  return o[k] === true;
}
function list(o: Obj, k: string): unknown[] {
  const v = o[k];
  return Array.isArray(v) ? v : [];
}
function strs(o: Obj, k: string): string[] {
  return list(o, k).filter((x): x is string => typeof x === 'string');
}
function obj(o: Obj, k: string): Obj {
  const v = o[k];
  return isObj(v) ? v : {};
}
/** A field that some server structs spell in Go's default (capitalised) form. */
function strEither(o: Obj, ...keys: string[]): string {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string' && v) return v;
  }
  return '';
}

// One error type for every request of the UI (lib/http.ts): status, code,
// message, details (positioned scenario problems…) and retryAfter.
export { ApiError };

/** A positioned scenario problem: file:line:col: message — hint. */
export interface ScenarioProblem {
  file: string;
  line: number;
  col: number;
  message: string;
  hint: string;
}

export function adaptProblems(v: unknown): ScenarioProblem[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObj).map((e) => ({
    file: str(e, 'file'),
    line: num(e, 'line'),
    col: num(e, 'col'),
    message: str(e, 'message'),
    hint: str(e, 'hint'),
  }));
}

/** "file:line:col: message — hint", as editors and terminals show it. */
export function formatProblem(p: ScenarioProblem): string {
  const pos = p.line > 0 ? `:${p.line}:${Math.max(p.col, 1)}` : '';
  return `${p.file}${pos}: ${p.message}${p.hint ? ` — ${p.hint}` : ''}`;
}

export interface Me {
  role: string;
  name: string;
  mustChangePassword: boolean;
}

export interface TeamRef {
  id: string;
  name: string;
}

export interface ParamInfo {
  id: string;
  label: string;
  default: string;
  description: string;
  /** 'string' (text), 'number' or 'bool' (yes/no); constraints follow. */
  type?: 'string' | 'number' | 'bool';
  min?: number | null;
  max?: number | null;
  pattern?: string;
  choices?: string[];
}

export interface ScenarioEntry {
  id: string;
  file: string;
  origin: string;
  valid: boolean;
  problems: ScenarioProblem[];
  title: string;
  summary: string;
  minutes: number;
  tags: string[];
  teams: TeamRef[];
  params: ParamInfo[];
  uploadedAt: string;
}

export function adaptEntry(v: unknown): ScenarioEntry {
  const e = isObj(v) ? v : {};
  return {
    id: str(e, 'id'),
    file: str(e, 'file'),
    origin: str(e, 'origin'),
    valid: bool(e, 'valid'),
    problems: adaptProblems(e['errors']),
    title: str(e, 'title'),
    summary: str(e, 'summary'),
    minutes: num(e, 'duration_minutes'),
    tags: strs(e, 'tags'),
    teams: list(e, 'teams').filter(isObj).map((t) => ({ id: str(t, 'id'), name: str(t, 'name') || str(t, 'id') })),
    params: list(e, 'parameters')
      .filter(isObj)
      .map((p) => ({ id: str(p, 'id'), label: str(p, 'label'), default: str(p, 'default'), description: str(p, 'description'), ...paramConstraints(p) })),
    uploadedAt: str(e, 'uploaded_at'),
  };
}

export interface JoinInfo {
  code: string;
  display: string;
  url: string;
}

export type ExerciseStatus = 'lobby' | 'running' | 'paused' | 'ended' | '';

export interface ExerciseInfo {
  id: string;
  title: string;
  status: ExerciseStatus;
  outcome: string;
  params: Record<string, string>;
  join: JoinInfo | null;
  createdAt: string;
  startedAt: string;
  endedAt: string;
  /** Hidden from the default list. */
  archived: boolean;
}

function status(v: string): ExerciseStatus {
  return v === 'lobby' || v === 'running' || v === 'paused' || v === 'ended' ? v : '';
}

export function adaptExercise(v: unknown): ExerciseInfo {
  const e = isObj(v) ? v : {};
  const j = e['join'];
  const params: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(e, 'params'))) if (typeof x === 'string') params[k] = x;
  return {
    id: str(e, 'id'),
    title: str(e, 'title'),
    status: status(str(e, 'status')),
    outcome: str(e, 'outcome'),
    params,
    join: isObj(j) && str(j, 'code') ? { code: str(j, 'code'), display: str(j, 'display') || str(j, 'code'), url: str(j, 'url') } : null,
    createdAt: str(e, 'created_at'),
    startedAt: str(e, 'started_at'),
    endedAt: str(e, 'ended_at'),
    archived: bool(e, 'archived'),
  };
}

/**
 * The link participants open. The server's link honours its configured
 * public address (the facilitator may be on localhost while the room uses
 * the LAN name), so it wins; otherwise the join route on this origin.
 */
export function joinLink(join: JoinInfo, origin: string): string {
  if (/^https?:\/\//i.test(join.url)) return join.url;
  return `${origin}/join/${encodeURIComponent(join.code)}`;
}

export interface Participant {
  id: string;
  team: string;
  name: string;
  lead: boolean;
  present: boolean;
}

export interface SnapshotAnswer {
  participant: string;
  name: string;
  option: string;
  text: string;
  atNs: number;
  responseNs: number;
}

export interface SnapshotDecision {
  id: string;
  team: string;
  openedAtNs: number;
  closesAtNs: number | null;
  answers: SnapshotAnswer[];
}

export interface VarNow {
  id: string;
  value: string | number | boolean | null;
  visible: boolean;
}

/** What GET /api/exercises/:id tells a facilitator about the live state. */
export interface Snapshot {
  status: ExerciseStatus;
  speed: number;
  clockNs: number;
  lastSeq: number;
  teams: TeamRef[];
  participants: Participant[];
  decisions: SnapshotDecision[];
  state: string;
  enteredAtNs: number;
  vars: VarNow[];
  visited: string[];
  nextDueNs: number | null;
  started: boolean;
  done: boolean;
  outcome: string;
  rating: string;
  /** Ad-hoc injects waiting for their time, in due order. */
  scheduled: ScheduledInject[];
}

/** One participant's presence (an entry of `online`, or of a presence frame's `changes`). */
export type Presence = PresenceChange;

/** An entry of the `online` list of GET /api/exercises/:id. */
export const adaptPresence = adaptPresenceChange;

/** A live presence frame: the participants that changed and the teams' new online counts. */
export type { PresenceBatch };

/** A presence frame from the socket, or null for any other frame. */
export const adaptPresenceBatch = adaptPresenceFrame;

function varValue(v: unknown): VarNow['value'] {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) ? v : null;
}

export function adaptSnapshot(v: unknown): Snapshot {
  const s = isObj(v) ? v : {};
  const sim = obj(s, 'sim');
  const next = optNum(sim, 'next_due');
  return {
    status: status(str(s, 'status')),
    speed: num(s, 'speed') || 1,
    clockNs: num(s, 'clock'),
    lastSeq: num(s, 'last_seq'),
    // store.Team has no JSON tags on the server, so accept ID/Name too.
    teams: list(s, 'teams')
      .filter(isObj)
      .map((t) => ({ id: strEither(t, 'id', 'ID'), name: strEither(t, 'name', 'Name', 'id', 'ID') })),
    participants: list(s, 'participants')
      .filter(isObj)
      .map((p) => ({ id: str(p, 'id'), team: str(p, 'team'), name: str(p, 'name'), lead: bool(p, 'lead'), present: bool(p, 'present') })),
    decisions: list(s, 'decisions')
      .filter(isObj)
      .map((d) => {
        const closes = optNum(d, 'closes_at');
        return {
          id: str(d, 'id'),
          team: str(d, 'team'),
          openedAtNs: num(d, 'opened_at'),
          closesAtNs: closes && closes > 0 ? closes : null,
          answers: list(d, 'answers')
            .filter(isObj)
            .map((a) => ({
              participant: str(a, 'participant'),
              name: str(a, 'name'),
              option: str(a, 'option'),
              text: str(a, 'text'),
              atNs: num(a, 'at'),
              responseNs: num(a, 'response_time'),
            })),
        };
      }),
    state: str(sim, 'state'),
    enteredAtNs: num(sim, 'entered_at'),
    vars: list(sim, 'vars')
      .filter(isObj)
      .map((x) => ({ id: str(x, 'id'), value: varValue(x['value']), visible: bool(x, 'visible') })),
    visited: strs(sim, 'visited'),
    nextDueNs: next && next > 0 ? next : null,
    started: bool(sim, 'started'),
    done: bool(sim, 'done'),
    outcome: str(sim, 'outcome'),
    rating: str(sim, 'rating'),
    scheduled: scheduledOfSnapshot(s),
  };
}

export interface ExerciseDetail {
  exercise: ExerciseInfo;
  snapshot: Snapshot;
  online: Presence[];
}

export interface ObserverInfo {
  id: string;
  name: string;
  createdAt: string;
  revoked: boolean;
}

export interface NewObserver {
  observer: ObserverInfo;
  url: string;
}

function adaptObserver(v: unknown): ObserverInfo {
  const o = isObj(v) ? v : {};
  return { id: str(o, 'id'), name: str(o, 'name'), createdAt: str(o, 'created_at'), revoked: bool(o, 'revoked') };
}

export interface EventPage {
  events: unknown[];
  nextAfter: number;
  more: boolean;
}

export interface AdHocInject {
  channel: string;
  teams: string[];
  from: string;
  title: string;
  body: string;
}

export type Command =
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'skip' }
  | { type: 'speed'; speed: number }
  | { type: 'inject'; inject: AdHocInject }
  /** An ad-hoc inject sent later: at an exercise time, or in a delay (ns). */
  | { type: 'schedule-inject'; inject: AdHocInject; timing: Timing }
  | { type: 'cancel-scheduled-inject'; schedule: string }
  | { type: 'force'; state: string }
  | { type: 'close-decision'; decision: string }
  /** by: seconds to add, 1 to MAX_EXTEND_SECONDS. */
  | { type: 'extend-decision'; decision: string; by: number }
  /** The facilitator's answer: to a facilitator decision, or a team's on its behalf. */
  | { type: 'answers'; decision: string; option: string; clientId: string }
  | { type: 'end'; reason: string };

/** The most one extension of a decision may add (the server refuses more). */
export const MAX_EXTEND_SECONDS = 3600;

function injectBody(i: AdHocInject): Obj {
  const inject: Obj = { channel: i.channel, body: i.body };
  if (i.teams.length) inject.teams = i.teams;
  if (i.from.trim()) inject.from = i.from.trim();
  if (i.title.trim()) inject.title = i.title.trim();
  return inject;
}

/** The REST body of a command: its fields without the type. */
export function commandBody(c: Command): Obj {
  switch (c.type) {
    case 'speed':
      return { speed: c.speed };
    case 'inject':
      return { inject: injectBody(c.inject) };
    case 'schedule-inject':
      return 'atNs' in c.timing ? { inject: injectBody(c.inject), at: c.timing.atNs } : { inject: injectBody(c.inject), in: c.timing.inNs };
    case 'cancel-scheduled-inject':
      return { schedule: c.schedule };
    case 'force':
      return { state: c.state };
    case 'close-decision':
      return { decision: c.decision };
    case 'extend-decision':
      return { decision: c.decision, by: Math.min(MAX_EXTEND_SECONDS, Math.max(1, Math.round(c.by))) };
    case 'answers':
      return { client_id: c.clientId, decision: c.decision, option: c.option };
    case 'end':
      return c.reason.trim() ? { reason: c.reason.trim() } : {};
    default:
      return {};
  }
}

export interface FacilitatorApi {
  me(): Promise<Me>;
  login(name: string, password: string): Promise<Me>;
  logout(): Promise<void>;
  changePassword(current: string, next: string): Promise<Me>;
  scenarios(): Promise<ScenarioEntry[]>;
  /** The full scenario model (for the graph), by library id. */
  scenario(id: string): Promise<unknown>;
  validate(file: string, source: string): Promise<ScenarioEntry>;
  upload(file: string, source: string): Promise<ScenarioEntry>;
  /** The exercises, or with archived the archived ones only. */
  exercises(archived?: boolean): Promise<ExerciseInfo[]>;
  /** A new exercise from the same scenario, parameters and title. */
  rerun(id: string): Promise<ExerciseInfo>;
  archive(id: string, archived: boolean): Promise<void>;
  /** Deletes an exercise that is not running or paused, with its log. */
  deleteExercise(id: string): Promise<void>;
  create(scenario: string, params: Record<string, string>, title: string): Promise<ExerciseInfo>;
  exercise(id: string): Promise<ExerciseDetail>;
  exerciseScenario(id: string): Promise<unknown>;
  events(id: string, after: number, limit?: number): Promise<EventPage>;
  report(id: string): Promise<unknown>;
  command(id: string, c: Command): Promise<void>;
  rotateJoinCode(id: string): Promise<JoinInfo>;
  /** Make a participant their team's lead. */
  promoteLead(id: string, participant: string): Promise<void>;
  /** Move a participant to another team. */
  moveParticipant(id: string, participant: string, team: string): Promise<void>;
  observers(id: string): Promise<ObserverInfo[]>;
  addObserver(id: string, name: string): Promise<NewObserver>;
  revokeObserver(id: string, observer: string): Promise<void>;
  /** The caller's saved ad-hoc injects for the exercise's scenario. */
  injectTemplates(id: string): Promise<InjectTemplate[]>;
  saveInjectTemplate(id: string, name: string, inject: AdHocInject): Promise<InjectTemplate>;
  deleteInjectTemplate(id: string, template: number): Promise<void>;
  /** The room screen's public data (GET …/projector). */
  projector(id: string): Promise<ProjectorView>;
  /** GET …/evaluation: the value of `evaluation` (lib/evaluation.ts adapts it). */
  evaluation(id: string): Promise<unknown>;
  /** POST …/ratings: the `rate` message's body. */
  rate(id: string, body: Obj): Promise<void>;
  /** POST …/corrective-actions: the `corrective_action` message's body. */
  correctiveAction(id: string, body: Obj): Promise<void>;
  /** The participants' debrief link: GET (null when there is none), POST (a new one), DELETE. */
  debriefLink(id: string): Promise<string | null>;
  createDebriefLink(id: string): Promise<string>;
  revokeDebriefLink(id: string): Promise<void>;
  /** POST /api/scenarios/msel-import: an events list (CSV) as a scenario skeleton. */
  mselImport(csv: string): Promise<{ yaml: string; problems: string[] }>;
}

export interface InjectTemplate {
  id: number;
  name: string;
  inject: AdHocInject;
}

export function adaptTemplate(v: unknown): InjectTemplate {
  const o = isObj(v) ? v : {};
  const i = obj(o, 'inject');
  const teams = Array.isArray(i['teams']) ? (i['teams'] as unknown[]).filter((t): t is string => typeof t === 'string') : [];
  return { id: num(o, 'id'), name: str(o, 'name'), inject: { channel: str(i, 'channel') || 'sitrep', teams, from: str(i, 'from'), title: str(i, 'title'), body: str(i, 'body') } };
}

/** What the projector shows: public data only (see docs/protocol.md). */
export interface ProjectorView {
  title: string;
  status: ExerciseStatus;
  clockNs: number;
  speed: number;
  join: JoinInfo | null;
  headline: { seq: number; atNs: number; storyTime: string; channel: string; title: string; from: string } | null;
}

export function adaptProjector(v: unknown): ProjectorView {
  const o = isObj(v) ? v : {};
  const j = obj(o, 'join');
  const h = obj(o, 'headline');
  return {
    title: str(o, 'title'),
    status: str(o, 'status') as ExerciseStatus,
    clockNs: num(o, 'clock'),
    speed: num(o, 'speed') || 1,
    join: str(j, 'code') ? { code: str(j, 'code'), display: str(j, 'display') || str(j, 'code'), url: str(j, 'url') } : null,
    headline: str(h, 'title')
      ? { seq: num(h, 'seq'), atNs: num(h, 'at'), storyTime: str(h, 'story_time'), channel: str(h, 'channel'), title: str(h, 'title'), from: str(h, 'from') }
      : null,
  };
}

function adaptMe(v: unknown): Me {
  const m = isObj(v) ? v : {};
  return { role: str(m, 'role'), name: str(m, 'name'), mustChangePassword: bool(m, 'must_change_password') };
}

const seg = encodeURIComponent;

/** The client over a fetch function (window.fetch in the browser). */
export function createFacilitatorApi(fetchFn: Fetch, base = ''): FacilitatorApi {
  const request = createRequester({ fetch: fetchFn, base });
  const call = (method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> =>
    request(method, path, { body, contentType: typeof body === 'string' ? (contentType ?? 'application/json') : undefined });
  const ex = (id: string) => `/api/exercises/${seg(id)}`;
  return {
    me: async () => adaptMe(await call('GET', '/api/me')),
    login: async (name, password) => adaptMe(await call('POST', '/api/auth/login', { name, password })),
    logout: async () => {
      await call('POST', '/api/auth/logout');
    },
    changePassword: async (current, next) => adaptMe(await call('POST', '/api/auth/password', { current, new: next })),
    scenarios: async () => {
      const r = await call('GET', '/api/scenarios');
      return isObj(r) ? list(r, 'scenarios').map(adaptEntry) : [];
    },
    scenario: async (id) => {
      const r = await call('GET', `/api/scenarios/${seg(id)}`);
      return isObj(r) ? r['scenario'] : null;
    },
    validate: async (file, source) => {
      const r = await call('POST', `/api/scenarios/validate?file=${seg(file)}`, source, 'application/yaml');
      return adaptEntry(isObj(r) ? r['entry'] : null);
    },
    upload: async (file, source) => {
      const r = await call('POST', `/api/scenarios?file=${seg(file)}`, source, 'application/yaml');
      return adaptEntry(isObj(r) ? r['entry'] : null);
    },
    exercises: async (archived = false) => {
      const r = await call('GET', archived ? '/api/exercises?archived=1' : '/api/exercises');
      return isObj(r) ? list(r, 'exercises').map(adaptExercise) : [];
    },
    create: async (scenario, params, title) => {
      const body: Obj = { scenario };
      if (Object.keys(params).length) body.params = params;
      if (title.trim()) body.title = title.trim();
      const r = await call('POST', '/api/exercises', body);
      return adaptExercise(isObj(r) ? r['exercise'] : null);
    },
    exercise: async (id) => {
      const r = await call('GET', ex(id));
      const o = isObj(r) ? r : {};
      return {
        exercise: adaptExercise(o['exercise']),
        snapshot: adaptSnapshot(o['snapshot']),
        online: list(o, 'online')
          .map(adaptPresence)
          .filter((p): p is Presence => p !== null),
      };
    },
    exerciseScenario: async (id) => {
      const r = await call('GET', `${ex(id)}/scenario`);
      return isObj(r) ? r['scenario'] : null;
    },
    events: async (id, after, limit = 1000) => {
      const r = await call('GET', `${ex(id)}/events?after=${after}&limit=${limit}`);
      const o = isObj(r) ? r : {};
      return { events: list(o, 'events'), nextAfter: num(o, 'next_after'), more: bool(o, 'more') };
    },
    report: async (id) => call('GET', `${ex(id)}/report`),
    command: async (id, c) => {
      await call('POST', `${ex(id)}/${c.type}`, commandBody(c));
    },
    promoteLead: async (id, participant) => {
      await call('POST', `${ex(id)}/participants/${encodeURIComponent(participant)}/lead`);
    },
    moveParticipant: async (id, participant, team) => {
      await call('POST', `${ex(id)}/participants/${encodeURIComponent(participant)}/move`, { team });
    },
    rotateJoinCode: async (id) => {
      const r = await call('POST', `${ex(id)}/join-code`);
      const o = isObj(r) ? r : {};
      return { code: str(o, 'code'), display: str(o, 'display') || str(o, 'code'), url: str(o, 'url') };
    },
    observers: async (id) => {
      const r = await call('GET', `${ex(id)}/observers`);
      return isObj(r) ? list(r, 'observers').map(adaptObserver) : [];
    },
    addObserver: async (id, name) => {
      const r = await call('POST', `${ex(id)}/observers`, { name });
      const o = isObj(r) ? r : {};
      return { observer: adaptObserver(o['observer']), url: str(o, 'url') };
    },
    revokeObserver: async (id, observer) => {
      await call('DELETE', `${ex(id)}/observers/${seg(observer)}`);
    },
    rerun: async (id) => {
      const r = await call('POST', `${ex(id)}/rerun`);
      return adaptExercise(isObj(r) ? r['exercise'] : null);
    },
    archive: async (id, archived) => {
      await call('POST', `${ex(id)}/${archived ? 'archive' : 'unarchive'}`);
    },
    deleteExercise: async (id) => {
      await call('DELETE', ex(id));
    },
    injectTemplates: async (id) => {
      const r = await call('GET', `${ex(id)}/inject-templates`);
      return isObj(r) ? list(r, 'templates').map(adaptTemplate) : [];
    },
    saveInjectTemplate: async (id, name, inject) => {
      const r = await call('POST', `${ex(id)}/inject-templates`, { name, inject });
      return adaptTemplate(isObj(r) ? r['template'] : null);
    },
    deleteInjectTemplate: async (id, template) => {
      await call('DELETE', `${ex(id)}/inject-templates/${template}`);
    },
    projector: async (id) => adaptProjector(await call('GET', `${ex(id)}/projector`)),
    evaluation: async (id) => {
      const r = await call('GET', `${ex(id)}/evaluation`);
      return isObj(r) ? r['evaluation'] : null;
    },
    rate: async (id, body) => {
      await call('POST', `${ex(id)}/ratings`, body);
    },
    correctiveAction: async (id, body) => {
      await call('POST', `${ex(id)}/corrective-actions`, body);
    },
    debriefLink: async (id) => {
      // {"url": null} when none is shared; an error (404: no such exercise) is one.
      const r = await call('GET', `${ex(id)}/debrief-link`);
      return isObj(r) ? str(r, 'url') || null : null;
    },
    createDebriefLink: async (id) => {
      const r = await call('POST', `${ex(id)}/debrief-link`);
      return isObj(r) ? str(r, 'url') : '';
    },
    revokeDebriefLink: async (id) => {
      await call('DELETE', `${ex(id)}/debrief-link`);
    },
    mselImport: async (csv) => {
      let r: unknown;
      try {
        r = await call('POST', '/api/scenarios/msel-import', csv, 'text/csv');
      } catch (e) {
        // 422 invalid_msel: what could not be read, row by row, and no skeleton.
        if (e instanceof ApiError && e.status === 422 && Array.isArray(e.details)) {
          r = { yaml: '', problems: e.details };
        } else throw e;
      }
      const o = isObj(r) ? r : {};
      const problems = Array.isArray(o['problems'])
        ? (o['problems'] as unknown[]).map((p) => (typeof p === 'string' ? p : isObj(p) ? formatImportProblem(p) : '')).filter(Boolean)
        : [];
      return { yaml: str(o, 'yaml'), problems };
    },
  };
}

/** A problem of an imported events list: "row 4, column time: …" (col 0: the whole row; strings pass as they are). */
function formatImportProblem(p: Obj): string {
  const col = typeof p['col'] === 'number' ? (p['col'] as number) : -1;
  const where = [typeof p['row'] === 'number' ? `row ${p['row']}` : '', col !== 0 && str(p, 'column') ? `column ${str(p, 'column')}` : ''].filter(Boolean).join(', ');
  const msg = str(p, 'message') || str(p, 'error');
  return where ? `${where}: ${msg}` : msg;
}

/** Reads every event after `after`, page by page (the facilitator sees all). */
export async function allEvents(api: FacilitatorApi, id: string, after = 0, maxPages = 200): Promise<unknown[]> {
  const out: unknown[] = [];
  let pos = after;
  for (let i = 0; i < maxPages; i++) {
    const page = await api.events(id, pos);
    out.push(...page.events);
    if (!page.more || page.nextAfter <= pos) break;
    pos = page.nextAfter;
  }
  return out;
}

/** The client for this page's origin, over the browser's fetch. */
export function browserFacilitator(): FacilitatorApi {
  return createFacilitatorApi(browserFetch);
}

/** A same-origin path to go back to after signing in; anything else is the console. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/api/')) return '/console';
  return next.length > 300 ? '/console' : next;
}

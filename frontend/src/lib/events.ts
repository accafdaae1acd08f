// Event adapter: the one place that knows the server's JSON field names.
//
// The server sends exercise events as snake_case JSON. Everything else in the
// UI works with the typed view models below, so when the wire format changes
// only this module (and its test) changes. The adapter is defensive: a field
// of the wrong type is treated as missing, an unknown event kind or channel
// never throws, and strings are never interpreted as HTML anywhere.

export const CHANNELS = ['social', 'email', 'chat', 'news', 'phone', 'ticket', 'status', 'sitrep'] as const;
export type Channel = (typeof CHANNELS)[number];

export const EVENT_KINDS = [
  'inject_delivered',
  'decision_opened',
  'decision_answered',
  'decision_closed',
  'decision_extended',
  'effect_applied',
  'transition_taken',
  'outcome_reached',
  'message_sent',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

import { adaptMessage, type WorldMessage } from './world';

export type DecisionMode = 'first' | 'lead' | 'vote';

export interface Persona {
  name: string;
  handle: string;
  /** One or two characters shown in the avatar circle. */
  avatar: string;
  org: string;
  /** The sender's email address (emails only); absent when unknown. */
  email?: string;
}

/** The address an email card shows: the persona's email, or a handle that is one. */
export function senderAddress(p: Persona | null): string {
  if (!p) return '';
  if (p.email) return p.email;
  return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(p.handle) ? p.handle : '';
}

export interface Engagement {
  likes: number;
  reposts: number;
  replies: number;
}

export interface InjectView {
  id: string;
  channel: Channel;
  title: string;
  /** Markdown. */
  body: string;
  from: Persona | null;
  platform: string;
  to: string;
  level: string;
  ref: string;
  /** Description of an attached picture; used as its alt text. */
  image: string;
  engagement: Engagement | null;
  teams: string[];
  /** Teams that may reply to it (issue #18); absent or empty: none said. */
  reply?: string[];
}

export interface OptionView {
  id: string;
  label: string;
}

export interface DecisionView {
  id: string;
  team: string;
  /** Markdown. */
  prompt: string;
  options: OptionView[];
  mode: DecisionMode;
  /** Nanoseconds; 0 when the decision settles on the first answer. */
  timeLimitNs: number;
  /** Clock reading (ns) at which the decision closes, or null when untimed. */
  closesAtNs: number | null;
  freeText: boolean;
  confidence: boolean;
  rationale: boolean;
  /** Option id taken when it closes unanswered; teams see it on the prompt. Empty: none. */
  defaultOption?: string;
  /** Timed, yet the first valid answer settles it (settle: on_answer). */
  settleOnAnswer?: boolean;
}

export interface AnswerView {
  decision: string;
  /** Option id; empty for a free-text-only answer or an expiry. */
  option: string;
  text: string;
  participant: string;
  /** 1-5, or null when not given. */
  confidence: number | null;
  rationale: string;
}

/** decision_extended: the facilitator gave an open decision more time. */
export interface ExtensionView {
  decision: string;
  team: string;
  /** Time added, ns. */
  byNs: number;
  /** The new deadline on the exercise clock, ns. */
  closesAtNs: number;
  /** The new total time limit since the decision opened, ns. */
  timeLimitNs: number;
}

export interface EffectView {
  variable: string;
  value: string | number | boolean | null;
}

export interface TransitionView {
  from: string;
  to: string;
  label: string;
}

export interface OutcomeView {
  outcome: string;
  /** The outcome's title for participants; empty when the scenario gives none. */
  title: string;
  rating: string;
  /** Markdown. */
  debrief: string;
  /** Why the facilitator ended the exercise, when they did. */
  reason: string;
}

export interface FeedEvent {
  seq: number;
  kind: EventKind;
  /** Exercise clock in nanoseconds. */
  atNs: number;
  /**
   * In-story time as RFC 3339, when the scenario sets one. Kept as text: it
   * is shown as the author wrote it, never shifted to the viewer's time zone.
   */
  storyTime: string | null;
  state: string;
  audience: string[];
  inject: InjectView | null;
  decision: DecisionView | null;
  answer: AnswerView | null;
  effect: EffectView | null;
  transition: TransitionView | null;
  outcome: OutcomeView | null;
  /** decision_extended: the new deadline. */
  extension: ExtensionView | null;
  /** decision_closed: the decision closed without any team answer. */
  expired: boolean;
  /** decision_closed of a vote: the count per option, and whether the top count was shared. */
  votes: { option: string; count: number }[];
  tie: boolean;
  /** decision_closed: nobody answered and the scenario's default was taken. */
  byDefault?: boolean;
  /** message_sent: what was said in the world; `inject` then holds it as a card shows it. */
  message: WorldMessage | null;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Obj, key: string): string {
  const v = o[key];
  return typeof v === 'string' ? v : '';
}

function num(o: Obj, key: string): number {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function optNum(o: Obj, key: string): number | null {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function bool(o: Obj, key: string): boolean {
  return o[key] === true;
}

function strList(o: Obj, key: string): string[] {
  const v = o[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function count(o: Obj, key: string): number {
  const n = num(o, key);
  return n > 0 ? Math.floor(n) : 0;
}

/** Engagement counts from the wire (whole, never negative), or null when absent or not an object. */
export function adaptEngagement(v: unknown): Engagement | null {
  return isObj(v) ? { likes: count(v, 'likes'), reposts: count(v, 'reposts'), replies: count(v, 'replies') } : null;
}

function isChannel(v: string): v is Channel {
  return (CHANNELS as readonly string[]).includes(v);
}

function isKind(v: string): v is EventKind {
  return (EVENT_KINDS as readonly string[]).includes(v);
}

/** Initial(s) for an avatar circle: the persona's own, else the name's first letter. */
export function avatarInitial(avatar: string, name: string): string {
  const a = Array.from(avatar.trim()).slice(0, 2).join('');
  if (a) return a;
  const first = Array.from(name.trim())[0];
  return first ? first.toUpperCase() : '?';
}

function adaptPersona(v: unknown): Persona | null {
  if (typeof v === 'string') {
    return v ? { name: v, handle: '', avatar: avatarInitial('', v), org: '' } : null;
  }
  if (!isObj(v)) return null;
  const name = str(v, 'name');
  const handle = str(v, 'handle');
  if (!name && !handle) return null;
  const email = str(v, 'email');
  return { name: name || handle, handle, avatar: avatarInitial(str(v, 'avatar'), name || handle), org: str(v, 'org'), ...(email ? { email } : {}) };
}

export function adaptInject(v: unknown): InjectView | null {
  if (!isObj(v)) return null;
  const ch = str(v, 'channel');
  const eng = v['engagement'];
  return {
    id: str(v, 'id'),
    // An unknown channel (a newer server) still shows as plain narrative.
    channel: isChannel(ch) ? ch : 'sitrep',
    title: str(v, 'title'),
    body: str(v, 'body'),
    from: adaptPersona(v['from']),
    platform: str(v, 'platform'),
    to: str(v, 'to'),
    level: str(v, 'level'),
    ref: str(v, 'ref'),
    image: str(v, 'image'),
    engagement: adaptEngagement(eng),
    teams: strList(v, 'teams'),
    ...(strList(v, 'reply').length ? { reply: strList(v, 'reply') } : {}),
  };
}

function adaptMode(v: string): DecisionMode {
  return v === 'lead' || v === 'vote' ? v : 'first';
}

export function adaptDecision(v: unknown): DecisionView | null {
  if (!isObj(v)) return null;
  const opts = Array.isArray(v['options']) ? v['options'] : [];
  return {
    id: str(v, 'id'),
    team: str(v, 'team'),
    prompt: str(v, 'prompt'),
    options: opts.filter(isObj).map((o) => ({ id: str(o, 'id'), label: str(o, 'label') || str(o, 'id') })),
    mode: adaptMode(str(v, 'mode')),
    timeLimitNs: num(v, 'time_limit'),
    closesAtNs: optNum(v, 'closes_at'),
    freeText: bool(v, 'free_text'),
    confidence: bool(v, 'confidence'),
    rationale: bool(v, 'rationale'),
    defaultOption: str(v, 'default'),
    settleOnAnswer: bool(v, 'settle_on_answer'),
  };
}

export function adaptAnswer(v: unknown): AnswerView | null {
  if (!isObj(v)) return null;
  const c = optNum(v, 'confidence');
  return {
    decision: str(v, 'decision'),
    option: str(v, 'option'),
    text: str(v, 'text'),
    participant: str(v, 'participant'),
    confidence: c !== null && c >= 1 && c <= 5 ? Math.round(c) : null,
    rationale: str(v, 'rationale'),
  };
}

function adaptEffect(o: Obj): EffectView | null {
  const variable = str(o, 'var') || str(o, 'variable');
  if (!variable) return null;
  const v = o['value'];
  const value = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : null;
  return { variable, value };
}

function adaptTransition(o: Obj): TransitionView | null {
  const to = str(o, 'to');
  if (!to) return null;
  return { from: str(o, 'from'), to, label: str(o, 'label') };
}

function adaptExtension(o: Obj): ExtensionView | null {
  const decision = str(o, 'decision');
  const closesAtNs = num(o, 'closes_at');
  // Without a decision or a deadline there is nothing to move.
  if (!decision || closesAtNs <= 0) return null;
  return { decision, team: str(o, 'team'), byNs: Math.max(0, num(o, 'by')), closesAtNs, timeLimitNs: Math.max(0, num(o, 'time_limit')) };
}

function adaptOutcome(o: Obj): OutcomeView | null {
  const outcome = str(o, 'outcome');
  if (!outcome) return null;
  return { outcome, title: str(o, 'title'), rating: str(o, 'rating'), debrief: str(o, 'debrief'), reason: str(o, 'reason') };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

function adaptStoryTime(o: Obj): string | null {
  const s = str(o, 'story_time');
  return RFC3339.test(s) ? s : null;
}

// The kind-specific fields may come nested ({"effect": {...}}) or flat on the
// event ({"var": ..., "value": ...}); both are accepted.
function nested(raw: Obj, key: string): Obj {
  const v = raw[key];
  return isObj(v) ? v : raw;
}

/**
 * Adapt one server event. Returns null for anything that is not an event of
 * a kind the feed shows (unknown kinds are ignored, so a newer server does not
 * break an older page), or that lacks the payload its kind needs.
 */
export function adaptEvent(input: unknown): FeedEvent | null {
  if (!isObj(input)) return null;
  if (str(input, 'kind') === 'message_sent') return adaptMessageEvent(input);
  const raw = isWireFrame(input) ? fromWire(input) : input;
  const kind = str(raw, 'kind');
  if (!isKind(kind)) return null;
  // Sequence numbers start at 1; 0 means "nothing yet" when resuming.
  const seq = raw['seq'];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return null;

  const ev: FeedEvent = {
    seq,
    kind,
    atNs: num(raw, 'at'),
    storyTime: adaptStoryTime(raw),
    state: str(raw, 'state'),
    audience: strList(raw, 'audience'),
    inject: adaptInject(raw['inject']),
    decision: adaptDecision(raw['decision']),
    answer: adaptAnswer(raw['answer']),
    effect: null,
    transition: null,
    outcome: null,
    extension: null,
    expired: bool(raw, 'expired'),
    votes: (Array.isArray(raw['votes']) ? raw['votes'] : []).filter(isObj).map((v) => ({ option: str(v, 'option'), count: count(v, 'count') })),
    tie: bool(raw, 'tie'),
    message: null,
  };
  if (bool(raw, 'by_default')) ev.byDefault = true;

  switch (kind) {
    case 'inject_delivered':
      return ev.inject ? ev : null;
    case 'decision_opened':
      return ev.decision ? ev : null;
    case 'decision_answered':
      return ev.answer ? ev : null;
    case 'decision_closed':
      // The server may send the whole decision or only its id in the answer.
      if (!ev.decision && !ev.answer) {
        const id = str(raw, 'decision_id');
        if (!id) return null;
        ev.answer = { decision: id, option: '', text: '', participant: '', confidence: null, rationale: '' };
      }
      return ev;
    case 'decision_extended':
      ev.extension = adaptExtension(nested(raw, 'extension'));
      return ev.extension ? ev : null;
    case 'effect_applied':
      ev.effect = adaptEffect(nested(raw, 'effect'));
      return ev.effect ? ev : null;
    case 'transition_taken':
      ev.transition = adaptTransition(nested(raw, 'transition'));
      return ev.transition ? ev : null;
    case 'outcome_reached':
      ev.outcome = adaptOutcome(nested(raw, 'outcome'));
      return ev.outcome ? ev : null;
    case 'message_sent':
      // Read above, from the frame as it is.
      return null;
  }
}

/** A message said in the world as a card shows it: a publication like the outlet's channel, a reply or message like its thread's. */
export function messageInject(m: WorldMessage): InjectView {
  const ch = isChannel(m.channel) ? m.channel : m.action === 'publish' ? 'social' : 'email';
  const fromOutlet: Persona | null = m.outletName ? { name: m.outletName, handle: '', avatar: avatarInitial('', m.outletName), org: '' } : null;
  let from: Persona | null = null;
  let to = '';
  if (m.action === 'publish') from = m.persona ?? fromOutlet;
  else if (m.action === 'persona') from = m.persona;
  else to = m.persona?.email || m.persona?.name || m.personaId;
  return {
    id: m.id || `m${m.seq}`,
    channel: ch,
    title: m.title,
    body: m.body,
    from,
    platform: m.platform,
    to,
    level: '',
    ref: '',
    image: '',
    engagement: m.action === 'publish' ? m.engagement : null,
    teams: m.action === 'publish' ? [] : [m.team],
  };
}

function adaptMessageEvent(input: Obj): FeedEvent | null {
  const m = adaptMessage(input);
  if (!m || !Number.isSafeInteger(m.seq)) return null;
  return {
    seq: m.seq,
    kind: 'message_sent',
    atNs: m.atNs,
    storyTime: m.storyTime,
    state: '',
    audience: m.audience,
    inject: messageInject(m),
    decision: null,
    answer: null,
    effect: null,
    transition: null,
    outcome: null,
    extension: null,
    expired: false,
    votes: [],
    tie: false,
    message: m,
  };
}

/** The decision id an event is about, if any. */
export function decisionIdOf(ev: FeedEvent): string {
  return ev.decision?.id || ev.answer?.decision || ev.extension?.decision || '';
}

// ---------------------------------------------------------------------------
// Log events: every kind, as the facilitator console and the report read them.
//
// The server sends each log entry as a frame
//   {"type":"event","seq":N,"kind":K,"at":ns,"wall_time":RFC3339,"payload":{...},"audience":[...]}
// where payload holds the kind's fields (a sim event's payload is the whole
// sim event, flat: persona_name, from_state, ...). adaptLogEvent turns such a
// frame (or an already-flat object) into one typed record with every field
// defaulted, so callers never look at wire names.

/** A value a variable can hold. */
export type VarValue = string | number | boolean | null;

export interface LogOption {
  id: string;
  label: string;
}

export interface LogEvent {
  seq: number;
  /** Any server kind: sim kinds (EVENT_KINDS and more) and engine kinds. */
  kind: string;
  atNs: number;
  /** Commit time as RFC 3339 text, or ''. */
  wallTime: string;
  storyTime: string | null;
  state: string;
  /** Team ids that may see it; ['*'] = every team; [] = staff only. */
  audience: string[];
  /** state_entered, inject_*, outcome_reached, exercise_created: their title. */
  title: string;
  /** inject_delivered / facilitator_inject: the inject as the cards show it. */
  inject: InjectView | null;
  injectId: string;
  adhoc: boolean;
  channel: string;
  /** inject_skipped: why; transition_taken: why; outcome_reached/facilitator_end: the end reason. */
  reason: string;
  decision: string;
  /** participant_moved: the team they moved to. */
  team: string;
  /** participant_moved: the team they left. */
  fromTeam: string;
  prompt: string;
  options: LogOption[];
  mode: DecisionMode;
  timeLimitNs: number;
  closesAtNs: number | null;
  defaultOption: string;
  objectives: string[];
  option: string;
  optionLabel: string;
  text: string;
  participant: string;
  /** participant_joined: display name; note_added: author. */
  name: string;
  lead: boolean;
  confidence: number | null;
  rationale: string;
  /** decision_closed: answered | default | expired. */
  settled: string;
  closeReason: string;
  votes: { option: string; count: number }[];
  variable: string;
  oldValue: VarValue;
  newValue: VarValue;
  expr: string;
  cause: string;
  visible: boolean;
  fromState: string;
  toState: string;
  label: string;
  /** transition_taken: 1-based index among from_state's transitions (0 when forced), forced, its `when` and `after` (ns), and what the `when` read. */
  transition: number;
  forced: boolean;
  when: string;
  afterNs: number;
  values: { name: string; value: VarValue }[];
  outcome: string;
  rating: string;
  debrief: string;
  errorCode: string;
  error: string;
  /** speed_changed: new speed and previous one; exercise_started: speed. */
  speed: number;
  fromSpeed: number;
  /** clock_skipped: from/to; clock_tick: to. Nanoseconds. */
  clockFromNs: number;
  clockToNs: number;
  /** note_added: the objective it is about. */
  objective: string;
  params: Record<string, string>;
  /** decision_extended / facilitator_extend: time added (ns). */
  byNs: number;
}

function varValue(v: unknown): VarValue {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) ? v : null;
}

/** An inject from a flat sim payload (persona_name, persona_handle, ...). */
function flatInject(o: Obj): InjectView {
  const eng = o['engagement'];
  const ch = str(o, 'channel');
  const name = str(o, 'persona_name');
  const handle = str(o, 'persona_handle');
  // An ad-hoc inject may name its sender as free text in "from".
  const fromText = str(o, 'from');
  const from: Persona | null =
    name || handle
      ? {
          name: name || handle,
          handle,
          avatar: avatarInitial(str(o, 'persona_avatar'), name || handle),
          org: str(o, 'persona_org'),
          ...(str(o, 'persona_email') ? { email: str(o, 'persona_email') } : {}),
        }
      : fromText
        ? { name: fromText, handle: '', avatar: avatarInitial('', fromText), org: '' }
        : null;
  return {
    id: str(o, 'inject') || str(o, 'id'),
    channel: isChannel(ch) ? ch : 'sitrep',
    title: str(o, 'title'),
    body: str(o, 'body'),
    from,
    platform: str(o, 'platform'),
    to: str(o, 'to'),
    level: str(o, 'level'),
    ref: str(o, 'ref'),
    image: str(o, 'image'),
    engagement: adaptEngagement(eng),
    teams: strList(o, 'teams'),
  };
}

function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(v)) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/**
 * Adapt one log frame (or flat event object). Returns null for anything
 * without a kind or a valid sequence number; unknown kinds are kept (their
 * common fields only), so a newer server's events still show in a timeline.
 */
export function adaptLogEvent(raw: unknown): LogEvent | null {
  if (!isObj(raw)) return null;
  if (typeof raw['type'] === 'string' && raw['type'] !== 'event') return null;
  const seq = raw['seq'];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return null;
  const kind = str(raw, 'kind');
  if (!kind) return null;
  const p: Obj = isObj(raw['payload']) ? raw['payload'] : raw;
  const top = (key: string): unknown => (raw[key] !== undefined ? raw[key] : p[key]);
  const at = top('at');
  const optsRaw = Array.isArray(p['options']) ? p['options'] : [];
  const votesRaw = Array.isArray(p['votes']) ? p['votes'] : [];
  const c = optNum(p, 'confidence');
  const isInject = kind === 'inject_delivered' || kind === 'facilitator_inject';
  const audienceRaw = Array.isArray(raw['audience']) ? raw['audience'] : p['audience'];
  const closes = optNum(p, 'closes_at');
  return {
    seq,
    kind,
    atNs: typeof at === 'number' && Number.isFinite(at) ? at : 0,
    wallTime: str(raw, 'wall_time'),
    storyTime: adaptStoryTime(p),
    state: str(p, 'state'),
    audience: Array.isArray(audienceRaw) ? audienceRaw.filter((x): x is string => typeof x === 'string') : [],
    title: str(p, 'title'),
    inject: isInject ? flatInject(p) : null,
    injectId: str(p, 'inject') || (kind === 'facilitator_inject' ? str(p, 'id') : ''),
    adhoc: bool(p, 'adhoc') || kind === 'facilitator_inject',
    channel: str(p, 'channel'),
    reason: str(p, 'reason'),
    decision: str(p, 'decision'),
    team: kind === 'participant_moved' ? str(p, 'to') : str(p, 'team'),
    fromTeam: kind === 'participant_moved' ? str(p, 'from') : '',
    prompt: str(p, 'prompt'),
    options: optsRaw.filter(isObj).map((o) => ({ id: str(o, 'id'), label: str(o, 'label') || str(o, 'id') })),
    mode: adaptMode(str(p, 'mode')),
    timeLimitNs: num(p, 'time_limit'),
    closesAtNs: closes !== null && closes > 0 ? closes : null,
    defaultOption: str(p, 'default'),
    objectives: strList(p, 'objectives'),
    option: str(p, 'option'),
    optionLabel: str(p, 'option_label'),
    text: str(p, 'text'),
    participant: str(p, 'participant'),
    name: str(p, 'name') || str(p, 'author'),
    lead: bool(p, 'lead'),
    confidence: c !== null && c >= 1 && c <= 5 ? Math.round(c) : null,
    rationale: str(p, 'rationale'),
    settled: str(p, 'settled'),
    closeReason: str(p, 'close_reason'),
    votes: votesRaw.filter(isObj).map((v) => ({ option: str(v, 'option'), count: count(v, 'count') })),
    variable: str(p, 'var'),
    oldValue: varValue(p['old']),
    newValue: varValue(p['new']),
    expr: str(p, 'expr'),
    cause: str(p, 'cause'),
    visible: bool(p, 'visible'),
    fromState: str(p, 'from_state'),
    toState: str(p, 'to_state') || (kind === 'facilitator_force' ? str(p, 'state') : ''),
    label: str(p, 'label'),
    transition: kind === 'transition_taken' ? count(p, 'transition') : 0,
    forced: bool(p, 'forced'),
    when: kind === 'transition_taken' ? str(p, 'when') : '',
    afterNs: kind === 'transition_taken' ? Math.max(0, num(p, 'after')) : 0,
    values: (Array.isArray(p['values']) ? p['values'] : []).filter(isObj).map((v) => ({ name: str(v, 'name'), value: varValue(v['value']) })),
    outcome: str(p, 'outcome'),
    rating: str(p, 'rating'),
    debrief: str(p, 'debrief'),
    errorCode: str(p, 'code'),
    error: str(p, 'error'),
    speed: num(p, 'speed'),
    fromSpeed: num(p, 'from'),
    clockFromNs: kind === 'clock_skipped' ? num(p, 'from') : 0,
    clockToNs: num(p, 'to'),
    objective: str(p, 'objective'),
    params: strMap(p['params']),
    byNs: kind === 'decision_extended' || kind === 'facilitator_extend' ? Math.max(0, num(p, 'by')) : 0,
  };
}

// ---------------------------------------------------------------------------
// The live server's frames (server/api/publisher.go, server/sim/event.go).
//
// An event arrives as {"type":"event", "seq", "kind", "at", "wall_time",
// "payload", "audience"?}: the payload of a scenario event is the flat
// sim.Event (inject id in "inject", persona_* fields, "decision" id,
// ask_confidence, from_state/to_state, settled...). fromWire turns it into
// the nested shape adaptEvent reads, so the rest of the UI never sees either.

/** Whether v is a server event frame. */
export function isWireFrame(v: Obj): boolean {
  return v['type'] === 'event' && isObj(v['payload']);
}

function wirePersona(p: Obj): Obj | null {
  const name = str(p, 'persona_name') || str(p, 'persona');
  const handle = str(p, 'persona_handle');
  if (!name && !handle) return null;
  const email = str(p, 'persona_email');
  return { name, handle, avatar: str(p, 'persona_avatar'), org: str(p, 'persona_org'), ...(email ? { email } : {}) };
}

function wireAnswer(p: Obj): Obj {
  return {
    decision: str(p, 'decision'),
    option: str(p, 'option'),
    option_label: str(p, 'option_label'),
    text: str(p, 'text'),
    participant: str(p, 'participant'),
    confidence: p['confidence'],
    rationale: str(p, 'rationale'),
  };
}

/** A server event frame in the shape adaptEvent reads. */
export function fromWire(f: Obj): Obj {
  const p = f['payload'] as Obj;
  const kind = str(f, 'kind');
  const out: Obj = {
    seq: f['seq'],
    kind,
    at: typeof f['at'] === 'number' ? f['at'] : p['at'],
    story_time: p['story_time'],
    state: p['state'],
    // Staff frames carry the audience on the frame; the payload has the sim's.
    audience: Array.isArray(f['audience']) ? f['audience'] : p['audience'],
  };
  switch (kind) {
    case 'inject_delivered':
      out['inject'] = {
        id: str(p, 'inject'),
        channel: p['channel'],
        title: p['title'],
        body: p['body'],
        from: wirePersona(p),
        platform: p['platform'],
        to: p['to'],
        level: p['level'],
        ref: p['ref'],
        image: p['image'],
        engagement: p['engagement'],
        teams: p['teams'],
        reply: p['reply'],
      };
      break;
    case 'decision_opened':
      out['decision'] = {
        id: str(p, 'decision'),
        team: p['team'],
        prompt: p['prompt'],
        options: p['options'],
        mode: p['mode'],
        time_limit: p['time_limit'],
        closes_at: num(p, 'time_limit') > 0 ? p['closes_at'] : undefined,
        free_text: p['free_text'],
        confidence: p['ask_confidence'],
        rationale: p['ask_rationale'],
        default: p['default'],
        settle_on_answer: p['settle_on_answer'],
      };
      break;
    case 'decision_answered':
      out['answer'] = wireAnswer(p);
      break;
    case 'decision_closed':
      out['answer'] = wireAnswer(p);
      out['expired'] = str(p, 'settled') === 'expired';
      out['by_default'] = str(p, 'settled') === 'default';
      out['votes'] = p['votes'];
      out['tie'] = p['tie'];
      break;
    case 'decision_extended':
      out['extension'] = { decision: p['decision'], team: p['team'], by: p['by'], closes_at: p['closes_at'], time_limit: p['time_limit'] };
      break;
    case 'effect_applied':
      out['effect'] = { var: p['var'], value: p['new'] };
      break;
    case 'transition_taken':
      out['transition'] = { from: p['from_state'], to: p['to_state'], label: p['label'] };
      break;
    case 'outcome_reached':
      out['outcome'] = { outcome: p['outcome'], title: p['title'], rating: p['rating'], debrief: p['debrief'], reason: p['reason'] };
      break;
  }
  return out;
}

/**
 * What a frame says about the exercise clock. The server sends no clock
 * reading, so the page rebuilds it from the events every team sees:
 * exercise_started {speed}, exercise_paused, exercise_resumed,
 * speed_changed {speed}, clock_skipped {to}; each carries the exercise clock
 * ("at", ns) and the server's wall time when it happened.
 */
export interface ClockEvent {
  kind: 'started' | 'paused' | 'resumed' | 'speed' | 'skipped';
  /** Exercise clock, ns. */
  atNs: number;
  /** Server wall time, ms since the epoch (NaN when unreadable). */
  wallMs: number;
  /** started and speed: the new speed; otherwise null. */
  speed: number | null;
}

const CLOCK_KINDS: Record<string, ClockEvent['kind']> = {
  exercise_started: 'started',
  exercise_paused: 'paused',
  exercise_resumed: 'resumed',
  speed_changed: 'speed',
  clock_skipped: 'skipped',
};

export function adaptClockEvent(f: unknown): ClockEvent | null {
  if (!isObj(f) || !isWireFrame(f)) return null;
  const kind = CLOCK_KINDS[str(f, 'kind')];
  if (!kind) return null;
  const p = f['payload'] as Obj;
  const speed = optNum(p, 'speed');
  return {
    kind,
    atNs: num(f, 'at'),
    wallMs: parseServerTime(f['wall_time']),
    speed: (kind === 'started' || kind === 'speed') && speed !== null && speed > 0 ? speed : null,
  };
}

/**
 * Milliseconds since the epoch of an RFC 3339 time the server wrote (NaN when
 * unreadable). The server writes nanoseconds; the fraction is cut to
 * milliseconds first, since not every browser's Date.parse takes more digits.
 */
export function parseServerTime(v: unknown): number {
  if (typeof v !== 'string') return NaN;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(v.trim());
  if (!m) return NaN;
  return Date.parse(`${m[1]}${(m[2] ?? '').slice(0, 4)}${m[3]}`);
}

// ---------------------------------------------------------------------------
// Presence frames (not in the log, no seq). The server coalesces changes and
// sends at most about one frame a second:
//   staff:        {"type":"presence","changes":[{participant,name,team,online,status}…],"teams":{"comms":3}}
//   participants: {"type":"presence","teams":{"<own team>":3}}
// `changes` holds the latest state of each participant that changed since the
// previous frame; `teams` the online count of each team whose count changed.

/** One participant's presence: online or not, active or idle. */
export interface PresenceChange {
  participant: string;
  name: string;
  team: string;
  online: boolean;
  /** active | idle while online. */
  status: string;
}

export interface PresenceBatch {
  changes: PresenceChange[];
  /** Team id -> participants online, for the teams whose count changed. */
  teams: Record<string, number>;
}

/** One entry of `changes` (also the shape of the `online` list of GET /api/exercises/:id). */
export function adaptPresenceChange(v: unknown): PresenceChange | null {
  if (!isObj(v) || !str(v, 'participant')) return null;
  return { participant: str(v, 'participant'), name: str(v, 'name'), team: str(v, 'team'), online: bool(v, 'online'), status: str(v, 'status') };
}

/** A presence frame, or null for any other frame. */
export function adaptPresenceFrame(f: unknown): PresenceBatch | null {
  if (!isObj(f) || f['type'] !== 'presence') return null;
  const changes = Array.isArray(f['changes'])
    ? f['changes'].map(adaptPresenceChange).filter((c): c is PresenceChange => c !== null)
    : [];
  const teams: Record<string, number> = {};
  const t = f['teams'];
  if (isObj(t)) {
    for (const [k, n] of Object.entries(t)) {
      if (k && typeof n === 'number' && Number.isFinite(n) && n >= 0) teams[k] = Math.floor(n);
    }
  }
  return { changes, teams };
}

/** Team membership: participant_joined/left/moved and lead_changed (the team's own). */
export interface RosterEvent {
  kind: 'joined' | 'left' | 'lead' | 'moved';
  participant: string;
  /** moved: the team they are in now. */
  team: string;
  /** moved: the team they left; '' otherwise. */
  from: string;
  /** joined and moved. */
  name: string;
  /** joined, moved: whether they lead (the new team); lead: always true. */
  lead: boolean;
}

export function adaptRosterEvent(f: unknown): RosterEvent | null {
  if (!isObj(f) || !isWireFrame(f)) return null;
  const p = f['payload'] as Obj;
  const participant = str(p, 'participant');
  if (!participant) return null;
  switch (str(f, 'kind')) {
    case 'participant_joined':
      return { kind: 'joined', participant, team: str(p, 'team'), from: '', name: str(p, 'name'), lead: bool(p, 'lead') };
    case 'participant_left':
      return { kind: 'left', participant, team: str(p, 'team'), from: '', name: '', lead: false };
    case 'lead_changed':
      return { kind: 'lead', participant, team: str(p, 'team'), from: '', name: '', lead: true };
    case 'participant_moved':
      if (!str(p, 'to')) return null;
      return { kind: 'moved', participant, team: str(p, 'to'), from: str(p, 'from'), name: str(p, 'name'), lead: bool(p, 'lead') };
  }
  return null;
}

/** An observer's or facilitator's note (note_added). */
export interface NoteView {
  seq: number;
  atNs: number;
  wallTime: string;
  author: string;
  team: string;
  objective: string;
  text: string;
}

export function adaptNote(f: unknown): NoteView | null {
  if (!isObj(f) || !isWireFrame(f) || str(f, 'kind') !== 'note_added') return null;
  const p = f['payload'] as Obj;
  const text = str(p, 'text');
  if (!text) return null;
  return {
    seq: num(f, 'seq'),
    atNs: num(f, 'at'),
    wallTime: str(f, 'wall_time'),
    author: str(p, 'author'),
    team: str(p, 'team'),
    objective: str(p, 'objective'),
    text,
  };
}

/** The server's close of an exercise's life cycle: true for the event that ends it. */
export function isEndFrame(f: unknown): boolean {
  return isObj(f) && isWireFrame(f) && str(f, 'kind') === 'outcome_reached';
}

/** Objective ids an inject or decision frame is tagged with. */
export function objectivesOf(f: unknown): string[] {
  if (!isObj(f) || !isWireFrame(f)) return [];
  return strList(f['payload'] as Obj, 'objectives');
}

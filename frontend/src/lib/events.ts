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
  'effect_applied',
  'transition_taken',
  'outcome_reached',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export type DecisionMode = 'first' | 'lead' | 'vote';

export interface Persona {
  name: string;
  handle: string;
  /** One or two characters shown in the avatar circle. */
  avatar: string;
  org: string;
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
  rating: string;
  /** Markdown. */
  debrief: string;
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
  /** decision_closed: the decision closed without any team answer. */
  expired: boolean;
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
  return { name: name || handle, handle, avatar: avatarInitial(str(v, 'avatar'), name || handle), org: str(v, 'org') };
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
    engagement: isObj(eng)
      ? { likes: count(eng, 'likes'), reposts: count(eng, 'reposts'), replies: count(eng, 'replies') }
      : null,
    teams: strList(v, 'teams'),
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

function adaptOutcome(o: Obj): OutcomeView | null {
  const outcome = str(o, 'outcome');
  if (!outcome) return null;
  return { outcome, rating: str(o, 'rating'), debrief: str(o, 'debrief') };
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
export function adaptEvent(raw: unknown): FeedEvent | null {
  if (!isObj(raw)) return null;
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
    expired: bool(raw, 'expired'),
  };

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
    case 'effect_applied':
      ev.effect = adaptEffect(nested(raw, 'effect'));
      return ev.effect ? ev : null;
    case 'transition_taken':
      ev.transition = adaptTransition(nested(raw, 'transition'));
      return ev.transition ? ev : null;
    case 'outcome_reached':
      ev.outcome = adaptOutcome(nested(raw, 'outcome'));
      return ev.outcome ? ev : null;
  }
}

/** The decision id an event is about, if any. */
export function decisionIdOf(ev: FeedEvent): string {
  return ev.decision?.id || ev.answer?.decision || '';
}

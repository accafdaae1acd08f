// An exercise's evaluation in the browser (issue #19): what
// GET /api/exercises/:id/evaluation answers (server/eval's Evaluation),
// folded with the live `rating_submitted` and `corrective_action_saved`
// frames, so the console's Evaluation tab and the observer's rating form
// update as raters work; the evidence a rating may cite (decisions, notes,
// messages and chat from the log); and the checks and bodies of the `rate`
// and `corrective_action` messages. No DOM here.
//
// Folding is by seq: a rater's latest (objective, task) rating replaces an
// earlier one whichever arrives first (the GET or the frame), a rating ""
// withdraws it, and a corrective action's latest save wins (deleted ones
// leave the plan). So the order of the GET and the socket's catch-up does
// not matter, and a replayed frame changes nothing.

import { roomLabel, roomTeams } from './world';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Obj, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
const num = (o: Obj, k: string, d = 0): number => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : d);
const strs = (o: Obj, k: string): string[] => (Array.isArray(o[k]) ? (o[k] as unknown[]).filter((x): x is string => typeof x === 'string') : []);
const nums = (o: Obj, k: string): number[] => (Array.isArray(o[k]) ? (o[k] as unknown[]).filter((x): x is number => typeof x === 'number' && Number.isSafeInteger(x)) : []);
const objs = (o: Obj, k: string): Obj[] => (Array.isArray(o[k]) ? (o[k] as unknown[]).filter(isObj) : []);

/** The HSEEP scale, best first. */
export type Rating = 'P' | 'S' | 'M' | 'U';
export const RATINGS: readonly Rating[] = ['P', 'S', 'M', 'U'];

/** The scale's words, as the evaluation guides print them. */
export const RATING_WORDS: Record<Rating, { short: string; long: string }> = {
  P: { short: 'Performed without challenges', long: 'The target was met; no other activity suffered, no added risk, done as plans and procedures say.' },
  S: { short: 'Performed with some challenges', long: 'Met, and nothing else suffered, but there are clear ways to do it better or faster.' },
  M: { short: 'Performed with major challenges', long: 'Met, but it hurt other activities, added risk, or departed from plans and procedures.' },
  U: { short: 'Unable to be performed', long: 'Not met.' },
};

export const isRating = (v: string): v is Rating => (RATINGS as readonly string[]).includes(v);

/** The capability elements a corrective action addresses (eval.Elements). */
export const ELEMENTS = ['planning', 'organisation', 'equipment', 'training', 'exercise'] as const;

export interface RatingEntry {
  seq: number;
  rater: string;
  raterName: string;
  objective: string;
  task: string;
  rating: Rating;
  explanation: string;
  strengths: string[];
  improvements: string[];
  evidence: number[];
  final: boolean;
  at: string;
}

export interface MeasureResult {
  met: boolean;
  values: Record<string, unknown>;
  source: string;
}

export interface MilestoneResult {
  id: string;
  title: string;
  task: string;
  met: boolean;
  done: number;
  due: number;
  how: string;
}

export interface TaskEval {
  id: string;
  title: string;
  teams: string[];
  ratings: RatingEntry[];
  final: RatingEntry | null;
}

export interface DecisionResult {
  decision: string;
  title: string;
  team: string;
  option: string;
  label: string;
  reason: string;
  score: number | null;
  expected: boolean | null;
  confidence: number;
  minutes: number;
  alignment: number;
  seq: number;
}

export interface ObjectiveEval {
  id: string;
  title: string;
  capability: string;
  met: string;
  teams: string[];
  measure: MeasureResult | null;
  milestones: MilestoneResult[];
  tasks: TaskEval[];
  ratings: RatingEntry[];
  final: RatingEntry | null;
  decisions: DecisionResult[];
}

export interface Score {
  points: number;
  max: number;
  count: number;
  expected: number;
  of: number;
  how: string;
}

export interface TeamMeasures {
  team: string;
  name: string;
  medianResponse: number;
  quality: Score;
  weighted: Score;
  alignment: number;
  decisions: DecisionResult[];
  how: string;
}

export interface CorrectiveAction {
  id: string;
  version: number;
  objective: string;
  capability: string;
  issue: string;
  action: string;
  element: string;
  owner: string;
  contact: string;
  start: string;
  due: string;
  deleted: boolean;
  seq: number;
  at: string;
}

export interface Evaluation {
  objectives: ObjectiveEval[];
  teams: TeamMeasures[];
  plan: CorrectiveAction[];
}

export const emptyEvaluation: Evaluation = { objectives: [], teams: [], plan: [] };

// --- adapters (wire → typed, every field defaulted) ------------------------

export function adaptRating(o: Obj): RatingEntry | null {
  const rating = str(o, 'rating');
  const objective = str(o, 'objective');
  if (!objective || !isRating(rating)) return null;
  return {
    seq: num(o, 'seq'),
    rater: str(o, 'rater'),
    raterName: str(o, 'rater_name'),
    objective,
    task: str(o, 'task'),
    rating,
    explanation: str(o, 'explanation'),
    strengths: strs(o, 'strengths'),
    improvements: strs(o, 'improvements'),
    evidence: nums(o, 'evidence'),
    final: o['final'] === true,
    at: str(o, 'at'),
  };
}

const ratingsOf = (o: Obj): RatingEntry[] => objs(o, 'ratings').map(adaptRating).filter((r): r is RatingEntry => r !== null);
const finalOf = (o: Obj): RatingEntry | null => (isObj(o['final']) ? adaptRating(o['final']) : null);

function adaptDecision(d: Obj): DecisionResult {
  return {
    decision: str(d, 'decision'),
    title: str(d, 'title'),
    team: str(d, 'team'),
    option: str(d, 'option'),
    label: str(d, 'label'),
    reason: str(d, 'reason'),
    score: typeof d['score'] === 'number' ? (d['score'] as number) : null,
    expected: typeof d['expected'] === 'boolean' ? (d['expected'] as boolean) : null,
    confidence: num(d, 'confidence'),
    minutes: num(d, 'minutes', -1),
    alignment: num(d, 'alignment', -1),
    seq: num(d, 'seq'),
  };
}

function adaptScore(o: Obj): Score {
  return { points: num(o, 'points'), max: num(o, 'max'), count: num(o, 'count'), expected: num(o, 'expected'), of: num(o, 'of'), how: str(o, 'how') };
}

export function adaptAction(o: Obj): CorrectiveAction | null {
  const id = str(o, 'id');
  if (!id) return null;
  return {
    id,
    version: num(o, 'version'),
    objective: str(o, 'objective'),
    capability: str(o, 'capability'),
    issue: str(o, 'issue'),
    action: str(o, 'action'),
    element: str(o, 'element'),
    owner: str(o, 'owner'),
    contact: str(o, 'contact'),
    start: str(o, 'start'),
    due: str(o, 'due'),
    deleted: o['deleted'] === true,
    seq: num(o, 'seq'),
    at: str(o, 'at'),
  };
}

/** An Evaluation as the server sends it (the value of `evaluation`), read defensively. */
export function adaptEvaluation(v: unknown): Evaluation {
  if (!isObj(v)) return emptyEvaluation;
  return {
    objectives: objs(v, 'objectives')
      .filter((o) => str(o, 'id') !== '')
      .map((o) => ({
        id: str(o, 'id'),
        title: str(o, 'title') || str(o, 'id'),
        capability: str(o, 'capability'),
        met: str(o, 'met'),
        teams: strs(o, 'teams'),
        measure: isObj(o['measure'])
          ? { met: (o['measure'] as Obj)['met'] === true, values: isObj((o['measure'] as Obj)['values']) ? ((o['measure'] as Obj)['values'] as Obj) : {}, source: str(o['measure'] as Obj, 'source') }
          : null,
        milestones: objs(o, 'milestones').map((m) => ({
          id: str(m, 'id'),
          title: str(m, 'title') || str(m, 'id'),
          task: str(m, 'task'),
          met: m['met'] === true,
          done: num(m, 'done', -1),
          due: num(m, 'due', -1),
          how: str(m, 'how'),
        })),
        tasks: objs(o, 'tasks')
          .filter((t) => str(t, 'id') !== '')
          .map((t) => ({ id: str(t, 'id'), title: str(t, 'title') || str(t, 'id'), teams: strs(t, 'teams'), ratings: ratingsOf(t), final: finalOf(t) })),
        ratings: ratingsOf(o),
        final: finalOf(o),
        decisions: objs(o, 'decisions').map(adaptDecision),
      })),
    teams: objs(v, 'teams').map((t) => ({
      team: str(t, 'team'),
      name: str(t, 'name') || str(t, 'team'),
      medianResponse: num(t, 'median_response', -1),
      quality: adaptScore(isObj(t['quality']) ? t['quality'] : {}),
      weighted: adaptScore(isObj(t['weighted']) ? t['weighted'] : {}),
      alignment: num(t, 'alignment', -1),
      decisions: objs(t, 'decisions').map(adaptDecision),
      how: str(t, 'how'),
    })),
    plan: objs(v, 'plan')
      .map(adaptAction)
      .filter((a): a is CorrectiveAction => a !== null && !a.deleted),
  };
}

// --- live folding -----------------------------------------------------------

/** What the frames said since the page opened, kept apart from the GET's answer so either may come first. */
export interface EvalState {
  base: Evaluation | null;
  /** key(objective, task, rater) → the latest rating frame (entry null: withdrawn). */
  ratings: Record<string, { seq: number; entry: RatingEntry | null }>;
  /** action id → its latest save. */
  actions: Record<string, CorrectiveAction>;
  /** Action ids in the order first seen (the plan's order). */
  order: string[];
}

export const initialEval = (): EvalState => ({ base: null, ratings: {}, actions: {}, order: [] });

const rkey = (objective: string, task: string, rater: string) => `${objective}\u0000${task}\u0000${rater}`;
const fkey = (objective: string, task: string) => `${objective}\u0000${task}`;

/** Set the GET's answer (again after a reconnect: frames newer than it still win). */
export function withBase(st: EvalState, ev: Evaluation): EvalState {
  return { ...st, base: ev };
}

function frameParts(f: unknown): { seq: number; kind: string; at: string; p: Obj } | null {
  if (!isObj(f)) return null;
  if (typeof f['type'] === 'string' && f['type'] !== 'event') return null;
  const seq = f['seq'];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return null;
  const p = isObj(f['payload']) ? f['payload'] : f;
  return { seq, kind: str(f, 'kind'), at: str(f, 'wall_time'), p };
}

/** Fold one log frame; any other frame returns the state unchanged (the same object). */
export function reduceEval(st: EvalState, frame: unknown): EvalState {
  const fp = frameParts(frame);
  if (!fp) return st;
  const { seq, kind, at, p } = fp;
  if (kind === 'rating_submitted') {
    const objective = str(p, 'objective');
    const rater = str(p, 'rater');
    if (!objective || !rater) return st;
    const task = str(p, 'task');
    const entry = adaptRating({ ...p, seq, at: str(p, 'at') || at });
    const k = rkey(objective, task, rater);
    if ((st.ratings[k]?.seq ?? 0) >= seq) return st;
    return { ...st, ratings: { ...st.ratings, [k]: { seq, entry } } };
  }
  if (kind === 'corrective_action_saved') {
    const a = adaptAction({ ...p, seq, at: str(p, 'at') || at });
    if (!a) return st;
    const old = st.actions[a.id];
    if (old && old.seq >= seq) return st;
    return { ...st, actions: { ...st.actions, [a.id]: a }, order: old || st.order.includes(a.id) ? st.order : [...st.order, a.id] };
  }
  return st;
}

/** Merge a list of the GET's ratings with the newer frames for the same (objective, task). */
function mergeRatings(base: RatingEntry[], st: EvalState, objective: string, task: string): RatingEntry[] {
  const out = new Map<string, RatingEntry>();
  for (const r of base) out.set(r.rater, r);
  const prefix = fkey(objective, task) + '\u0000';
  for (const [k, v] of Object.entries(st.ratings)) {
    if (!k.startsWith(prefix)) continue;
    const rater = k.slice(prefix.length);
    const had = out.get(rater);
    if (had && had.seq >= v.seq) continue;
    if (v.entry) out.set(rater, v.entry);
    else out.delete(rater);
  }
  // The facilitator's first, then by name.
  return [...out.values()].sort((a, b) => Number(b.rater === 'facilitator') - Number(a.rater === 'facilitator') || a.raterName.localeCompare(b.raterName) || a.seq - b.seq);
}

/**
 * The settled rating, as server/eval computes it: the facilitator's latest
 * rating when it is final (only the facilitator may settle), so a later
 * rating that is not final, or a withdrawal, unsettles it.
 */
const settled = (ratings: RatingEntry[]) => ({ ratings, final: ratings.find((r) => r.final) ?? null });

/** The evaluation as it stands: the GET's answer with every newer frame applied. */
export function evalView(st: EvalState): Evaluation {
  const base = st.base ?? emptyEvaluation;
  const objectives = base.objectives.map((o) => ({
    ...o,
    ...settled(mergeRatings(o.ratings, st, o.id, '')),
    tasks: o.tasks.map((t) => ({ ...t, ...settled(mergeRatings(t.ratings, st, o.id, t.id)) })),
  }));
  const plan: CorrectiveAction[] = [];
  const seen = new Set<string>();
  for (const a of base.plan) {
    seen.add(a.id);
    const live = st.actions[a.id];
    const cur = live && live.seq > a.seq ? live : a;
    if (!cur.deleted) plan.push(cur);
  }
  for (const id of st.order) {
    if (seen.has(id)) continue;
    const a = st.actions[id];
    if (a && !a.deleted) plan.push(a);
  }
  return { objectives, teams: base.teams, plan };
}

/** The rater's own current rating of (objective, task), to fill their form. */
export function ownRating(ev: Evaluation, objective: string, task: string, rater: string): RatingEntry | null {
  const o = ev.objectives.find((x) => x.id === objective);
  if (!o) return null;
  const list = task ? (o.tasks.find((t) => t.id === task)?.ratings ?? []) : o.ratings;
  return list.find((r) => r.rater === rater) ?? null;
}

/** The next version an action will get (shown before saving); the engine assigns the real one. */
export function nextVersion(ev: Evaluation, id: string): number {
  return (ev.plan.find((a) => a.id === id)?.version ?? 0) + 1;
}

// --- evidence ---------------------------------------------------------------

export type EvidenceKind = 'decision' | 'note' | 'message' | 'chat';

export interface EvidenceItem {
  seq: number;
  kind: EvidenceKind;
  /** One line: what it was and who. */
  label: string;
  team: string;
  objective: string;
}

const short = (s: string, max = 90) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
};

/** The evidence a frame offers (a settled decision, a note, a message in the world, a chat line), or null. */
export function evidenceOf(
  frame: unknown,
  names: { team?: (id: string) => string; person?: (id: string) => string; decision?: (id: string) => string } = {},
): EvidenceItem | null {
  const fp = frameParts(frame);
  if (!fp) return null;
  const { seq, kind, p } = fp;
  const team = str(p, 'team');
  const tn = team ? (names.team?.(team) ?? team) : '';
  const who = (pid: string) => (pid ? names.person?.(pid) || '' : '');
  switch (kind) {
    case 'decision_closed': {
      const choice = str(p, 'option_label') || str(p, 'option') || short(str(p, 'text'), 60) || str(p, 'settled') || 'no answer';
      const d = str(p, 'decision');
      return { seq, kind: 'decision', label: `Decision “${names.decision?.(d) || d}”${tn ? ` (${tn})` : ''}: ${choice}`, team, objective: '' };
    }
    case 'note_added': {
      const author = str(p, 'author').replace(/^facilitator:/, '');
      return { seq, kind: 'note', label: `Note${author ? ` by ${author}` : ''}: ${short(str(p, 'text'))}`, team, objective: str(p, 'objective') };
    }
    case 'message_sent': {
      const action = str(p, 'action');
      const body = short(str(p, 'title') || str(p, 'body'));
      const by = action === 'persona' ? str(p, 'persona_name') || str(p, 'persona') : [who(str(p, 'participant')), tn && `(${tn})`].filter(Boolean).join(' ');
      const verb = action === 'publish' ? `published on ${str(p, 'outlet_name') || str(p, 'outlet')}` : action === 'persona' ? `answered ${tn}` : action === 'compose' ? `wrote to ${str(p, 'persona_name') || str(p, 'persona')}` : 'replied';
      return { seq, kind: 'message', label: `${by || 'Someone'} ${verb}: ${body}`, team, objective: '' };
    }
    case 'chat_posted': {
      const by = p['by_facilitator'] === true ? 'Facilitator' : str(p, 'name') || who(str(p, 'participant')) || 'Someone';
      const room = str(p, 'room');
      const teamNames = Object.fromEntries(roomTeams(room).map((t) => [t, names.team?.(t) ?? t]));
      return { seq, kind: 'chat', label: `Chat in ${roomLabel(room, teamNames)} — ${by}: ${short(str(p, 'body'))}`, team, objective: '' };
    }
  }
  return null;
}

/** Add a frame's evidence to a list kept in log order (a repeat changes nothing; same list back). */
export function addEvidence(list: EvidenceItem[], frame: unknown, names?: Parameters<typeof evidenceOf>[1]): EvidenceItem[] {
  const it = evidenceOf(frame, names);
  if (!it || list.some((x) => x.seq === it.seq)) return list;
  const out = [...list, it];
  if (out.length > 1 && out[out.length - 2].seq > it.seq) out.sort((a, b) => a.seq - b.seq);
  return out;
}

// --- forms and wire bodies --------------------------------------------------

export const MAX_TEXT = 4000;
export const MAX_ITEMS = 20;
export const MAX_ITEM = 1000;
export const MAX_EVIDENCE = 50;
export const MAX_ACTION_ID = 64;

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** One list item a line; blank lines dropped. */
export const lines = (s: string): string[] =>
  s
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean);

export interface RatingForm {
  rating: Rating | '';
  explanation: string;
  /** One strength a line. */
  strengths: string;
  /** One area for improvement a line. */
  improvements: string;
  evidence: number[];
}

export const emptyRatingForm = (): RatingForm => ({ rating: '', explanation: '', strengths: '', improvements: '', evidence: [] });

/** A form filled from the rater's current rating. */
export function formOf(r: RatingEntry | null): RatingForm {
  if (!r) return emptyRatingForm();
  return { rating: r.rating, explanation: r.explanation, strengths: r.strengths.join('\n'), improvements: r.improvements.join('\n'), evidence: [...r.evidence] };
}

/** What is wrong with a rating form, field by field ({} when it can be sent). */
export function ratingProblems(f: RatingForm): Partial<Record<keyof RatingForm, string>> {
  const out: Partial<Record<keyof RatingForm, string>> = {};
  if (!f.rating) out.rating = 'Choose a rating: P, S, M or U.';
  if (bytes(f.explanation) > MAX_TEXT) out.explanation = `The explanation is too long (at most ${MAX_TEXT} bytes).`;
  for (const k of ['strengths', 'improvements'] as const) {
    const l = lines(f[k]);
    const what = k === 'strengths' ? 'strengths' : 'areas for improvement';
    if (l.length > MAX_ITEMS) out[k] = `At most ${MAX_ITEMS} ${what}, one a line.`;
    else if (l.some((x) => bytes(x) > MAX_ITEM)) out[k] = `Each of the ${what} may have at most ${MAX_ITEM} bytes.`;
  }
  if (f.evidence.length > MAX_EVIDENCE) out.evidence = `Cite at most ${MAX_EVIDENCE} events.`;
  return out;
}

/** The `rate` message's fields (REST POST /ratings takes the same body). */
export function rateBody(objective: string, task: string, f: RatingForm, final = false): Obj {
  const b: Obj = { objective, rating: f.rating };
  if (task) b.task = task;
  if (f.explanation.trim()) b.explanation = f.explanation.trim();
  const s = lines(f.strengths);
  if (s.length) b.strengths = s;
  const i = lines(f.improvements);
  if (i.length) b.improvements = i;
  if (f.evidence.length) b.evidence = [...f.evidence].sort((a, z) => a - z);
  if (final) b.final = true;
  return b;
}

/** Withdraw the rater's rating of (objective, task). */
export const withdrawBody = (objective: string, task: string): Obj => (task ? { objective, task, rating: '' } : { objective, rating: '' });

export interface ActionForm {
  /** Empty for a new action: actionBody makes one. */
  id: string;
  objective: string;
  capability: string;
  issue: string;
  action: string;
  element: string;
  owner: string;
  contact: string;
  start: string;
  due: string;
}

export const emptyActionForm = (): ActionForm => ({ id: '', objective: '', capability: '', issue: '', action: '', element: '', owner: '', contact: '', start: '', due: '' });

export function actionFormOf(a: CorrectiveAction): ActionForm {
  return { id: a.id, objective: a.objective, capability: a.capability, issue: a.issue, action: a.action, element: a.element, owner: a.owner, contact: a.contact, start: a.start, due: a.due };
}

/** A real calendar date written YYYY-MM-DD. */
export function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

export function actionProblems(f: ActionForm): Partial<Record<keyof ActionForm, string>> {
  const out: Partial<Record<keyof ActionForm, string>> = {};
  if (!f.issue.trim()) out.issue = 'Say what needs improving (the issue).';
  if (!f.action.trim()) out.action = 'Say what will be done (the corrective action).';
  for (const k of ['issue', 'action'] as const) if (!out[k] && bytes(f[k]) > MAX_TEXT) out[k] = `At most ${MAX_TEXT} bytes.`;
  for (const k of ['capability', 'owner', 'contact'] as const) if (bytes(f[k]) > MAX_ITEM) out[k] = `At most ${MAX_ITEM} bytes.`;
  if (f.element && !(ELEMENTS as readonly string[]).includes(f.element)) out.element = 'Choose one of the capability elements.';
  for (const k of ['start', 'due'] as const) if (f[k] && !isDate(f[k])) out[k] = 'A date as YYYY-MM-DD.';
  if (!out.start && !out.due && f.start && f.due && f.due < f.start) out.due = 'The completion date is before the start.';
  if (bytes(f.id) > MAX_ACTION_ID) out.id = 'The id is too long.';
  return out;
}

/** A new action id: short, unique enough within one exercise. */
export function newActionId(rand: () => number = Math.random, now: () => number = Date.now): string {
  return `ca-${now().toString(36)}-${Math.floor(rand() * 36 ** 6).toString(36).padStart(6, '0')}`;
}

/**
 * The `corrective_action` message's fields (REST POST /corrective-actions
 * takes the same body). The line's id goes as `action_id`: on the wire `id`
 * is the message's idempotency key; the saved event calls it `id` again.
 */
export function actionBody(f: ActionForm, id: string): Obj {
  const b: Obj = { action_id: id, issue: f.issue.trim(), action: f.action.trim() };
  for (const k of ['objective', 'capability', 'element', 'owner', 'contact', 'start', 'due'] as const) if (f[k].trim()) b[k] = f[k].trim();
  return b;
}

export const deleteActionBody = (a: CorrectiveAction): Obj => ({ action_id: a.id, deleted: true });

/** A rating in words: "S — Performed with some challenges". */
export const ratingLabel = (r: Rating | '') => (r ? `${r} — ${RATING_WORDS[r].short}` : 'Not rated');

/** A milestone's line: "done at minute 8, due 10: met". */
export function milestoneLine(m: MilestoneResult): string {
  const done = m.done >= 0 ? `done at minute ${fmtMin(m.done)}` : 'not done';
  const due = m.due >= 0 ? `due by minute ${fmtMin(m.due)}` : 'no deadline could be computed';
  return `${done}, ${due}: ${m.met ? 'met' : 'missed'}`;
}

export const fmtMin = (m: number) => (Number.isInteger(m) ? String(m) : m.toFixed(1));

/** All final ratings as AAR rows: objective × capability × final rating (tasks under their objective). */
export function aarRows(ev: Evaluation): { objective: string; task: string; title: string; capability: string; final: RatingEntry | null }[] {
  const out: { objective: string; task: string; title: string; capability: string; final: RatingEntry | null }[] = [];
  for (const o of ev.objectives) {
    out.push({ objective: o.id, task: '', title: o.title, capability: o.capability, final: o.final });
    for (const t of o.tasks) if (t.final) out.push({ objective: o.id, task: t.id, title: t.title, capability: o.capability, final: t.final });
  }
  return out;
}

/** Strengths and areas for improvement of an objective: from its final rating, else from every rating, without repeats. */
export function findings(o: ObjectiveEval): { strengths: string[]; improvements: string[] } {
  const src = o.final ? [o.final, ...o.tasks.map((t) => t.final).filter((x): x is RatingEntry => !!x)] : [...o.ratings, ...o.tasks.flatMap((t) => t.ratings)];
  const uniq = (l: string[]) => [...new Set(l)];
  return { strengths: uniq(src.flatMap((r) => r.strengths)), improvements: uniq(src.flatMap((r) => r.improvements)) };
}

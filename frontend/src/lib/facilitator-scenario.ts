// The scenario model as the facilitator's pages need it: states and their
// transitions for the branch graph, decisions and options for labels,
// variables with their bounds, objectives for the report. Adapted from the
// JSON of GET /api/scenarios/:id and /api/exercises/:id/scenario.

import { isObj, type Obj } from './facilitator';

export interface ModelOption {
  id: string;
  label: string;
  /** Facilitator-only notes of the format. */
  notes: string;
}

export interface ModelDecision {
  id: string;
  team: string;
  prompt: string;
  options: ModelOption[];
  mode: string;
  timeLimitNs: number;
  defaultOption: string;
  objectives: string[];
  /** Facilitator-only notes of the format. */
  notes: string;
}

export interface ModelInject {
  id: string;
  atNs: number;
  teams: string[];
  channel: string;
  title: string;
  objectives: string[];
  /** Persona id of the sender, or ''. */
  from: string;
  /** Facilitator-only notes of the format. */
  notes: string;
}

export interface ModelTransition {
  to: string;
  when: string;
  afterNs: number;
  label: string;
}

export interface ModelState {
  id: string;
  title: string;
  description: string;
  notes: string;
  discussion: string[];
  outcome: string;
  rating: string;
  debrief: string;
  injects: ModelInject[];
  decisions: ModelDecision[];
  transitions: ModelTransition[];
}

export interface ModelVariable {
  id: string;
  type: string;
  initial: string | number | boolean | null;
  min: number | null;
  max: number | null;
  label: string;
  description: string;
  visible: boolean;
}

export interface ModelObjective {
  id: string;
  title: string;
  capability: string;
  met: string;
  teams: string[];
}

export interface ModelPersona {
  id: string;
  name: string;
  handle: string;
  org: string;
  avatar: string;
  /** Facilitator-facing: who the persona is. */
  role: string;
}

export interface ModelParameter {
  id: string;
  label: string;
  default: string;
}

export interface ScenarioModel {
  id: string;
  title: string;
  summary: string;
  durationNs: number;
  start: string;
  parameters: ModelParameter[];
  teams: { id: string; name: string }[];
  objectives: ModelObjective[];
  /** role: the facilitator-facing description of who the persona is. */
  personas: ModelPersona[];
  variables: ModelVariable[];
  states: ModelState[];
}

const s = (o: Obj, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
const n = (o: Obj, k: string): number => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : 0);
const objs = (o: Obj, k: string): Obj[] => (Array.isArray(o[k]) ? (o[k] as unknown[]).filter(isObj) : []);
const strs = (o: Obj, k: string): string[] =>
  Array.isArray(o[k]) ? (o[k] as unknown[]).filter((x): x is string => typeof x === 'string') : [];
const optN = (o: Obj, k: string): number | null => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : null);
/** An expression is {"src": "..."} on the wire. */
const exprSrc = (o: Obj, k: string): string => {
  const v = o[k];
  return isObj(v) ? s(v, 'src') : typeof v === 'string' ? v : '';
};

export const emptyModel: ScenarioModel = {
  id: '',
  title: '',
  summary: '',
  durationNs: 0,
  start: '',
  parameters: [],
  teams: [],
  objectives: [],
  personas: [],
  variables: [],
  states: [],
};

export function adaptScenario(raw: unknown): ScenarioModel {
  if (!isObj(raw)) return emptyModel;
  return {
    id: s(raw, 'id'),
    title: s(raw, 'title'),
    summary: s(raw, 'summary'),
    durationNs: n(raw, 'duration'),
    start: s(raw, 'start'),
    parameters: objs(raw, 'parameters').map((p) => ({ id: s(p, 'id'), label: s(p, 'label'), default: s(p, 'default') })),
    teams: objs(raw, 'teams').map((t) => ({ id: s(t, 'id'), name: s(t, 'name') || s(t, 'id') })),
    objectives: objs(raw, 'objectives').map((o) => ({
      id: s(o, 'id'),
      title: s(o, 'title') || s(o, 'id'),
      capability: s(o, 'capability'),
      met: s(o, 'met'),
      teams: strs(o, 'teams'),
    })),
    personas: objs(raw, 'personas').map((p) => ({
      id: s(p, 'id'),
      name: s(p, 'name') || s(p, 'id'),
      handle: s(p, 'handle'),
      org: s(p, 'org'),
      avatar: s(p, 'avatar'),
      role: s(p, 'role'),
    })),
    variables: objs(raw, 'variables').map((v) => {
      const init = v['initial'];
      return {
        id: s(v, 'id'),
        type: s(v, 'type'),
        initial: typeof init === 'string' || typeof init === 'boolean' || typeof init === 'number' ? init : null,
        min: optN(v, 'min'),
        max: optN(v, 'max'),
        label: s(v, 'label'),
        description: s(v, 'description'),
        visible: v['visible'] === true,
      };
    }),
    states: objs(raw, 'states').map((st) => ({
      id: s(st, 'id'),
      title: s(st, 'title') || s(st, 'id'),
      description: s(st, 'description'),
      notes: s(st, 'facilitator_notes'),
      discussion: strs(st, 'discussion'),
      outcome: s(st, 'outcome'),
      rating: s(st, 'rating'),
      debrief: s(st, 'debrief'),
      injects: objs(st, 'injects').map((i) => ({
        id: s(i, 'id'),
        atNs: n(i, 'at'),
        teams: strs(i, 'teams'),
        channel: s(i, 'channel'),
        title: s(i, 'title'),
        objectives: strs(i, 'objectives'),
        from: s(i, 'from'),
        notes: s(i, 'notes'),
      })),
      decisions: objs(st, 'decisions').map((d) => ({
        id: s(d, 'id'),
        team: s(d, 'team'),
        prompt: s(d, 'prompt'),
        options: objs(d, 'options').map((o) => ({ id: s(o, 'id'), label: s(o, 'label') || s(o, 'id'), notes: s(o, 'notes') })),
        mode: s(d, 'mode') || 'first',
        timeLimitNs: n(d, 'time_limit'),
        defaultOption: s(d, 'default'),
        objectives: strs(d, 'objectives'),
        notes: s(d, 'notes'),
      })),
      transitions: objs(st, 'transitions').map((t) => ({
        to: s(t, 'to'),
        when: exprSrc(t, 'when'),
        afterNs: n(t, 'after'),
        label: s(t, 'label'),
      })),
    })),
  };
}

/** Whole minutes/seconds as the scenario files write them: 90s, 10m, 1h30m. */
export function shortDuration(ns: number): string {
  let sec = Math.round(ns / 1e9);
  if (sec <= 0) return '0s';
  const h = Math.floor(sec / 3600);
  sec -= h * 3600;
  const m = Math.floor(sec / 60);
  sec -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${sec ? `${sec}s` : ''}`;
}

/** The text of a transition's edge: its label, else its condition and/or delay (as the server's graph). */
export function edgeText(t: ModelTransition): string {
  if (t.label) return t.label;
  const parts: string[] = [];
  if (t.when) parts.push(t.when.split(/\s+/).filter(Boolean).join(' '));
  if (t.afterNs > 0) parts.push(`after ${shortDuration(t.afterNs)}`);
  return parts.join(' · ');
}

/** Every decision of the scenario by id (ids are unique in a valid file). */
export function decisionsById(m: ScenarioModel): Map<string, ModelDecision & { state: string }> {
  const out = new Map<string, ModelDecision & { state: string }>();
  for (const st of m.states) for (const d of st.decisions) out.set(d.id, { ...d, state: st.id });
  return out;
}

export function teamName(m: ScenarioModel, id: string): string {
  if (id === 'facilitator') return 'Facilitator';
  if (id === '*') return 'All teams';
  return m.teams.find((t) => t.id === id)?.name ?? id;
}

export function stateTitle(m: ScenarioModel, id: string): string {
  return m.states.find((st) => st.id === id)?.title ?? id;
}

/**
 * Substitute {{param}} placeholders as the server does: a name it does not
 * know is left as written.
 */
export function renderText(text: string, values: Record<string, string>): string {
  if (!text.includes('{{')) return text;
  let out = '';
  let rest = text;
  for (;;) {
    const i = rest.indexOf('{{');
    if (i < 0) break;
    const j = rest.indexOf('}}', i);
    if (j < 0) break;
    const key = rest.slice(i + 2, j).trim();
    out += Object.prototype.hasOwnProperty.call(values, key) ? rest.slice(0, i) + values[key] : rest.slice(0, j + 2);
    rest = rest.slice(j + 2);
  }
  return out + rest;
}

/** Each parameter's default, replaced by the exercise's values. */
export function paramValues(m: ScenarioModel, given: Record<string, string> = {}): Record<string, string> {
  const v: Record<string, string> = {};
  for (const p of m.parameters) v[p.id] = p.default;
  for (const [k, x] of Object.entries(given)) v[k] = x;
  return v;
}

/**
 * The model with every text an author wrote rendered with the exercise's
 * parameter values, the facilitator-only ones included (persona roles,
 * notes): the console and the report never show a raw {{param}}.
 */
export function withParams(m: ScenarioModel, given: Record<string, string> = {}): ScenarioModel {
  const v = paramValues(m, given);
  const r = (t: string) => renderText(t, v);
  return {
    ...m,
    title: r(m.title),
    summary: r(m.summary),
    teams: m.teams.map((t) => ({ ...t, name: r(t.name) })),
    objectives: m.objectives.map((o) => ({ ...o, title: r(o.title), capability: r(o.capability), met: r(o.met) })),
    personas: m.personas.map((p) => ({ ...p, name: r(p.name), handle: r(p.handle), org: r(p.org), role: r(p.role) })),
    variables: m.variables.map((x) => ({ ...x, label: r(x.label), description: r(x.description) })),
    states: m.states.map((st) => ({
      ...st,
      title: r(st.title),
      description: r(st.description),
      notes: r(st.notes),
      discussion: st.discussion.map(r),
      debrief: r(st.debrief),
      injects: st.injects.map((i) => ({ ...i, title: r(i.title), notes: r(i.notes) })),
      decisions: st.decisions.map((d) => ({ ...d, prompt: r(d.prompt), notes: r(d.notes), options: d.options.map((o) => ({ ...o, label: r(o.label), notes: r(o.notes) })) })),
      transitions: st.transitions.map((t) => ({ ...t, label: r(t.label) })),
    })),
  };
}

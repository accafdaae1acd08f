// Why the exercise went where it went: each state of the path with the
// transition that led there — a rule (`when` with the values that made it
// true, and/or `after`) or a move the facilitator forced — as the
// server's transition_taken events say (issue 16, item 5).

import type { LogEvent, VarValue } from './events';
import { shortDuration, stateTitle, type ScenarioModel } from './facilitator-scenario';

export interface PathVia {
  /** start: the first state; rule: a transition of the previous state; forced: the facilitator's move. */
  kind: 'start' | 'rule' | 'forced';
  from: string;
  /** rule: 1-based index among the previous state's transitions (0 when unknown). */
  transition: number;
  when: string;
  afterNs: number;
  values: { name: string; value: VarValue }[];
  label: string;
}

export interface ReasonedStep {
  state: string;
  title: string;
  atNs: number;
  via: PathVia;
  /** One line: why this state was entered. */
  why: string;
}

function showValue(v: VarValue): string {
  if (typeof v === 'number') return String(Math.round(v * 100) / 100);
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

/** The reason of one step in words. */
export function reasonText(via: PathVia): string {
  switch (via.kind) {
    case 'start':
      return 'start of the exercise';
    case 'forced':
      return 'forced by the facilitator';
  }
  const parts: string[] = [];
  if (via.when) {
    const vals = via.values.map((v) => `${v.name} = ${showValue(v.value)}`).join(', ');
    parts.push(`rule: when ${via.when}${vals ? ` (${vals})` : ''}`);
  }
  if (via.afterNs > 0) parts.push(`${via.when ? '' : 'rule: '}after ${shortDuration(via.afterNs)}`);
  if (parts.length === 0) parts.push('rule: at once');
  return parts.join(', ');
}

/** The reason a transition_taken event carries. */
export function viaOf(ev: LogEvent): PathVia {
  return {
    kind: ev.forced || ev.reason === 'forced' ? 'forced' : 'rule',
    from: ev.fromState,
    transition: ev.transition,
    when: ev.when,
    afterNs: ev.afterNs,
    values: ev.values,
    label: ev.label,
  };
}

/** The path of states entered, in order, each with the transition that led to it. */
export function reasonedPath(events: LogEvent[], model: ScenarioModel): ReasonedStep[] {
  const out: ReasonedStep[] = [];
  let pending: PathVia | null = null;
  for (const ev of events) {
    if (ev.kind === 'transition_taken') {
      pending = viaOf(ev);
    } else if (ev.kind === 'state_entered') {
      const via: PathVia = pending ?? { kind: 'start', from: '', transition: 0, when: '', afterNs: 0, values: [], label: '' };
      pending = null;
      out.push({ state: ev.state, title: stateTitle(model, ev.state), atNs: ev.atNs, via, why: reasonText(via) });
    }
  }
  return out;
}

/**
 * The branch-graph edges the path took: the very transition of each rule
 * step (not the first edge between the two states), none for a forced move.
 * Keys are the graph's (from->to#n, n counting parallel edges in file order).
 */
export function takenEdgeKeys(model: ScenarioModel, path: ReasonedStep[]): Set<string> {
  const out = new Set<string>();
  for (const p of path) {
    if (p.via.kind !== 'rule' || p.via.transition < 1) continue;
    const st = model.states.find((s) => s.id === p.via.from);
    const ts = st?.transitions ?? [];
    const i = p.via.transition - 1;
    if (i >= ts.length || ts[i].to !== p.state) continue;
    const n = ts.slice(0, i).filter((t) => t.to === p.state).length;
    out.add(`${p.via.from}->${p.state}#${n}`);
  }
  return out;
}

/** What led to the outcome: the reason of the last step, when the path ended in a final state. */
export function outcomeCause(path: ReasonedStep[]): string {
  const last = path.at(-1);
  if (!last || last.via.kind === 'start') return '';
  return last.why;
}

import { describe, expect, it } from 'vitest';
import { adaptLogEvent, type LogEvent } from './events';
import { adaptScenario } from './facilitator-scenario';
import { layoutGraph, pathEdgeKeys } from './graph';
import { outcomeCause, reasonedPath, takenEdgeKeys } from './path-reasons';

const MIN = 60e9;

// Two transitions from hunt to one state (a rule and a timed fallback) and
// a state reached only by force: the old highlighting took the first edge
// between two states, whatever transition the exercise took.
const model = adaptScenario({
  id: 'p',
  title: 'P',
  start: 'hunt',
  states: [
    {
      id: 'hunt',
      title: 'Hunt',
      transitions: [
        { to: 'found', when: { src: 'entry_known' }, after: 10 * MIN },
        { to: 'found', after: 20 * MIN, label: 'Found anyway' },
        { to: 'lost', after: 30 * MIN },
      ],
    },
    { id: 'found', title: 'Found', transitions: [{ to: 'end', when: { src: 'chose("d", "x") && score > 2' } }] },
    { id: 'lost', title: 'Lost', transitions: [] },
    { id: 'end', title: 'The end', outcome: 'done', rating: 'success', transitions: [] },
  ],
});

function frame(seq: number, kind: string, atMin: number, payload: Record<string, unknown>): LogEvent {
  const ev = adaptLogEvent({ type: 'event', seq, kind, at: atMin * MIN, payload: { kind, at: atMin * MIN, ...payload } });
  if (!ev) throw new Error(`bad frame ${kind}`);
  return ev;
}

const entered = (seq: number, at: number, state: string) => frame(seq, 'state_entered', at, { state });

describe('reasonedPath', () => {
  const log = [
    frame(1, 'started', 0, {}),
    entered(2, 0, 'hunt'),
    frame(3, 'transition_taken', 20, { state: 'hunt', from_state: 'hunt', to_state: 'found', transition: 2, after: 20 * MIN, reason: 'after 20m', label: 'Found anyway' }),
    entered(4, 20, 'found'),
    frame(5, 'transition_taken', 22, {
      state: 'found',
      from_state: 'found',
      to_state: 'end',
      transition: 1,
      when: 'chose("d", "x") && score > 2',
      values: [
        { name: 'chose("d", "x")', value: true },
        { name: 'score', value: 3 },
      ],
      reason: 'when: chose("d", "x") && score > 2',
    }),
    entered(6, 22, 'end'),
  ];
  const path = reasonedPath(log, model);

  it('gives each state the transition that led there, with the values that made it true', () => {
    expect(path.map((p) => [p.state, p.why])).toEqual([
      ['hunt', 'start of the exercise'],
      ['found', 'rule: after 20m'],
      ['end', 'rule: when chose("d", "x") && score > 2 (chose("d", "x") = true, score = 3)'],
    ]);
    expect(outcomeCause(path)).toBe('rule: when chose("d", "x") && score > 2 (chose("d", "x") = true, score = 3)');
  });

  it('highlights the transition taken, not the first edge between the two states', () => {
    const layout = layoutGraph(model);
    const keys = takenEdgeKeys(model, path);
    expect([...keys].sort()).toEqual(['found->end#0', 'hunt->found#1']);
    for (const k of keys) expect(layout.edges.some((e) => e.key === k)).toBe(true);
    // What the graph highlighted before: the first hunt->found edge (the rule).
    expect(pathEdgeKeys(layout, path.map((p) => p.state)).has('hunt->found#0')).toBe(true);
  });

  it('calls a forced move forced and highlights no rule for it', () => {
    const forced = [
      entered(1, 0, 'hunt'),
      frame(2, 'facilitator_force', 5, { state: 'found' }),
      frame(3, 'transition_taken', 5, { state: 'hunt', from_state: 'hunt', to_state: 'found', forced: true, reason: 'forced' }),
      entered(4, 5, 'found'),
    ];
    const p = reasonedPath(forced, model);
    expect(p.map((s) => s.why)).toEqual(['start of the exercise', 'forced by the facilitator']);
    expect(takenEdgeKeys(model, p).size).toBe(0);
    expect(outcomeCause(p)).toBe('forced by the facilitator');
  });
});

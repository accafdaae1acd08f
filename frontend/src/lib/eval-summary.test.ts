import { describe, expect, it } from 'vitest';
import { adaptEvaluation } from './evaluation';
import { objectiveSummary, summaryWords } from './eval-summary';

const rating = (rater: string, r: string, evidence: number[], extra: Record<string, unknown> = {}) => ({ seq: 1, rater, rater_name: rater, objective: 'o', rating: r, evidence, ...extra });

describe('objectiveSummary', () => {
  const cases = [
    { name: 'nothing rated', o: { id: 'o', tasks: [{ id: 't1' }, { id: 't2' }] }, want: { final: null, raters: 0, tasksMet: 0, tasks: 2, evidence: 0 }, words: 'not rated, critical tasks met 0 of 2, 0 evidence items' },
    {
      name: 'rated by two, not settled; evidence counted once',
      o: { id: 'o', ratings: [rating('ob1', 'S', [4, 5]), rating('ob2', 'M', [5])], tasks: [{ id: 't', ratings: [rating('ob1', 'P', [6])] }] },
      want: { final: null, raters: 2, tasksMet: 0, tasks: 1, evidence: 3 },
      words: 'not settled, 2 ratings, critical tasks met 0 of 1, 3 evidence items',
    },
    {
      name: 'settled, with tasks performed (P, S, M) and not (U)',
      o: {
        id: 'o',
        final: rating('facilitator', 'S', [9], { final: true }),
        tasks: [{ id: 'a', final: rating('facilitator', 'M', [], { final: true }) }, { id: 'b', final: rating('facilitator', 'U', [], { final: true }) }, { id: 'c' }],
      },
      want: { final: 'S', raters: 0, tasksMet: 1, tasks: 3, evidence: 1 },
      words: 'final rating S, critical tasks met 1 of 3, 1 evidence item',
    },
    { name: 'no tasks', o: { id: 'o', ratings: [rating('ob1', 'P', [])] }, want: { final: null, raters: 1, tasksMet: 0, tasks: 0, evidence: 0 }, words: 'not settled, 1 rating, 0 evidence items' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ev = adaptEvaluation({ objectives: [c.o] });
      const s = objectiveSummary(ev.objectives[0]);
      expect(s).toEqual(c.want);
      expect(summaryWords(s)).toBe(c.words);
    });
  }
});

import { describe, expect, it } from 'vitest';
import { adaptEvaluation } from './evaluation';
import { objectiveSummary, ownSummary, ownWords, summaryWords } from './eval-summary';

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

describe('ownSummary', () => {
  const cases = [
    { name: 'not rated by this rater', o: { id: 'o', ratings: [rating('ob2', 'S', [1])], tasks: [{ id: 't' }] }, want: { rating: null, final: null, tasksRated: 0, tasks: 1, evidence: 0 }, words: 'you have not rated it, critical tasks you rated 0 of 1, you cited 0 evidence items' },
    {
      name: 'own rating and a task, others ignored; evidence counted once',
      o: {
        id: 'o',
        ratings: [rating('ob1', 'S', [4, 5]), rating('ob2', 'U', [9])],
        tasks: [{ id: 'a', ratings: [rating('ob1', 'P', [5, 6], { task: 'a' })] }, { id: 'b', ratings: [rating('ob2', 'P', [7], { task: 'b' })] }],
      },
      want: { rating: 'S', final: null, tasksRated: 1, tasks: 2, evidence: 3 },
      words: 'you rated S, critical tasks you rated 1 of 2, you cited 3 evidence items',
    },
    {
      name: 'only a task rated, settled by the facilitator',
      o: { id: 'o', final: rating('facilitator', 'P', [8], { final: true }), tasks: [{ id: 'a', ratings: [rating('ob1', 'M', [2], { task: 'a' })] }] },
      want: { rating: null, final: 'P', tasksRated: 1, tasks: 1, evidence: 1 },
      words: 'you have not rated it, final rating P, critical tasks you rated 1 of 1, you cited 1 evidence item',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = ownSummary(adaptEvaluation({ objectives: [c.o] }).objectives[0], 'ob1');
      expect(s).toEqual(c.want);
      expect(ownWords(s)).toBe(c.words);
    });
  }
});

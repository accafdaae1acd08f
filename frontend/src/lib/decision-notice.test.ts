import { describe, expect, it } from 'vitest';
import { newlyOpened, noticeText, titleWithCount, unseenDecisions } from './decision-notice';

describe('decision notice', () => {
  it.each([
    [[], [], []],
    [['a', 'b'], [], ['a', 'b']],
    [['a', 'b'], ['a'], ['b']],
    [['a'], ['a', 'gone'], []],
  ])('unseen of %j with %j seen → %j', (open, seen, want) => {
    expect(unseenDecisions(open, new Set(seen))).toEqual(want);
  });

  it('finds the decisions that just opened', () => {
    expect(newlyOpened(new Set(['a']), ['a', 'b', 'c'])).toEqual(['b', 'c']);
    expect(newlyOpened(new Set(['a', 'b']), ['a'])).toEqual([]);
  });

  it.each([
    ['Drill · ttx', 0, 'Drill · ttx'],
    ['Drill · ttx', 1, '(1) Drill · ttx'],
    ['(1) Drill · ttx', 3, '(3) Drill · ttx'],
    ['(3) Drill · ttx', 0, 'Drill · ttx'],
    ['(draft) Drill', 2, '(2) (draft) Drill'],
  ])('title %j with %d → %j', (title, n, want) => expect(titleWithCount(title, n)).toBe(want));

  it.each([
    [[], '', ''],
    [['Isolate the laptop?'], 'SOC', 'New decision for SOC: Isolate the laptop?'],
    [['Isolate the laptop?'], '', 'New decision: Isolate the laptop?'],
    [['A', 'B'], 'SOC', '2 new decisions for SOC'],
  ])('notice for %j', (names, team, want) => expect(noticeText(names, team)).toBe(want));
});

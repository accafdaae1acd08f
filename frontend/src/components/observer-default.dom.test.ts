// @vitest-environment jsdom
// An observer rating a team must be able to tell a default the scenario took
// from an answer the team gave.
import { afterEach, describe, expect, it } from 'vitest';
import { createFeed, type DecisionState } from '../lib/feed';
import { render, type Rendered } from '../test/render';
import LiveDecisionSummary from './LiveDecisionSummary.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

function closedAs(settled: Record<string, unknown>): DecisionState {
  const feed = createFeed();
  feed.load([
    {
      type: 'event',
      seq: 1,
      kind: 'decision_opened',
      payload: { decision: 'lock', team: 'soc', prompt: 'Lock the account?', options: [{ id: 'revoke', label: 'Revoke' }, { id: 'wait', label: 'Wait' }], mode: 'first', default: 'wait', time_limit: 120e9 },
    },
    { type: 'event', seq: 2, kind: 'decision_closed', payload: { decision: 'lock', team: 'soc', ...settled } },
  ]);
  let got: DecisionState | undefined;
  feed.subscribe((s) => (got = s.decisions[0]))();
  return got!;
}

describe("the observer's view of a closed decision", () => {
  it.each([
    { name: 'a default', settled: { settled: 'default', close_reason: 'time_limit', option: 'wait' }, by: '', want: 'Default taken: nobody in the team answered', not: 'Settled' },
    { name: "the team's answer", settled: { settled: 'answered', option: 'revoke', participant: 'p1' }, by: 'Bo', want: 'Settled by Bo', not: 'Default' },
  ])('names $name', ({ settled, by, want, not }) => {
    r = render(LiveDecisionSummary, { state: closedAs(settled), teamName: 'SOC', answeredBy: by });
    const text = r.container.querySelector('.ans')?.textContent ?? '';
    expect(text).toContain(want);
    expect(text).not.toContain(not);
  });
});

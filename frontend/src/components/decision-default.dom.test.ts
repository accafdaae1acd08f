// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { defaultNote } from '../lib/decision-default';
import { adaptDecision, fromWire } from '../lib/events';
import { createFeed, type DecisionState } from '../lib/feed';
import { render, type Rendered } from '../test/render';
import DecisionPrompt from './DecisionPrompt.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

// The decision as a team receives it on the wire (decision_opened).
function opened(extra: Record<string, unknown>): DecisionState {
  const feed = createFeed();
  feed.load([
    {
      seq: 1,
      kind: 'decision_opened',
      decision: {
        id: 'isolate',
        team: 'soc',
        prompt: 'Isolate the laptop now?',
        options: [
          { id: 'isolate', label: 'Isolate it' },
          { id: 'wait', label: 'Watch it a little longer' },
        ],
        mode: 'first',
        ...extra,
      },
    },
  ]);
  let got: DecisionState | undefined;
  feed.subscribe((s) => (got = s.decisions[0]))();
  return got!;
}

describe("a decision's default is shown to the team", () => {
  it.each([
    ['timed', { time_limit: 300e9, closes_at: 300e9, default: 'wait' }, 'No answer when time runs out: “Watch it a little longer” is taken.'],
    ['untimed', { default: 'wait' }, 'No answer when the phase moves on: “Watch it a little longer” is taken.'],
    ['no default', { time_limit: 300e9, closes_at: 300e9 }, ''],
  ])('%s', (_name, extra, want) => {
    const ds = opened(extra);
    expect(defaultNote(ds.decision)).toBe(want);
    r = render(DecisionPrompt, { state: ds, teamName: 'SOC', nowMs: 0 });
    expect(r.container.querySelector('.default-note')?.textContent ?? '').toBe(want);
  });

  it('reads the default from the frame the server sends the team', () => {
    const f = fromWire({ type: 'event', seq: 3, kind: 'decision_opened', at: 0, payload: { decision: 'isolate', team: 'soc', prompt: 'P', options: [{ id: 'wait', label: 'Wait' }], default: 'wait' }, audience: ['soc'] });
    expect(adaptDecision(f['decision'])?.defaultOption).toBe('wait');
  });

  it('says when the first answer is final, before the default', () => {
    const f = fromWire({ type: 'event', seq: 3, kind: 'decision_opened', at: 0, payload: { decision: 'isolate', team: 'soc', prompt: 'P', options: [{ id: 'wait', label: 'Wait' }], default: 'wait', time_limit: 300e9, closes_at: 300e9, settle_on_answer: true }, audience: ['soc'] });
    const feed = createFeed();
    feed.load([f]);
    let ds: DecisionState | undefined;
    feed.subscribe((s) => (ds = s.decisions[0]))();
    r = render(DecisionPrompt, { state: ds!, teamName: 'SOC', nowMs: 0 });
    expect(r.container.querySelector('.default-note')?.textContent).toBe('The first answer is final: it cannot be changed. No answer when time runs out: “Wait” is taken.');
  });

  it('says nothing for an option the decision does not have', () => {
    expect(defaultNote({ options: [{ id: 'a', label: 'A' }], defaultOption: 'zzz', timeLimitNs: 0 })).toBe('');
  });
});

// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { createFeed, type DecisionState } from '../lib/feed';
import { render, type Rendered } from '../test/render';
import DecisionPrompt from './DecisionPrompt.svelte';
import LiveDecisionSummary from './LiveDecisionSummary.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

function opened(): DecisionState {
  const feed = createFeed();
  feed.load([
    {
      seq: 1,
      kind: 'decision_opened',
      decision: {
        id: 'first_response',
        team: 'soc',
        prompt: 'The brand is posting **by itself**. What is the first move?',
        options: [{ id: 'a', label: 'Revoke the tool' }],
        mode: 'first',
        time_limit: 120e9,
        // Opened at T+10:00, closes at T+12:00.
        closes_at: 720e9,
      },
    },
  ]);
  let got: DecisionState | undefined;
  feed.subscribe((s) => (got = s.decisions[0]))();
  return got!;
}

// At ×10 a decision that closes at T+12:00 with two minutes of exercise time
// left has 12 real seconds left: the countdown says 2:00 (the clock of
// "closes T+12:00") and shows the speed, never "0:12".
describe('one clock for decisions', () => {
  const clock = { serverNs: 600e9, localMs: 0, rate: 10 };

  it('the participant prompt counts exercise time and shows the speed', () => {
    r = render(DecisionPrompt, { state: opened(), teamName: 'SOC', clock, nowMs: 0 });
    const timer = r.container.querySelector('[role="timer"]')!;
    expect(timer.querySelector('.left')?.textContent).toBe('2:00');
    expect(timer.textContent).toContain('×10');
    expect(timer.textContent).not.toContain('0:12');
  });

  it('shows no speed at ×1', () => {
    r = render(DecisionPrompt, { state: opened(), teamName: 'SOC', clock: { ...clock, rate: 1 }, nowMs: 0 });
    expect(r.container.querySelector('[role="timer"]')?.textContent).not.toContain('×');
  });

  it('the observer summary counts exercise time and shows the speed', () => {
    r = render(LiveDecisionSummary, { state: opened(), teamName: 'SOC', clock: { ...clock, localMs: Date.now() } });
    const left = r.container.querySelector('.left')?.textContent ?? '';
    expect(left).toMatch(/^[12]:\d\d \(×10\)$/);
  });
});

describe('decisions are named by their prompt', () => {
  it('the participant prompt is labelled with the prompt, not the id', () => {
    r = render(DecisionPrompt, { state: opened(), teamName: 'SOC' });
    const label = r.container.querySelector('section')?.getAttribute('aria-label');
    expect(label).toBe('Decision for SOC: The brand is posting by itself. What is the first move?');
    expect(r.container.textContent).not.toContain('first_response');
  });

  it('the observer summary too', () => {
    r = render(LiveDecisionSummary, { state: opened(), teamName: 'SOC' });
    expect(r.container.querySelector('article')?.getAttribute('aria-label')).toBe(
      'Decision for SOC: The brand is posting by itself. What is the first move? (Open)',
    );
  });
});

describe('lead mode', () => {
  it('names the lead to the members who may not answer', () => {
    r = render(DecisionPrompt, { state: opened(), teamName: 'SOC', canAnswer: false, leadName: 'Ines K.' });
    const note = r.container.querySelector('.lead-note')?.textContent?.replace(/\s+/g, ' ').trim();
    expect(note).toBe('Only the team lead, Ines K., can answer. Discuss it with them; their answer will appear here.');
  });

  it('still explains the rule when the roster has no lead yet', () => {
    r = render(DecisionPrompt, { state: opened(), teamName: 'SOC', canAnswer: false });
    expect(r.container.querySelector('.lead-note')?.textContent).toContain('Only the team lead can answer.');
  });
});

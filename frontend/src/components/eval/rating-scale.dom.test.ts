// @vitest-environment jsdom
// The rating scale's choices read "P Performed without challenges — The
// target was met…": the dash keeps a space on both sides (Svelte drops the
// space at the start of an element, which glued "challenges— The").
import { describe, expect, it } from 'vitest';
import RatingForm from './RatingForm.svelte';
import { emptyEvaluation, type ObjectiveEval } from '../../lib/evaluation';
import { render } from '../../test/render';

const objective: ObjectiveEval = {
  id: 'o1',
  title: 'Say the right thing',
  capability: 'Public Information and Warning',
  met: '',
  teams: [],
  measure: null,
  milestones: [],
  tasks: [],
  ratings: [],
  final: null,
  decisions: [],
};

describe('the rating scale', () => {
  it('spaces the dash between each rating and its meaning', () => {
    const r = render(RatingForm, { objective, ev: { ...emptyEvaluation, objectives: [objective] }, evidence: [], rater: 'facilitator', onrate: () => Promise.resolve() });
    const choices = [...r.container.querySelectorAll('fieldset.scale label.choice')].map((l) => l.textContent ?? '');
    expect(choices).toHaveLength(4);
    for (const c of choices) expect(c).toMatch(/[a-z] — [A-Z]/);
    r.destroy();
  });
});

// @vitest-environment jsdom
// The console's Evaluation tab folds each objective into one row (title,
// rating chip, critical tasks met, evidence) that opens to its full card
// with a disclosure button; the observer's view keeps the cards open.
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import EvaluationPanel from './EvaluationPanel.svelte';
import { adaptEvaluation } from '../../lib/evaluation';
import { render, type Rendered } from '../../test/render';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

const rating = (objective: string, rater: string, rate: string, evidence: number[], extra: Record<string, unknown> = {}) => ({ seq: 3, rater, rater_name: rater, objective, rating: rate, evidence, ...extra });

const ev = adaptEvaluation({
  objectives: [
    {
      id: 'entry',
      title: 'Find and close the way in',
      capability: 'Cybersecurity',
      ratings: [rating('entry', 'ob1', 'S', [4, 5])],
      final: rating('entry', 'facilitator', 'S', [5, 6], { final: true }),
      tasks: [
        { id: 't1', title: 'Revoke the grant', final: rating('entry', 'facilitator', 'P', [], { task: 't1', final: true }) },
        { id: 't2', title: 'Rotate keys' },
      ],
    },
    { id: 'comms', title: 'Keep customers informed', ratings: [rating('comms', 'ob1', 'M', [])] },
  ],
  teams: [],
  plan: [],
});

const mount = (props: Record<string, unknown> = {}) => {
  r = render(EvaluationPanel, { ev, evidence: [], rater: 'facilitator', facilitator: true, onrate: async () => undefined, ...props });
  return r.container;
};

describe('objective rows', () => {
  it('shows one folded row per objective with its rating, tasks met and evidence', () => {
    const c = mount();
    const rows = [...c.querySelectorAll<HTMLElement>('li[data-objective-row]')];
    expect(rows.map((x) => x.dataset.objectiveRow)).toEqual(['entry', 'comms']);
    const entry = rows[0].querySelector<HTMLButtonElement>('button[data-objective-toggle]')!;
    expect(entry.getAttribute('aria-expanded')).toBe('false');
    expect(entry.textContent).toContain('Find and close the way in');
    expect(entry.querySelector('.chip')!.textContent).toBe('S');
    expect(entry.textContent).toContain('tasks met 1/2');
    expect(entry.textContent).toContain('3 evidence');
    // The words a screen reader hears on the button.
    expect(entry.querySelector('.sr-only')!.textContent).toBe(': final rating S, critical tasks met 1 of 2, 3 evidence items');
    const comms = rows[1].querySelector('button')!;
    expect(comms.querySelector('.chip')!.textContent).toBe('1 rating');
    expect(comms.textContent).not.toContain('tasks met');
    // Folded: the card is in the page but hidden, and named by the button.
    const body = c.querySelector<HTMLElement>(`#${entry.getAttribute('aria-controls')}`)!;
    expect(body.hidden).toBe(true);
    expect(body.querySelector('article[data-objective="entry"]')).not.toBeNull();
  });

  it('opens and folds a card with its button, or all at once, and keeps a draft while folded', () => {
    const c = mount();
    const btn = c.querySelector<HTMLButtonElement>('button[data-objective-toggle="entry"]')!;
    const body = () => c.querySelector<HTMLElement>(`#${btn.getAttribute('aria-controls')}`)!;
    btn.click();
    flushSync();
    expect(btn.getAttribute('aria-expanded')).toBe('true');
    expect(body().hidden).toBe(false);
    const explanation = body().querySelector<HTMLTextAreaElement>('textarea[name="explanation"]')!;
    explanation.value = 'Half written';
    explanation.dispatchEvent(new Event('input', { bubbles: true }));
    btn.click();
    flushSync();
    expect(btn.getAttribute('aria-expanded')).toBe('false');
    expect(body().hidden).toBe(true);
    btn.click();
    flushSync();
    expect(body().querySelector<HTMLTextAreaElement>('textarea[name="explanation"]')!.value).toBe('Half written');

    const all = [...c.querySelectorAll('button')].find((b) => b.textContent === 'Open all')!;
    all.click();
    flushSync();
    expect([...c.querySelectorAll('button[data-objective-toggle]')].map((b) => b.getAttribute('aria-expanded'))).toEqual(['true', 'true']);
    expect(all.textContent).toBe('Fold all');
    all.click();
    flushSync();
    expect([...c.querySelectorAll('button[data-objective-toggle]')].map((b) => b.getAttribute('aria-expanded'))).toEqual(['false', 'false']);
  });

  it('keeps the full cards for the observer', () => {
    const c = mount({ facilitator: false });
    expect(c.querySelector('[data-objective-row]')).toBeNull();
    expect(c.querySelectorAll('article.panel[data-objective]')).toHaveLength(2);
  });
});

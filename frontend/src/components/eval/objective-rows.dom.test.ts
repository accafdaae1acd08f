// @vitest-environment jsdom
// The console's Evaluation tab folds each objective into one row (title,
// rating chip, critical tasks met, evidence) that opens to its full card
// with a disclosure button; the observer's rows sum up their own ratings.
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

  it('folds the observer’s cards into rows that sum up their own ratings, one or several open, drafts kept', () => {
    const own = adaptEvaluation({
      objectives: [
        {
          id: 'entry',
          title: 'Find and close the way in',
          ratings: [rating('entry', 'ob1', 'S', [4, 5]), rating('entry', 'ob2', 'U', [9])],
          final: rating('entry', 'facilitator', 'M', [6], { final: true }),
          tasks: [
            { id: 't1', title: 'Revoke the grant', ratings: [rating('entry', 'ob1', 'P', [5, 7], { task: 't1' })] },
            { id: 't2', title: 'Rotate keys', ratings: [rating('entry', 'ob2', 'P', [8], { task: 't2' })] },
          ],
        },
        { id: 'comms', title: 'Keep customers informed', ratings: [rating('comms', 'ob2', 'M', [])] },
      ],
      teams: [],
      plan: [],
    });
    const c = mount({ ev: own, rater: 'ob1', facilitator: false });
    expect(c.querySelectorAll('article.panel[data-objective]')).toHaveLength(0);
    const btn = (id: string) => c.querySelector<HTMLButtonElement>(`button[data-objective-toggle="${id}"]`)!;
    const entry = btn('entry');
    expect(entry.getAttribute('aria-expanded')).toBe('false');
    const facts = entry.querySelector('[data-own]')!.textContent!.replace(/\s+/g, ' ').trim();
    expect(facts).toBe('you rated S final M tasks rated 1/2 3 evidence');
    expect(entry.querySelector('.sr-only')!.textContent).toBe(': you rated S, final rating M, critical tasks you rated 1 of 2, you cited 3 evidence items');
    expect(btn('comms').querySelector('[data-own]')!.textContent).toContain('not rated by you');
    expect(btn('comms').querySelector('.sr-only')!.textContent).toBe(': you have not rated it, you cited 0 evidence items');
    // No "Settle as final" for an observer.
    expect([...c.querySelectorAll('button')].map((b) => b.textContent)).not.toContain('Settle as final');

    // Open both; a half-written rating survives folding its card.
    entry.click();
    btn('comms').click();
    flushSync();
    expect([entry, btn('comms')].map((b) => b.getAttribute('aria-expanded'))).toEqual(['true', 'true']);
    const body = (b: HTMLButtonElement) => c.querySelector<HTMLElement>(`#${b.getAttribute('aria-controls')}`)!;
    const ta = body(btn('comms')).querySelector<HTMLTextAreaElement>('textarea[name="improvements"]')!;
    ta.value = 'No spokesperson named';
    ta.dispatchEvent(new Event('input', { bubbles: true }));
    body(btn('comms')).querySelector<HTMLInputElement>('input[type="radio"][value="M"]')!.click();
    btn('comms').click();
    flushSync();
    expect(body(btn('comms')).hidden).toBe(true);
    expect(body(entry).hidden).toBe(false);
    btn('comms').click();
    flushSync();
    expect(body(btn('comms')).querySelector<HTMLTextAreaElement>('textarea[name="improvements"]')!.value).toBe('No spokesperson named');
    expect(body(btn('comms')).querySelector<HTMLInputElement>('input[type="radio"][value="M"]')!.checked).toBe(true);
  });
});

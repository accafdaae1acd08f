// @vitest-environment jsdom
// The console's receipts: one entry per inject with a chip per team, not a
// row per inject and team; injects everyone opened fold behind a summary.
import { afterEach, describe, expect, it } from 'vitest';
import { render, type Rendered } from '../../test/render';
import type { Receipt } from '../../lib/world';
import ReceiptsPanel from './ReceiptsPanel.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

const rc = (participant: string, team: string, inject: string, injectSeq: number, opened: boolean): Receipt => ({
  participant,
  team,
  inject,
  injectSeq,
  receivedNs: 60e9,
  openedNs: opened ? 120e9 : null,
  receivedWall: '',
  openedWall: '',
});

const names: Record<string, string> = { comms: 'Comms', soc: 'SOC', legal: 'Legal' };
const people: Record<string, string> = { a1: 'Ana', b1: 'Bo', c1: 'Cy' };

describe('ReceiptsPanel', () => {
  it('shows an inject sent to three teams once, with a chip per team, and folds the ones everyone opened', () => {
    const receipts = Object.fromEntries(
      [rc('a1', 'comms', 'social', 8, true), rc('b1', 'soc', 'social', 8, false), rc('c1', 'legal', 'social', 8, true), rc('a1', 'comms', 'email', 4, true), rc('b1', 'soc', 'email', 4, true)].map((x) => [
        `${x.participant}|${x.inject}`,
        x,
      ]),
    );
    r = render(ReceiptsPanel, {
      receipts,
      teamName: (t: string) => names[t] ?? t,
      memberName: (p: string) => people[p] ?? '',
      injectTitle: (i: string) => (i === 'social' ? 'social from Brightloop' : 'Press enquiry'),
      members: { comms: 1, soc: 1, legal: 2 },
    });
    const c = r.container;
    const title = (g: Element) => g.querySelector('.title')?.textContent;

    // The one not everyone opened, once, with its three teams.
    const open = Array.from(c.querySelectorAll('.receipts > .groups > [data-inject]'));
    expect(open.map(title)).toEqual(['social from Brightloop']);
    expect(open[0].querySelector('.count')?.textContent).toBe('2 of 4 opened');
    const chips = Array.from(open[0].querySelectorAll('[data-team]'));
    expect(chips.map((x) => [x.getAttribute('data-team'), x.querySelector('summary')?.textContent, x.classList.contains('done')])).toEqual([
      ['comms', 'Comms 1 of 1 opened', true],
      ['legal', 'Legal 1 of 2 opened', false],
      ['soc', 'SOC 0 of 1 opened', false],
    ]);
    expect(chips[1].querySelector('dd')?.textContent).toContain('Cy');

    // Everyone opened the press enquiry: behind the summary, closed.
    const folded = c.querySelector<HTMLDetailsElement>('details.all-done')!;
    expect(folded.open).toBe(false);
    expect(folded.querySelector('summary')?.textContent).toBe('1 inject opened by everyone');
    expect(Array.from(folded.querySelectorAll('[data-inject]')).map(title)).toEqual(['Press enquiry']);
    expect(c.querySelectorAll('tr')).toHaveLength(0);
  });

  it('says when there is nothing yet', () => {
    r = render(ReceiptsPanel, { receipts: {}, teamName: (t: string) => t, memberName: () => '', injectTitle: () => '' });
    expect(r.container.textContent).toContain('No receipts yet.');
  });
});

// @vitest-environment jsdom
// "Close now" settles a decision for good, so it asks first (issue 16, item 15).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adaptScenario } from '../../lib/facilitator-scenario';
import type { ConsoleDecision } from '../../lib/facilitator-console';
import brandHijack from '../../lib/testdata/brand-hijack.scenario.json';
import { render, type Rendered } from '../../test/render';
import DecisionsPanel from './DecisionsPanel.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
  vi.unstubAllGlobals();
});

const open: ConsoleDecision = {
  id: 'first_response',
  team: 'comms',
  prompt: 'What now?',
  options: [{ id: 'del', label: 'Delete' }],
  mode: 'first',
  openedAtNs: 60e9,
  closesAtNs: 420e9,
  timeLimitNs: 360e9,
  extendedNs: 0,
  answers: [],
  open: true,
  settled: '',
  option: '',
  optionLabel: '',
  closeReason: '',
  closedAtNs: null,
  state: 'hijack_begins',
};

describe('Close now', () => {
  it.each([
    ['declined', false, []],
    ['confirmed', true, ['first_response']],
  ])('%s: closes only after a yes', (_name, answer, closed) => {
    const asked: string[] = [];
    vi.stubGlobal('confirm', (q: string) => {
      asked.push(q);
      return answer;
    });
    const onclose = vi.fn();
    r = render(DecisionsPanel, { model: adaptScenario(brandHijack), decisions: [open], nowNs: 120e9, rate: 1, onclose });
    [...r.container.querySelectorAll('button')].find((b) => b.textContent?.startsWith('Close now'))!.click();
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/^Close “What now\?” for .+ now\? Nobody has answered/);
    expect(onclose.mock.calls.map((c) => c[0])).toEqual(closed);
  });
});

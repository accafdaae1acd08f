// @vitest-environment jsdom
// "Close now" settles a decision for good, so it asks first (issue 16, item 15).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { adaptScenario } from '../../lib/facilitator-scenario';
import type { ConsoleDecision } from '../../lib/facilitator-console';
import brandHijack from '../../lib/testdata/brand-hijack.scenario.json';
import { render, type Rendered } from '../../test/render';
import DecisionsPanel from './DecisionsPanel.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
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

const buttons = (root: Element) => [...root.querySelectorAll('button')];
const button = (root: Element, text: string) => buttons(root).find((b) => b.textContent?.trim().startsWith(text));

describe('Close now', { timeout: 20_000 }, () => {
  it('asks in place what closing settles, and closes only on the explicit yes', async () => {
    const onclose = vi.fn();
    r = render(DecisionsPanel, { model: adaptScenario(brandHijack), decisions: [open], nowNs: 120e9, rate: 1, onclose });
    const c = r.container;
    button(c, 'Close now')!.click();
    flushSync();
    expect(onclose).not.toHaveBeenCalled();
    expect(c.querySelector('.confirm .q')?.textContent).toMatch(/^Close “What now\?” for .+ now\? Nobody has answered/);
    await vi.waitFor(() => expect(document.activeElement?.textContent).toBe('Close it'));
    // Keep it open: nothing sent, the first button is back and focused.
    button(c, 'Keep it open')!.click();
    await vi.waitFor(() => expect(document.activeElement?.textContent).toContain('Close now'));
    expect(onclose).not.toHaveBeenCalled();
    // Escape takes the question back too.
    button(c, 'Close now')!.click();
    flushSync();
    button(c, 'Close it')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await vi.waitFor(() => expect(c.querySelector('.confirm')).toBeNull());
    expect(onclose).not.toHaveBeenCalled();
    button(c, 'Close now')!.click();
    flushSync();
    button(c, 'Close it')!.click();
    expect(onclose.mock.calls).toEqual([['first_response']]);
  });
});

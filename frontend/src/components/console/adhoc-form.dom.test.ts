// @vitest-environment jsdom
// The ad-hoc inject form picks a persona and previews the card (issue 16, item 18).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { adaptScenario } from '../../lib/facilitator-scenario';
import { render, type Rendered } from '../../test/render';
import AdHocForm from './AdHocForm.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

const model = adaptScenario({
  id: 's',
  teams: [{ id: 'soc', name: 'SOC' }],
  personas: [{ id: 'ciso', name: 'Dana Reyes', org: 'Acme', avatar: 'DR', role: 'The CISO, calling from the airport.' }],
  states: [],
});

function set(c: HTMLElement, sel: string, v: string, ev = 'input') {
  const el = c.querySelector<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(sel)!;
  el.value = v;
  el.dispatchEvent(new Event(ev, { bubbles: true }));
  flushSync();
}

describe('AdHocForm', { timeout: 20_000 }, () => {
  it('sends a persona picked from the scenario, after previewing the card the teams get', async () => {
    const onsend = vi.fn(() => Promise.resolve(true));
    r = render(AdHocForm, { model, onsend });
    const c = r.container;
    const from = c.querySelector<HTMLSelectElement>('#ah-from')!;
    expect([...from.options].map((o) => o.textContent)).toEqual(['No sender', 'Dana Reyes (Acme)', 'Someone else…']);
    set(c, '#ah-from', 'ciso', 'change');
    expect(c.querySelector('#ah-from-h')?.textContent).toBe('The CISO, calling from the airport.');
    set(c, '#ah-channel', 'chat', 'change');
    set(c, '#ah-body', 'Call me **now**.');
    const card = c.querySelector('.preview article.card')!;
    expect(card.getAttribute('data-channel')).toBe('chat');
    expect(card.textContent).toContain('Dana Reyes');
    expect(card.querySelector('strong')?.textContent).toBe('now');
    expect(card.textContent).not.toContain('airport');
    c.querySelector<HTMLFormElement>('form')!.requestSubmit();
    await vi.waitFor(() => expect(onsend).toHaveBeenCalled());
    expect(onsend.mock.calls[0]).toEqual([{ channel: 'chat', teams: [], from: 'ciso', title: '', body: 'Call me **now**.' }]);
  });

  it('takes any name for someone who is not a persona', async () => {
    const onsend = vi.fn(() => Promise.resolve(true));
    r = render(AdHocForm, { model, onsend });
    const c = r.container;
    set(c, '#ah-channel', 'email', 'change');
    set(c, '#ah-from', '*other', 'change');
    set(c, '#ah-from-name', 'Night desk');
    set(c, '#ah-body', 'Heads up.');
    expect(c.querySelector('.preview article.card')?.textContent).toContain('Night desk');
    c.querySelector<HTMLFormElement>('form')!.requestSubmit();
    await vi.waitFor(() => expect(onsend).toHaveBeenCalled());
    expect(onsend.mock.calls[0]).toEqual([{ channel: 'email', teams: [], from: 'Night desk', title: '', body: 'Heads up.' }]);
  });
});

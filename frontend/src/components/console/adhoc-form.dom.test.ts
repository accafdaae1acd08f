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

describe('AdHocForm templates', { timeout: 20_000 }, () => {
  it('saves the inject as a template, fills the form from one, and deletes it', async () => {
    const store: { id: number; name: string; inject: { channel: string; teams: string[]; from: string; title: string; body: string } }[] = [
      { id: 7, name: 'Night desk ping', inject: { channel: 'email', teams: ['soc'], from: 'Night desk', title: 'Ping', body: 'Still there?' } },
    ];
    const templates = {
      list: vi.fn(() => Promise.resolve([...store])),
      save: vi.fn((name: string, inject: (typeof store)[number]['inject']) => {
        const t = { id: 8, name, inject };
        store.push(t);
        return Promise.resolve(t);
      }),
      remove: vi.fn(() => Promise.resolve()),
    };
    r = render(AdHocForm, { model, onsend: () => Promise.resolve(true), templates });
    const c = r.container;
    await vi.waitFor(() => expect(c.querySelector('#ah-tpl')).not.toBeNull());
    set(c, '#ah-tpl', '7', 'change');
    expect(c.querySelector<HTMLSelectElement>('#ah-channel')!.value).toBe('email');
    expect(c.querySelector<HTMLInputElement>('#ah-from-name')!.value).toBe('Night desk');
    expect(c.querySelector<HTMLTextAreaElement>('#ah-body')!.value).toBe('Still there?');
    expect([...c.querySelectorAll<HTMLInputElement>('input[type=checkbox]')].filter((x) => x.checked).map((x) => x.value)).toEqual(['soc']);
    // Save the form under a new name: the persona id is what gets stored.
    set(c, '#ah-from', 'ciso', 'change');
    set(c, '#ah-tpl-name', 'CISO call');
    [...c.querySelectorAll('button')].find((b) => b.textContent === 'Save template')!.click();
    await vi.waitFor(() => expect(c.textContent).toContain('Saved “CISO call”.'));
    expect(templates.save.mock.calls[0]).toEqual(['CISO call', { channel: 'email', teams: ['soc'], from: 'ciso', title: 'Ping', body: 'Still there?' }]);
    expect([...c.querySelectorAll('#ah-tpl option')].map((o) => o.textContent)).toEqual(['—', 'CISO call', 'Night desk ping']);
    [...c.querySelectorAll('button')].find((b) => b.textContent === 'Delete template')!.click();
    await vi.waitFor(() => expect(templates.remove).toHaveBeenCalledWith(7));
  });
});

// @vitest-environment jsdom
// The observer's rating form (issue #19): the objectives from
// GET /evaluation, the observer's own rating sent as a `rate` message over
// the live socket (no "Settle as final": only the facilitator settles), and
// the settled rating shown when its frame arrives.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import App from '../../App.svelte';
import { preloadPages } from '../../lib/pages';
import { FakeWS } from '../../test/fakews';
import { fakeApi, observerSession, wire } from '../../test/fakeapi';
import { render, type Rendered } from '../../test/render';

let r: Rendered | null = null;
beforeAll(preloadPages, 60_000);
beforeEach(() => {
  FakeWS.all = [];
  sessionStorage.clear();
});
afterEach(() => {
  r?.destroy();
  r = null;
  localStorage.clear();
});

describe('observer rating', { timeout: 30_000 }, () => {
  it('rates an objective over the socket, cannot settle, and sees the settled rating', async () => {
    const api = fakeApi({ participant: null, observer: observerSession });
    api.observeInfo.mockImplementation(() =>
      Promise.resolve({
        exercise: { id: 'ex1', title: 'Hijacked account', status: 'running', outcome: '' },
        teams: [{ id: 'comms', name: 'Communications' }],
        participants: [],
        clockNs: 0,
        speed: 1,
        objectives: [{ id: 'public_comms', title: 'Keep customers informed' }],
      }),
    );
    const evaluation = vi.fn(() =>
      Promise.resolve({ objectives: [{ id: 'public_comms', title: 'Keep customers informed', capability: 'Public Information and Warning' }], teams: [], plan: [] }),
    );
    const rateRest = vi.fn(() => Promise.reject(new Error('the socket is live: REST not expected')));
    Object.assign(api, { evaluation, rateRest });
    window.history.replaceState(null, '', '/observe');
    r = render(App, { api });
    const c = r.container;
    await vi.waitFor(() => expect(FakeWS.all.length).toBe(1));
    const ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    ws.frame(wire.event(3, 'note_added', { author: 'Olga', objective: 'public_comms', text: 'Holding statement drafted at 10:04' }, 60e9));
    ws.frame(wire.live(3));
    const card = () => c.querySelector<HTMLElement>('[data-objective="public_comms"]');
    await vi.waitFor(() => expect(card()).not.toBeNull());
    expect(evaluation).toHaveBeenCalledWith(observerSession);
    // Each objective is a folded row that sums up the observer's own rating.
    const row = c.querySelector<HTMLButtonElement>('button[data-objective-toggle="public_comms"]')!;
    expect(row.getAttribute('aria-expanded')).toBe('false');
    expect(row.textContent).toContain('not rated by you');
    row.click();
    flushSync();
    expect(row.getAttribute('aria-expanded')).toBe('true');
    const form = card()!.querySelector<HTMLFormElement>('form.rateform')!;
    expect([...form.querySelectorAll('button')].map((b) => b.textContent)).not.toContain('Settle as final');

    // Saving without a rating says what is missing and sends nothing.
    form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    flushSync();
    expect(form.textContent).toContain('Choose a rating');
    expect(ws.sentMessages().filter((m) => m.type === 'rate')).toEqual([]);

    form.querySelector<HTMLInputElement>('input[type="radio"][value="M"]')!.click();
    const areas = [...form.querySelectorAll('label')].find((l) => l.textContent?.startsWith('Areas for improvement'))!;
    const ta = form.querySelector<HTMLTextAreaElement>(`#${areas.htmlFor}`)!;
    ta.value = 'Approval took 20 minutes\nNo spokesperson named';
    ta.dispatchEvent(new Event('input', { bubbles: true }));
    const details = form.querySelector('details')!;
    details.open = true;
    details.dispatchEvent(new Event('toggle'));
    await vi.waitFor(() => expect(form.querySelector('input[data-seq="3"]')).not.toBeNull());
    form.querySelector<HTMLInputElement>('input[data-seq="3"]')!.click();
    flushSync();
    form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await vi.waitFor(() => expect(ws.sentMessages().filter((m) => m.type === 'rate')).toHaveLength(1));
    const sent = ws.sentMessages().find((m) => m.type === 'rate')!;
    expect(sent).toEqual({ type: 'rate', id: sent.id, objective: 'public_comms', rating: 'M', improvements: ['Approval took 20 minutes', 'No spokesperson named'], evidence: [3] });
    ws.frame({ type: 'ack', id: sent.id, seq: 4 });
    ws.frame(wire.event(4, 'rating_submitted', { rater: 'ob1', rater_name: 'Olga', objective: 'public_comms', rating: 'M', improvements: ['Approval took 20 minutes', 'No spokesperson named'], evidence: [3] }, 120e9));
    await vi.waitFor(() => expect(form.textContent).toContain('Rating saved.'));
    await vi.waitFor(() => expect(row.querySelector('[data-own]')!.textContent!.replace(/\s+/g, ' ')).toContain('you rated M'));
    expect(row.textContent).toContain('1 evidence');
    await vi.waitFor(() => expect(card()!.querySelector('[data-rater="ob1"]')?.textContent).toContain('Performed with major challenges'));
    expect(rateRest).not.toHaveBeenCalled();

    ws.frame(wire.event(5, 'rating_submitted', { rater: 'facilitator', rater_name: 'Fran', objective: 'public_comms', rating: 'S', final: true }, 180e9));
    await vi.waitFor(() => expect(card()!.querySelector('[data-final]')?.textContent).toContain('Final: Performed with some challenges'));
  });
});

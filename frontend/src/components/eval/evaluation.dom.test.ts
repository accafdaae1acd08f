// @vitest-environment jsdom
// The console's tabs and its Evaluation tab (issue #19): the tab comes back
// from the address after a reload, arrows move between tabs, the inbox and
// chat tabs count what waits; the EEG card shows an observer's rating as
// its frame arrives; the facilitator settles a rating and writes a
// corrective action, each a POST with the contract's body.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { preloadPages } from '../../lib/pages';
import App from '../../App.svelte';
import { offlineApi } from '../../lib/api';
import brandHijack from '../../lib/testdata/brand-hijack.scenario.json';
import { eventFrame, fakeServer, type FakeServer } from '../../test/fakeserver';
import { render, type Rendered } from '../../test/render';

beforeAll(preloadPages, 60_000);

let srv: FakeServer;
let r: Rendered | null = null;

const evaluation = {
  objectives: [
    {
      id: 'public_comms',
      title: 'Keep customers informed',
      capability: 'Public Information and Warning',
      met: 'A holding statement within 10 minutes',
      tasks: [{ id: 'holding_statement', title: 'Publish a holding statement', teams: ['comms'] }],
      milestones: [{ id: 'holding_10m', title: 'Holding statement within 10 minutes', met: true, done: 8, due: 10, how: 'published at minute 8' }],
    },
  ],
  teams: [],
  plan: [],
};

beforeEach(() => {
  srv = fakeServer();
  srv.routes['GET /api/me'] = () => [200, { role: 'facilitator', name: 'fran' }];
  srv.routes['GET /api/exercises/ex1'] = () => [
    200,
    {
      exercise: { id: 'ex1', title: 'Drill', status: 'running', params: {} },
      snapshot: { id: 'ex1', status: 'running', speed: 1, clock: 0, last_seq: 0, teams: [], participants: [], decisions: [], sim: {} },
      online: [],
    },
  ];
  srv.routes['GET /api/exercises/ex1/scenario'] = () => [200, { scenario: brandHijack }];
  srv.routes['GET /api/exercises/ex1/evaluation'] = () => [200, { evaluation }];
});

afterEach(() => {
  r?.destroy();
  r = null;
  vi.unstubAllGlobals();
  localStorage.clear();
  sessionStorage.clear();
});

async function open(path: string) {
  window.history.replaceState(null, '', path);
  r = render(App, { api: offlineApi });
  const c = r.container;
  await vi.waitFor(() => expect(srv.sockets.length).toBe(1));
  const ws = srv.sockets[0];
  ws.open();
  ws.frame({ type: 'hello', protocol: 'ttx.v1', exercise: 'ex1', role: 'facilitator', after: 0, server_time: '2026-11-23T10:00:00Z' });
  ws.frame(eventFrame(1, 'exercise_started', 0, { speed: 1 }));
  await vi.waitFor(() => expect(c.querySelector('[role="tablist"]')).not.toBeNull());
  return { c, ws };
}

const tab = (c: HTMLElement, id: string) => c.querySelector<HTMLButtonElement>(`[role="tab"][data-tab="${id}"]`)!;
const panel = (c: HTMLElement, id: string) => c.querySelector<HTMLElement>(`#tabpanel-${id}`)!;

function typeInto(el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, v: string) {
  el.value = v;
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
}

describe('console tabs', { timeout: 30_000 }, () => {
  it('opens the tab the address names, moves with the arrows, and keeps the tab in the address', async () => {
    const { c } = await open('/console/ex1#tab=receipts');
    expect(tab(c, 'receipts').getAttribute('aria-selected')).toBe('true');
    expect(tab(c, 'receipts').tabIndex).toBe(0);
    expect(tab(c, 'live').tabIndex).toBe(-1);
    expect(panel(c, 'receipts').hidden).toBe(false);
    expect(panel(c, 'live').hidden).toBe(true);
    expect(panel(c, 'receipts').getAttribute('aria-labelledby')).toBe('tab-receipts');

    tab(c, 'receipts').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    flushSync();
    expect(tab(c, 'evaluation').getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(tab(c, 'evaluation'));
    expect(location.hash).toBe('#tab=evaluation');
    tab(c, 'evaluation').dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
    flushSync();
    expect(tab(c, 'live').getAttribute('aria-selected')).toBe('true');
    expect(location.hash).toBe('');
    expect(panel(c, 'live').hidden).toBe(false);
  });

  it('counts threads waiting for a persona and unread chat on their tabs', async () => {
    const { c, ws } = await open('/console/ex1');
    ws.frame(eventFrame(2, 'message_sent', 1, { message: 'm2', action: 'compose', team: 'soc', participant: 'p2', persona: 'support', persona_name: 'Platform Support', thread: 'm2', channel: 'ticket', title: 'Hijack', body: 'Lock it.' }, ['soc']));
    ws.frame(eventFrame(3, 'chat_posted', 1, { room: 'team:soc', participant: 'p2', name: 'Chen', team: 'soc', body: 'Anyone?' }, ['soc']));
    await vi.waitFor(() => expect(tab(c, 'inbox').textContent).toContain('1'));
    expect(tab(c, 'inbox').textContent).toContain('waiting for an answer');
    await vi.waitFor(() => expect(tab(c, 'chat').textContent).toMatch(/1 unread/));
    // The room on screen in the open chat tab is read.
    tab(c, 'chat').click();
    flushSync();
    // Staff see every room: past a few, the room is picked from a menu.
    const menu = panel(c, 'chat').querySelector<HTMLSelectElement>('select')!;
    menu.value = 'team:soc';
    menu.dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() => expect(tab(c, 'chat').textContent).not.toMatch(/unread/));
  });
});

describe('evaluation tab', { timeout: 30_000 }, () => {
  it('shows an observer’s rating live, settles the final rating and writes a corrective action', async () => {
    const posts: { url: string; body: unknown }[] = [];
    srv.routes['POST /api/exercises/ex1/ratings'] = (body, url) => (posts.push({ url, body: JSON.parse(body ?? '{}') }), [200, { seq: 20 }]);
    srv.routes['POST /api/exercises/ex1/corrective-actions'] = (body, url) => (posts.push({ url, body: JSON.parse(body ?? '{}') }), [200, { seq: 21 }]);
    const { c, ws } = await open('/console/ex1#tab=evaluation');
    const card = () => c.querySelector<HTMLElement>('[data-objective="public_comms"]')!;
    await vi.waitFor(() => expect(card()).not.toBeNull());
    expect(card().textContent).toContain('Public Information and Warning');
    expect(card().textContent).toContain('done at minute 8, due by minute 10: met');
    // The task's teams follow its title with a space, not glued to it.
    expect(card().textContent).toMatch(/Publish a holding statement · /);

    ws.frame(eventFrame(4, 'note_added', 2, { author: 'Olga', objective: 'public_comms', text: 'Statement drafted quickly' }));
    ws.frame(eventFrame(5, 'rating_submitted', 3, { rater: 'ob1', rater_name: 'Olga', objective: 'public_comms', rating: 'S', strengths: ['Fast draft'], evidence: [4] }));
    await vi.waitFor(() => expect(card().querySelector('[data-rater="ob1"]')?.textContent).toContain('Olga'));
    expect(card().querySelector('[data-rater="ob1"]')!.textContent).toContain('Performed with some challenges');
    expect(card().querySelector('[data-rater="ob1"]')!.textContent).toContain('Statement drafted quickly');

    // The facilitator's own form: S, an explanation, the note as evidence, settled.
    const form = card().querySelector<HTMLFormElement>('form.rateform')!;
    form.querySelector<HTMLInputElement>('input[type="radio"][value="S"]')!.click();
    typeInto(form.querySelector<HTMLTextAreaElement>('textarea')!, 'Out in time; approval was slow.');
    const details = form.querySelector('details')!;
    details.open = true;
    details.dispatchEvent(new Event('toggle'));
    await vi.waitFor(() => expect(form.querySelector('input[data-seq="4"]')).not.toBeNull());
    form.querySelector<HTMLInputElement>('input[data-seq="4"]')!.click();
    flushSync();
    [...form.querySelectorAll('button')].find((b) => b.textContent === 'Settle as final')!.click();
    await vi.waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0].body).toEqual({ objective: 'public_comms', rating: 'S', explanation: 'Out in time; approval was slow.', evidence: [4], final: true });
    ws.frame(eventFrame(6, 'rating_submitted', 4, { rater: 'facilitator', rater_name: 'fran', objective: 'public_comms', rating: 'S', explanation: 'Out in time; approval was slow.', evidence: [4], final: true }));
    await vi.waitFor(() => expect(card().querySelector('[data-final]')?.getAttribute('data-final')).toBe('S'));

    // A corrective action: the issue and action are required.
    // The form is folded behind its button, which opens it.
    const plan = c.querySelector<HTMLElement>('section.plan')!;
    expect(plan.querySelector('form')).toBeNull();
    plan.querySelector<HTMLButtonElement>('button[data-new-action]')!.click();
    await vi.waitFor(() => expect(plan.querySelector('form')).not.toBeNull());
    const pf = plan.querySelector('form')!;
    await vi.waitFor(() => expect(document.activeElement).toBe(pf.querySelector('select[name="objective"]')));
    pf.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await vi.waitFor(() => expect(pf.textContent).toContain('Say what needs improving'));
    expect(posts).toHaveLength(1);
    const input = (label: string) => {
      const l = [...pf.querySelectorAll('label')].find((x) => x.textContent?.startsWith(label))!;
      return pf.querySelector<HTMLInputElement>(`#${l.htmlFor}`)!;
    };
    typeInto(input('Objective') as unknown as HTMLSelectElement, 'public_comms');
    typeInto(input('Issue'), 'Approval took long');
    typeInto(input('Corrective action'), 'Pre-approve holding statements');
    typeInto(input('Responsible organisation'), 'Comms');
    typeInto(input('Completion due'), '2027-01-31');
    flushSync();
    pf.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await vi.waitFor(() => expect(posts).toHaveLength(2));
    const body = posts[1].body as Record<string, unknown>;
    expect(body).toMatchObject({ objective: 'public_comms', capability: 'Public Information and Warning', issue: 'Approval took long', action: 'Pre-approve holding statements', owner: 'Comms', due: '2027-01-31' });
    expect(body.action_id).toMatch(/^ca-/);
    const { action_id: lineId, ...fields } = body;
    ws.frame(eventFrame(7, 'corrective_action_saved', 5, { ...fields, id: lineId, version: 1 }));
    await vi.waitFor(() => expect(plan.querySelector(`tr[data-action="${lineId}"]`)?.textContent).toContain('v1'));
    // Added: the form folded, the new line is in the plan and the button is back.
    expect(plan.querySelector('form')).toBeNull();
    expect(plan.querySelector('button[data-new-action]')).not.toBeNull();
  });
});

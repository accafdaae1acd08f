// @vitest-environment jsdom
// The facilitator pages mounted in the real App, talking to a stubbed
// fetch (the real HTTP client runs) and a fake WebSocket.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import App from '../../App.svelte';
import { preloadPages } from '../../lib/pages';
import { offlineApi } from '../../lib/api';
import brandHijack from '../../lib/testdata/brand-hijack.scenario.json';
import { dangers, render, type Rendered } from '../../test/render';

type Handler = (body: string | null, url: string) => [number, unknown];

let routes: Record<string, Handler> = {};
let calls: { method: string; url: string; body: string | null }[] = [];
let sockets: FakeSocket[] = [];
let r: Rendered | null = null;

class FakeSocket {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  sent: string[] = [];
  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    sockets.push(this);
  }
  send(d: string) {
    this.sent.push(d);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  frame(f: unknown) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
}

beforeEach(() => {
  routes = {};
  calls = [];
  sockets = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const body = typeof init.body === 'string' ? init.body : null;
    calls.push({ method, url, body });
    const h = routes[`${method} ${url.split('?')[0]}`];
    const [status, out] = h ? h(body, url) : [404, { error: { code: 'not_found', message: 'not found' } }];
    return new Response(status === 204 ? null : JSON.stringify(out), { status, headers: { 'Content-Type': 'application/json' } });
  });
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.stubGlobal('confirm', () => true);
});

afterEach(() => {
  r?.destroy();
  r = null;
  vi.unstubAllGlobals();
  localStorage.clear();
  document.documentElement.className = '';
});

function at(path: string): HTMLElement {
  window.history.replaceState(null, '', path);
  r = render(App, { api: offlineApi });
  return r.container;
}

const facilitator: Handler = () => [200, { role: 'facilitator', name: 'fran' }];
const MIN = 60e9;

function frame(seq: number, kind: string, atMin: number, payload: Record<string, unknown>, audience: string[] = []) {
  return { type: 'event', seq, kind, at: atMin * MIN, wall_time: '2026-11-23T10:00:00Z', payload, audience };
}

// The staff pages are loaded on demand; load them first so that App mounts
// them at once, as after their first visit.
beforeAll(preloadPages, 60_000);

describe('sign-in', () => {
  it('sends a signed-out visitor to the sign-in page and back after the forced password change', async () => {
    let changed = false;
    routes['GET /api/me'] = () => (changed ? [200, { role: 'facilitator', name: 'admin' }] : [401, { error: { code: 'unauthenticated', message: 'log in or join first' } }]);
    routes['POST /api/auth/login'] = () => [200, { role: 'facilitator', name: 'admin', must_change_password: true }];
    routes['POST /api/auth/password'] = (body) => {
      expect(JSON.parse(body!)).toEqual({ current: 'GENERATED1234', new: 'a much better password' });
      changed = true;
      return [200, { role: 'facilitator', name: 'admin' }];
    };
    routes['GET /api/scenarios'] = () => [200, { scenarios: [] }];
    routes['GET /api/exercises'] = () => [200, { exercises: [] }];
    const c = at('/console');
    await vi.waitFor(() => expect(window.location.pathname).toBe('/login'));
    expect(new URLSearchParams(window.location.search).get('next')).toBe('/console');
    await vi.waitFor(() => expect(c.querySelector('#login-name')).not.toBeNull());
    const name = c.querySelector<HTMLInputElement>('#login-name')!;
    const pw = c.querySelector<HTMLInputElement>('#login-pw')!;
    name.value = 'admin';
    name.dispatchEvent(new Event('input'));
    pw.value = 'GENERATED1234';
    pw.dispatchEvent(new Event('input'));
    c.querySelector<HTMLFormElement>('form')!.requestSubmit();
    await vi.waitFor(() => expect(c.querySelector('#pw-new')).not.toBeNull());
    expect(c.querySelector('main h1')?.textContent).toBe('Choose your password');
    const set = (id: string, v: string) => {
      const el = c.querySelector<HTMLInputElement>(id)!;
      el.value = v;
      el.dispatchEvent(new Event('input'));
    };
    set('#pw-new', 'short');
    set('#pw-again', 'short');
    c.querySelector<HTMLFormElement>('form')!.requestSubmit();
    flushSync();
    expect(c.querySelector('[role=alert]')?.textContent).toContain('at least 12');
    set('#pw-new', 'a much better password');
    set('#pw-again', 'a much better password');
    c.querySelector<HTMLFormElement>('form')!.requestSubmit();
    await vi.waitFor(() => expect(window.location.pathname).toBe('/console'));
    await vi.waitFor(() => expect(c.textContent).toContain('Scenario library'));
  });

  it('shows the server message on bad credentials', async () => {
    routes['GET /api/me'] = () => [401, { error: { code: 'unauthenticated', message: 'x' } }];
    routes['POST /api/auth/login'] = () => [401, { error: { code: 'bad_credentials', message: 'wrong name or password' } }];
    const c = at('/login');
    await vi.waitFor(() => expect(c.querySelector<HTMLButtonElement>('form button')?.disabled).toBe(false));
    for (const [id, v] of [['#login-name', 'admin'], ['#login-pw', 'guess']]) {
      const el = c.querySelector<HTMLInputElement>(id)!;
      el.value = v;
      el.dispatchEvent(new Event('input'));
    }
    c.querySelector<HTMLFormElement>('form')!.requestSubmit();
    await vi.waitFor(() => expect(c.querySelector('[role=alert]')?.textContent).toBe('wrong name or password'));
  });
});

describe('library', () => {
  it('lists scenarios with their problems and shows an upload’s positioned errors', async () => {
    routes['GET /api/me'] = facilitator;
    routes['GET /api/exercises'] = () => [200, { exercises: [] }];
    routes['GET /api/scenarios'] = () => [
      200,
      {
        scenarios: [
          { id: 'good', file: 'good.yaml', origin: 'shipped', valid: true, title: 'Good one', summary: 'At {{company}}', duration_minutes: 45, tags: ['phishing'], teams: [{ id: 'a', name: 'Alpha' }], parameters: [{ id: 'company', label: 'Company', default: 'Acme' }] },
          { id: 'bad', file: 'bad.yaml', origin: 'uploaded', valid: false, errors: [{ file: 'bad.yaml', line: 7, col: 3, message: 'unknown state "x"', hint: 'did you mean "y"?' }] },
        ],
      },
    ];
    routes['POST /api/scenarios/validate'] = () => [422, { error: { code: 'invalid_scenario', message: 'the scenario has errors', details: [{ file: 'mine.yaml', line: 2, col: 9, message: '<b>bad</b> key' }] } }];
    const c = at('/console');
    await vi.waitFor(() => expect(c.textContent).toContain('Good one'));
    expect(c.textContent).toContain('At Acme');
    expect(c.textContent).toContain('bad.yaml:7:3');
    expect(c.textContent).toContain('— did you mean "y"?');
    const input = c.querySelector<HTMLInputElement>('#up-file')!;
    const file = new File(['id: mine'], 'mine.yaml', { type: 'application/yaml' });
    Object.defineProperty(input, 'files', { value: [file] });
    input.dispatchEvent(new Event('change', { bubbles: true }));
    [...c.querySelectorAll('button')].find((b) => b.textContent === 'Validate only')!.click();
    await vi.waitFor(() => expect(c.textContent).toContain('mine.yaml:2:9'));
    expect(c.textContent).toContain('<b>bad</b> key');
    expect(c.querySelector('b')).toBeNull();
    expect(calls.find((x) => x.url.startsWith('/api/scenarios/validate'))?.body).toBe('id: mine');
  });
});

describe('lobby and live console', () => {
  function exercise(status: string, lastSeq: number) {
    return {
      exercise: { id: 'ex1', title: 'Drill', status, params: {}, join: { code: 'K7QX2MPA', display: 'K7QX-2MPA', url: 'http://localhost:3000/join#K7QX2MPA' } },
      snapshot: { id: 'ex1', status, speed: 1, clock: 0, last_seq: lastSeq, teams: [], participants: [], decisions: [], sim: {} },
      online: [{ type: 'presence', participant: 'p1', name: 'Ana', team: 'comms', online: true, status: 'active' }],
    };
  }

  it('shows the join code and QR code, who joined, and starts the exercise', async () => {
    let status = 'lobby';
    routes['GET /api/me'] = facilitator;
    routes['GET /api/exercises/ex1'] = () => [200, exercise(status, 2)];
    routes['GET /api/exercises/ex1/scenario'] = () => [200, { scenario: brandHijack }];
    routes['GET /api/exercises/ex1/observers'] = () => [200, { observers: [] }];
    routes['POST /api/exercises/ex1/start'] = () => {
      status = 'running';
      return [200, { ok: true }];
    };
    const c = at('/console/ex1');
    await vi.waitFor(() => expect(c.textContent).toContain('K7QX-2MPA'));
    const qr = c.querySelector('svg.qr');
    expect(qr?.getAttribute('aria-label')).toContain('http://localhost:3000/join#K7QX2MPA');
    expect(qr?.querySelector('path')?.getAttribute('d')).toMatch(/^M\d+ \d+h\d+v1h-\d+z/);
    // The socket streams the log: two people joined; one is online.
    await vi.waitFor(() => expect(sockets.length).toBe(1));
    const ws = sockets[0];
    expect(ws.url).toContain('exercise=ex1');
    ws.open();
    ws.frame({ type: 'hello', protocol: 'ttx.v1', exercise: 'ex1', role: 'facilitator', after: 0, server_time: '2026-11-23T10:00:00Z' });
    ws.frame(frame(1, 'participant_joined', 0, { participant: 'p1', team: 'comms', name: 'Ana', lead: true }));
    ws.frame(frame(2, 'participant_joined', 0, { participant: 'p2', team: 'soc', name: 'Chen' }));
    ws.frame({ type: 'live', last_seq: 2 });
    await vi.waitFor(() => expect(c.textContent).toContain('1 of 2 online'));
    expect(c.textContent).toContain('Ana');
    expect(c.textContent).toContain('Chen');
    // Three of the scenario's teams are empty: the console lists them and
    // asks first, in the page; waiting starts nothing.
    const buttonNamed = (text: string) => [...c.querySelectorAll('button')].find((b) => b.textContent === text);
    buttonNamed('Start the exercise')!.click();
    await vi.waitFor(() => expect(buttonNamed('Start anyway')).toBeDefined());
    expect(c.querySelector('.lobby .confirm .q')?.textContent).toMatch(/^Legal & Privacy, Executive team and IT & Vendor Management have nobody in them\. .*Start anyway\?$/);
    expect(document.activeElement?.textContent).toBe('Start anyway');
    buttonNamed('Wait for them')!.click();
    await vi.waitFor(() => expect(buttonNamed('Start the exercise')).toBeDefined());
    expect(calls.some((x) => x.url === '/api/exercises/ex1/start')).toBe(false);
    buttonNamed('Start the exercise')!.click();
    await vi.waitFor(() => expect(buttonNamed('Start anyway')).toBeDefined());
    buttonNamed('Start anyway')!.click();
    await vi.waitFor(() => expect(calls.some((x) => x.method === 'POST' && x.url === '/api/exercises/ex1/start')).toBe(true));
    ws.frame(frame(3, 'exercise_started', 0, { speed: 1 }));
    ws.frame(frame(4, 'state_entered', 0, { state: 'hijack_begins', title: 'Begins' }, ['*']));
    ws.frame(frame(5, 'decision_opened', 1, { state: 'hijack_begins', decision: 'first_response', team: 'comms', prompt: 'What <script>now</script>?', options: [{ id: 'del', label: 'Delete' }], time_limit: 6 * MIN, closes_at: 7 * MIN }, ['comms']));
    ws.frame(frame(6, 'decision_answered', 2, { decision: 'first_response', team: 'comms', option: 'del', option_label: 'Delete', participant: 'p1' }, ['comms']));
    ws.frame(frame(7, 'inject_delivered', 2, { state: 'hijack_begins', inject: 'i1', channel: 'email', title: 'Press query', body: 'Call me <img src=x onerror=alert(1)>', persona_name: 'Dana' }, ['comms', 'soc']));
    await vi.waitFor(() => expect(c.querySelector('[role=timer]')).not.toBeNull());
    // Live: the clock bar, the decision with Ana's answer after 1:00, the card with its team tags.
    const dec = c.querySelector('[aria-labelledby="dec-h"]')!;
    expect(dec.textContent).toContain('Ana');
    expect(dec.textContent).toContain('1:00');
    expect(dec.textContent).toContain('Delete');
    const feed = c.querySelector('[aria-labelledby="feed-h"]')!;
    expect(feed.textContent).toContain('Press query');
    expect(feed.textContent).toMatch(/Comms & Social.*Security Operations/);
    expect(dangers(feed)).toEqual([]);
    expect(dangers(dec)).toEqual([]);
    expect(c.querySelector('script')).toBeNull();
    // The graph marks the current state.
    expect(c.querySelector('.node.current title')?.textContent).toContain('current state');
    // Close the decision early.
    routes['POST /api/exercises/ex1/close-decision'] = () => [200, { ok: true }];
    [...dec.querySelectorAll('button')].find((b) => b.textContent?.startsWith('Close now'))!.click();
    flushSync();
    [...dec.querySelectorAll('button')].find((b) => b.textContent === 'Close it')!.click();
    await vi.waitFor(() => expect(calls.find((x) => x.url.endsWith('/close-decision'))?.body).toBe('{"decision":"first_response"}'));
  });

  it('applies presence batches and extends an open timed decision', async () => {
    routes['GET /api/me'] = facilitator;
    routes['GET /api/exercises/ex1'] = () => [200, exercise('running', 0)];
    routes['GET /api/exercises/ex1/scenario'] = () => [200, { scenario: brandHijack }];
    routes['POST /api/exercises/ex1/extend-decision'] = () => [200, { ok: true }];
    const c = at('/console/ex1');
    await vi.waitFor(() => expect(sockets.length).toBe(1));
    const ws = sockets[0];
    ws.open();
    ws.frame({ type: 'hello', protocol: 'ttx.v1', exercise: 'ex1', role: 'facilitator', after: 0, server_time: '2026-11-23T10:00:00Z' });
    ws.frame(frame(1, 'participant_joined', 0, { participant: 'p1', team: 'comms', name: 'Ana', lead: true }));
    ws.frame(frame(2, 'participant_joined', 0, { participant: 'p2', team: 'soc', name: 'Chen' }));
    ws.frame(frame(3, 'participant_joined', 0, { participant: 'p3', team: 'soc', name: 'Dee' }));
    ws.frame(frame(4, 'exercise_started', 0, { speed: 1 }));
    ws.frame(frame(5, 'state_entered', 0, { state: 'hijack_begins', title: 'Begins' }, ['*']));
    ws.frame(frame(6, 'decision_opened', 1, { state: 'hijack_begins', decision: 'first_response', team: 'comms', prompt: 'What now?', options: [{ id: 'del', label: 'Delete' }], time_limit: 6 * MIN, closes_at: 7 * MIN }, ['comms']));
    ws.frame(frame(7, 'decision_opened', 1, { state: 'hijack_begins', decision: 'untimed', team: 'soc', prompt: 'Anyone?', options: [{ id: 'y', label: 'Yes' }] }, ['soc']));
    ws.frame({ type: 'live', last_seq: 7 });
    const teams = () => c.querySelector('[aria-labelledby="live-teams"]')!;
    await vi.waitFor(() => expect(teams().textContent).toContain('1 of 3 online'));
    // One frame for several people: who changed, in their latest state.
    ws.frame({
      type: 'presence',
      changes: [
        { participant: 'p2', name: 'Chen', team: 'soc', online: true, status: 'active' },
        { participant: 'p3', name: 'Dee', team: 'soc', online: true, status: 'idle' },
        { participant: 'p1', name: 'Ana', team: 'comms', online: false },
      ],
      teams: { soc: 2, comms: 0 },
    });
    flushSync();
    expect(teams().textContent).toContain('2 of 3 online');
    const status = (name: string) => [...teams().querySelectorAll('.members li')].find((li) => li.textContent?.includes(name))?.querySelector('.sr-only')?.textContent;
    expect([status('Ana'), status('Chen'), status('Dee')]).toEqual([', offline', ', online', ', online, idle']);
    // The facilitator promotes Chen to SOC lead.
    routes['POST /api/exercises/ex1/participants/p2/lead'] = () => [204, null];
    teams().querySelector<HTMLButtonElement>('button[aria-label="Make lead: Chen"]')!.click();
    await vi.waitFor(() => expect(calls.some((x) => x.method === 'POST' && x.url === '/api/exercises/ex1/participants/p2/lead')).toBe(true));

    // Only the timed decision offers more time.
    const dec = c.querySelector('[aria-labelledby="dec-h"]')!;
    const groups = [...dec.querySelectorAll('[role=group]')].filter((g) => g.getAttribute('aria-label')?.startsWith('Extend'));
    // People hear the decision's prompt, never its id.
    expect(groups.map((g) => g.getAttribute('aria-label'))).toEqual(['Extend “What now?”']);
    expect(dec.textContent).not.toContain('first_response');
    expect([...groups[0].querySelectorAll('button')].map((b) => b.textContent)).toEqual(['+1 min', '+2 min', '+5 min']);
    expect(dec.textContent).toContain('closes T+7:00');
    [...groups[0].querySelectorAll('button')].find((b) => b.textContent === '+2 min')!.click();
    await vi.waitFor(() => expect(calls.find((x) => x.url.endsWith('/extend-decision'))?.body).toBe('{"decision":"first_response","by":120}'));
    ws.frame(frame(8, 'facilitator_extend', 2, { decision: 'first_response', by: 2 * MIN }));
    ws.frame(frame(9, 'decision_extended', 2, { decision: 'first_response', team: 'comms', by: 2 * MIN, closes_at: 9 * MIN, time_limit: 8 * MIN }, ['comms']));
    flushSync();
    expect(dec.textContent).toContain('closes T+9:00 · extended +2 min');
    expect(dec.textContent).not.toContain('closes T+7:00');

    // The facilitator answers the SOC's decision on its behalf; the answer
    // shows as the facilitator's, for the team.
    routes['POST /api/exercises/ex1/answers'] = () => [200, { client_id: 'x', seq: 10, duplicate: false }];
    const forSoc = [...dec.querySelectorAll<HTMLElement>('[role=group]')].find((g) => g.getAttribute('aria-label') === 'Answer untimed for Security Operations (SOC/IR)')!;
    expect(forSoc.hidden).toBe(true);
    (forSoc.previousElementSibling as HTMLButtonElement).click();
    flushSync();
    expect(forSoc.hidden).toBe(false);
    const yes = [...forSoc.querySelectorAll('button')].find((b) => b.textContent === 'Yes')!;
    await vi.waitFor(() => expect(yes.disabled).toBe(false));
    yes.click();
    await vi.waitFor(() => expect(calls.find((x) => x.url.endsWith('/answers'))?.body).toMatch(/^\{"client_id":"fac-[a-z0-9-]+","decision":"untimed","option":"y"\}$/));
    ws.frame(frame(10, 'decision_answered', 3, { decision: 'untimed', team: 'soc', option: 'y', option_label: 'Yes', participant: 'facilitator', lead: true, by_facilitator: true }, ['soc']));
    flushSync();
    expect(dec.textContent).toContain('the facilitator for Security Operations (SOC/IR)');
  });

  it('asks before ending and sends the reason', async () => {
    routes['GET /api/me'] = facilitator;
    routes['GET /api/exercises/ex1'] = () => [200, exercise('running', 0)];
    routes['GET /api/exercises/ex1/scenario'] = () => [200, { scenario: brandHijack }];
    routes['POST /api/exercises/ex1/end'] = () => [409, { error: { code: 'ended', message: 'the exercise has ended' } }];
    const c = at('/console/ex1');
    await vi.waitFor(() => expect([...c.querySelectorAll('button')].some((b) => b.textContent === 'End…')).toBe(true));
    [...c.querySelectorAll('button')].find((b) => b.textContent === 'End…')!.click();
    flushSync();
    expect(calls.some((x) => x.url.endsWith('/end'))).toBe(false);
    const reason = c.querySelector<HTMLInputElement>('#end-reason')!;
    reason.value = 'Out of time';
    reason.dispatchEvent(new Event('input'));
    c.querySelector<HTMLFormElement>('.endform')!.requestSubmit();
    await vi.waitFor(() => expect(calls.find((x) => x.url.endsWith('/end'))?.body).toBe('{"reason":"Out of time"}'));
    await vi.waitFor(() => expect(c.querySelector('p.error[role=alert]')?.textContent).toBe('the exercise has ended'));
  });
});

describe('report page', () => {
  it('renders every section from the report data and keeps typed text inert', async () => {
    routes['GET /api/exercises/ex9/report'] = () => [
      200,
      {
        exercise: { id: 'ex9', title: 'Friday drill', status: 'ended' },
        snapshot: {},
        scenario: brandHijack,
        events: [
          frame(1, 'participant_joined', 0, { participant: 'p1', team: 'comms', name: '<img src=x onerror=alert(1)>' }),
          frame(2, 'state_entered', 0, { state: 'hijack_begins' }, ['*']),
          frame(3, 'decision_opened', 1, { decision: 'first_response', team: 'comms', prompt: 'What now?', options: [{ id: 'd', label: 'Delete' }] }, ['comms']),
          frame(4, 'decision_answered', 3, { decision: 'first_response', team: 'comms', option: 'd', option_label: 'Delete', participant: 'p1', rationale: 'javascript:alert(1)' }, ['comms']),
          frame(5, 'decision_closed', 3, { decision: 'first_response', team: 'comms', settled: 'answered', option: 'd', option_label: 'Delete', close_reason: 'answered' }, ['comms']),
          frame(6, 'note_added', 4, { author: 'Olga', objective: 'obj_entry', text: '<a href="javascript:x">click</a>' }),
          frame(7, 'outcome_reached', 5, { outcome: 'contained', rating: 'success', title: 'Contained', debrief: 'Well **done**.' }),
        ],
      },
    ];
    const c = at('/report/ex9');
    await vi.waitFor(() => expect(c.textContent).toContain('Friday drill'));
    for (const h of ['Outcome', 'Path taken', 'Decisions', 'Objectives', 'Timeline']) {
      expect([...c.querySelectorAll('h2')].map((x) => x.textContent)).toContain(h);
    }
    expect(c.textContent).toContain('Contained — success');
    expect(c.querySelector('.outcome strong')?.textContent).toBe('done');
    const decisions = c.querySelector('[aria-labelledby="r-decisions"]')!;
    expect(decisions.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(decisions.textContent).toContain('2:00');
    expect(dangers(decisions)).toEqual([]);
    const objectives = c.querySelector('[aria-labelledby="r-objectives"]')!;
    expect(objectives.textContent).toContain('<a href="javascript:x">click</a>');
    expect(dangers(objectives)).toEqual([]);
    // Exports are offered, and the print button too.
    expect([...c.querySelectorAll('.exports button')].map((b) => b.textContent)).toEqual(['Markdown', 'JSON', 'CSV of events', 'Print or save as PDF']);
  });

  it('says so when the exercise does not exist', async () => {
    routes['GET /api/exercises/nope/report'] = () => [404, { error: { code: 'not_found', message: 'exercise not found' } }];
    const c = at('/report/nope');
    await vi.waitFor(() => expect(c.querySelector('[role=alert]')?.textContent).toBe('There is no such exercise.'));
  });
});

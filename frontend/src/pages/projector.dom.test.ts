// @vitest-environment jsdom
// The room's projector view and the console's Invite panel (issue 16, item 13).
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { preloadPages } from '../lib/pages';
import App from '../App.svelte';
import { offlineApi } from '../lib/api';
import { adaptProjector } from '../lib/facilitator';
import { matchRoute, pathFor } from '../lib/router';
import brandHijack from '../lib/testdata/brand-hijack.scenario.json';
import { eventFrame, fakeServer, type FakeServer } from '../test/fakeserver';
import { render, type Rendered } from '../test/render';

// Staff pages load on demand; tests mount them at once.
beforeAll(preloadPages);

let srv: FakeServer;
let r: Rendered | null = null;

beforeEach(() => {
  srv = fakeServer();
});

afterEach(() => {
  r?.destroy();
  r = null;
  vi.unstubAllGlobals();
  localStorage.clear();
});

function at(path: string): HTMLElement {
  window.history.replaceState(null, '', path);
  r = render(App, { api: offlineApi });
  return r.container;
}

const projector = {
  id: 'ex1',
  title: 'Friday drill',
  status: 'running',
  clock: 754e9,
  speed: 2,
  server_time: '2026-11-23T10:00:00Z',
  join: { code: 'K7QX2MPA', display: 'K7QX-2MPA', url: 'http://localhost:3000/join#K7QX2MPA' },
  headline: { seq: 40, at: 600e9, channel: 'news', title: 'Acme account pushes crypto scam', from: 'Tech Daily' },
  // Fields a careless server might add: the page must not show them.
  notes: 'FACILITATOR-ONLY note',
  snapshot: { sim: { vars: { reputation: 42 } } },
};

describe('projector route', { timeout: 20_000 }, () => {
  it('is /exercises/:id/projector both ways', () => {
    expect(matchRoute('/exercises/ex1/projector')).toEqual({ name: 'projector', id: 'ex1' });
    expect(pathFor({ name: 'projector', id: 'a b' })).toBe('/exercises/a%20b/projector');
    expect(matchRoute('/exercises/ex1').name).toBe('notfound');
    expect(matchRoute('/exercises/ex1/other').name).toBe('notfound');
  });

  it('keeps only the public fields of the answer', () => {
    const v = adaptProjector(projector);
    expect(v).toEqual({
      title: 'Friday drill',
      status: 'running',
      clockNs: 754e9,
      speed: 2,
      join: { code: 'K7QX2MPA', display: 'K7QX-2MPA', url: 'http://localhost:3000/join#K7QX2MPA' },
      headline: { seq: 40, atNs: 600e9, storyTime: '', channel: 'news', title: 'Acme account pushes crypto scam', from: 'Tech Daily' },
    });
    expect(adaptProjector({ title: 'x', status: 'ended', clock: 1, speed: 1 })).toMatchObject({ join: null, headline: null });
  });
});

describe('Projector page', { timeout: 20_000 }, () => {
  it('shows the clock with its speed, the join code and QR code, and the headline, and nothing else', async () => {
    srv.routes['GET /api/exercises/ex1/projector'] = () => [200, projector];
    const c = at('/exercises/ex1/projector');
    await vi.waitFor(() => expect(c.querySelector('h1')?.textContent).toBe('Friday drill'));
    expect(document.querySelector('a.brand')).toBeNull(); // no app chrome on the wall
    expect(c.querySelector('[role=timer]')?.textContent).toMatch(/^T\+12:3\d$/);
    expect(c.querySelector('.status')?.textContent).toBe('Running · exercise time ×2');
    expect(c.querySelector('.code')?.textContent).toBe('K7QX-2MPA');
    expect(c.querySelector('svg.qr')?.getAttribute('aria-label')).toContain('http://localhost:3000/join#K7QX2MPA');
    expect(c.querySelector('.news')?.textContent).toBe('Acme account pushes crypto scam');
    expect(c.querySelector('.headline .meta')?.textContent).toContain('News · Tech Daily');
    expect(c.textContent).not.toContain('FACILITATOR-ONLY');
    expect(c.textContent).not.toContain('42');
  });

  it('sends a signed-out visitor to sign in and back', async () => {
    srv.routes['GET /api/exercises/ex1/projector'] = () => [401, { error: { code: 'unauthenticated', message: 'log in' } }];
    srv.routes['GET /api/me'] = () => [401, { error: { code: 'unauthenticated', message: 'log in' } }];
    at('/exercises/ex1/projector');
    await vi.waitFor(() => expect(window.location.pathname).toBe('/login'));
    expect(new URLSearchParams(window.location.search).get('next')).toBe('/exercises/ex1/projector');
  });
});

describe('console Invite panel', { timeout: 20_000 }, () => {
  function exercise(status: string) {
    return {
      exercise: { id: 'ex1', title: 'Drill', status, params: {}, join: { code: 'K7QX2MPA', display: 'K7QX-2MPA', url: 'http://localhost:3000/join#K7QX2MPA' } },
      snapshot: { id: 'ex1', status, speed: 1, clock: 0, last_seq: 0, teams: [], participants: [], decisions: [], sim: {} },
      online: [],
    };
  }

  it('keeps the join code, QR code, projector link and observer invites reachable while the exercise runs', async () => {
    srv.routes['GET /api/me'] = () => [200, { role: 'facilitator', name: 'fran' }];
    srv.routes['GET /api/exercises/ex1'] = () => [200, exercise('running')];
    srv.routes['GET /api/exercises/ex1/scenario'] = () => [200, { scenario: brandHijack }];
    srv.routes['GET /api/exercises/ex1/observers'] = () => [200, { observers: [{ id: 'o1', name: 'Olga', created_at: '2026-11-23T10:00:00Z' }] }];
    srv.routes['POST /api/exercises/ex1/observers'] = () => [201, { observer: { id: 'o2', name: 'Ned' }, url: 'http://localhost:3000/observe#token=o.x' }];
    const c = at('/console/ex1');
    await vi.waitFor(() => expect(c.querySelector('.clockbar')).not.toBeNull());
    const invite = c.querySelector<HTMLDetailsElement>('details.invite')!;
    expect(invite.querySelector('summary')?.textContent).toContain('Invite');
    expect(invite.textContent).toContain('K7QX-2MPA');
    expect(invite.querySelector('svg.qr')).not.toBeNull();
    expect(invite.querySelector<HTMLAnchorElement>('a[target=_blank]')?.getAttribute('href')).toBe('/exercises/ex1/projector');
    await vi.waitFor(() => expect(invite.textContent).toContain('Olga'));
    const name = invite.querySelector<HTMLInputElement>('#obs-name')!;
    name.value = 'Ned';
    name.dispatchEvent(new Event('input'));
    invite.querySelector<HTMLFormElement>('form.invite')!.requestSubmit();
    await vi.waitFor(() => expect(invite.querySelector<HTMLInputElement>('input[aria-label="Observer link"]')?.value).toBe('http://localhost:3000/observe#token=o.x'));
    // Once ended, nobody joins any more: no Invite panel.
    const ws = srv.sockets[0];
    ws.open();
    ws.frame({ type: 'hello', protocol: 'ttx.v1', exercise: 'ex1', role: 'facilitator', after: 0, server_time: '2026-11-23T10:00:00Z' });
    ws.frame(eventFrame(1, 'outcome_reached', 3, { outcome: 'ended' }, ['*']));
    await vi.waitFor(() => expect(c.querySelector('details.invite')).toBeNull());
  });
});

// @vitest-environment jsdom
// The console's connection badge says "Live" only while the exercise runs:
// in the lobby it is connected, not started (issue 16, item 17).
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { preloadPages } from '../../lib/pages';
import App from '../../App.svelte';
import { offlineApi } from '../../lib/api';
import brandHijack from '../../lib/testdata/brand-hijack.scenario.json';
import { eventFrame, fakeServer, type FakeServer } from '../../test/fakeserver';
import { render, type Rendered } from '../../test/render';

beforeAll(preloadPages, 60_000);

let srv: FakeServer;
let r: Rendered | null = null;

beforeEach(() => {
  srv = fakeServer();
  srv.routes['GET /api/me'] = () => [200, { role: 'facilitator', name: 'fran' }];
});

afterEach(() => {
  r?.destroy();
  r = null;
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe('connection badge', { timeout: 20_000 }, () => {
  it('says connected, not started in the lobby, Live once running, and paused while paused', async () => {
    const exercise = (status: string) => ({
      exercise: { id: 'ex1', title: 'Drill', status, params: {}, join: { code: 'K7QX2MPA', display: 'K7QX-2MPA', url: 'http://localhost:3000/join#K7QX2MPA' } },
      snapshot: { id: 'ex1', status, speed: 1, clock: 0, last_seq: 0, teams: [], participants: [], decisions: [], sim: {} },
      online: [],
    });
    let status = 'lobby';
    srv.routes['GET /api/exercises/ex1'] = () => [200, exercise(status)];
    srv.routes['GET /api/exercises/ex1/scenario'] = () => [200, { scenario: brandHijack }];
    srv.routes['GET /api/exercises/ex1/observers'] = () => [200, { observers: [] }];
    window.history.replaceState(null, '', '/console/ex1');
    r = render(App, { api: offlineApi });
    const c = r.container;
    const badge = () => c.querySelector('.exhead .conn');
    await vi.waitFor(() => expect(srv.sockets.length).toBe(1));
    const ws = srv.sockets[0];
    ws.open();
    ws.frame({ type: 'hello', protocol: 'ttx.v1', exercise: 'ex1', role: 'facilitator', after: 0, server_time: '2026-11-23T10:00:00Z' });
    ws.frame({ type: 'live', last_seq: 0 });
    await vi.waitFor(() => expect(badge()?.textContent).toBe('Connected · not started'));
    expect(badge()?.classList.contains('live')).toBe(false);
    expect(c.querySelector('.exhead')?.textContent).not.toContain('Live');
    status = 'running';
    ws.frame(eventFrame(1, 'exercise_started', 0, { speed: 1 }));
    await vi.waitFor(() => expect(badge()?.textContent).toBe('Live'));
    expect(badge()?.classList.contains('live')).toBe(true);
    status = 'paused';
    ws.frame(eventFrame(2, 'exercise_paused', 1, {}));
    await vi.waitFor(() => expect(badge()?.textContent).toBe('Connected · paused'));
  });
});

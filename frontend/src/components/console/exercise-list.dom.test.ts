// @vitest-environment jsdom
// The exercise list re-runs, archives, restores and deletes (issue 16, item 19).
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { preloadPages } from '../../lib/pages';
import { flushSync } from 'svelte';
import App from '../../App.svelte';
import { offlineApi } from '../../lib/api';
import { fakeServer, type FakeServer } from '../../test/fakeserver';
import { render, type Rendered } from '../../test/render';

// Staff pages load on demand; tests mount them at once.
beforeAll(preloadPages);

let srv: FakeServer;
let r: Rendered | null = null;

beforeEach(() => {
  srv = fakeServer();
  srv.routes['GET /api/me'] = () => [200, { role: 'facilitator', name: 'fran' }];
  srv.routes['GET /api/scenarios'] = () => [200, { scenarios: [] }];
});

afterEach(() => {
  r?.destroy();
  r = null;
  vi.unstubAllGlobals();
});

const ex = (id: string, status: string, extra: Record<string, unknown> = {}) => ({ id, title: `Drill ${id}`, status, created_at: `2026-11-2${id.length}T10:00:00Z`, ...extra });
const rowOf = (c: HTMLElement, title: string) => [...c.querySelectorAll('[aria-labelledby="ex-h"] li')].find((li) => li.querySelector('.title')?.textContent === title)!;
const buttonIn = (el: Element, text: string) => [...el.querySelectorAll('button')].find((b) => b.textContent?.trim().startsWith(text));

describe('exercise list', { timeout: 20_000 }, () => {
  it('archives, restores and deletes after asking, never a running exercise', async () => {
    srv.routes['GET /api/exercises'] = (_b, url) => (url.includes('archived=1') ? [200, { exercises: [ex('old', 'ended', { archived: true })] }] : [200, { exercises: [ex('a', 'ended'), ex('bb', 'running')] }]);
    srv.routes['POST /api/exercises/a/archive'] = () => [200, { ok: true }];
    srv.routes['POST /api/exercises/old/unarchive'] = () => [200, { ok: true }];
    srv.routes['DELETE /api/exercises/a'] = () => [204, null];
    window.history.replaceState(null, '', '/console');
    r = render(App, { api: offlineApi });
    const c = r.container;
    await vi.waitFor(() => expect(c.textContent).toContain('Drill a'));
    // A running exercise offers only Run again.
    const running = rowOf(c, 'Drill bb');
    expect([...running.querySelectorAll('.manage button')].map((b) => b.textContent?.replace(/Drill bb/, '').trim())).toEqual(['Run again']);

    // Delete asks first; Keep it does nothing.
    buttonIn(rowOf(c, 'Drill a'), 'Delete…')!.click();
    flushSync();
    expect(rowOf(c, 'Drill a').querySelector('.confirm .q')?.textContent).toBe('Delete “Drill a” with its whole log? Its report is lost and cannot be restored.');
    buttonIn(rowOf(c, 'Drill a'), 'Keep it')!.click();
    flushSync();
    expect(srv.calls.some((x) => x.method === 'DELETE')).toBe(false);

    // Archive hides it here; the Archived view lists the archived ones and restores.
    buttonIn(rowOf(c, 'Drill a'), 'Archive')!.click();
    await vi.waitFor(() => expect(rowOf(c, 'Drill a')).toBeUndefined());
    expect(srv.calls.some((x) => x.method === 'POST' && x.url === '/api/exercises/a/archive')).toBe(true);
    const toggle = c.querySelector<HTMLInputElement>('.archtoggle input')!;
    toggle.click();
    await vi.waitFor(() => expect(c.querySelector('#ex-h')?.textContent).toBe('Archived exercises'));
    await vi.waitFor(() => expect(rowOf(c, 'Drill old')).toBeDefined());
    buttonIn(rowOf(c, 'Drill old'), 'Restore')!.click();
    await vi.waitFor(() => expect(srv.calls.some((x) => x.url === '/api/exercises/old/unarchive')).toBe(true));
    await vi.waitFor(() => expect(rowOf(c, 'Drill old')).toBeUndefined());

    // Back to the list: delete for good.
    toggle.click();
    await vi.waitFor(() => expect(rowOf(c, 'Drill a')).toBeDefined());
    buttonIn(rowOf(c, 'Drill a'), 'Delete…')!.click();
    flushSync();
    buttonIn(rowOf(c, 'Drill a'), 'Delete for good')!.click();
    await vi.waitFor(() => expect(srv.calls.some((x) => x.method === 'DELETE' && x.url === '/api/exercises/a')).toBe(true));
    await vi.waitFor(() => expect(rowOf(c, 'Drill a')).toBeUndefined());
  });

  it('runs an exercise again and opens the new one; a refusal shows', async () => {
    srv.routes['GET /api/exercises'] = () => [200, { exercises: [ex('a', 'ended'), ex('bb', 'running')] }];
    srv.routes['POST /api/exercises/a/rerun'] = () => [201, { exercise: ex('new1', 'lobby') }];
    srv.routes['POST /api/exercises/bb/rerun'] = () => [404, { error: { code: 'not_found', message: 'exercise not found' } }];
    window.history.replaceState(null, '', '/console');
    r = render(App, { api: offlineApi });
    const c = r.container;
    await vi.waitFor(() => expect(c.textContent).toContain('Drill bb'));
    buttonIn(rowOf(c, 'Drill bb'), 'Run again')!.click();
    await vi.waitFor(() => expect(c.querySelector('[aria-labelledby="ex-h"] [role=alert]')?.textContent).toBe('Run again: exercise not found'));
    buttonIn(rowOf(c, 'Drill a'), 'Run again')!.click();
    await vi.waitFor(() => expect(window.location.pathname).toBe('/console/new1'));
  });
});

// @vitest-environment jsdom
// The console's frame (issue 16, item 17): no "Live" badge beside "Ended",
// one text-size control, a Settings menu that gets out of the way.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { preloadPages } from '../../lib/pages';
import { flushSync } from 'svelte';
import App from '../../App.svelte';
import { offlineApi } from '../../lib/api';
import brandHijack from '../../lib/testdata/brand-hijack.scenario.json';
import { eventFrame, fakeServer, type FakeServer } from '../../test/fakeserver';
import { render, type Rendered } from '../../test/render';

// Staff pages load on demand; tests mount them at once.
beforeAll(preloadPages);

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
  document.documentElement.className = '';
});

function at(path: string): HTMLElement {
  window.history.replaceState(null, '', path);
  r = render(App, { api: offlineApi });
  return r.container;
}

function exercise(status: string) {
  return {
    exercise: { id: 'ex1', title: 'Drill', status, params: {}, join: { code: 'K7QX2MPA', display: 'K7QX-2MPA', url: 'http://localhost:3000/join#K7QX2MPA' } },
    snapshot: { id: 'ex1', status, speed: 1, clock: 0, last_seq: 0, teams: [], participants: [], decisions: [], sim: {} },
    online: [],
  };
}

describe('console frame', { timeout: 20_000 }, () => {
  it('drops the Live badge once the exercise has ended', async () => {
    let status = 'running';
    srv.routes['GET /api/exercises/ex1'] = () => [200, exercise(status)];
    srv.routes['GET /api/exercises/ex1/scenario'] = () => [200, { scenario: brandHijack }];
    const c = at('/console/ex1');
    await vi.waitFor(() => expect(srv.sockets.length).toBe(1));
    const ws = srv.sockets[0];
    ws.open();
    ws.frame({ type: 'hello', protocol: 'ttx.v1', exercise: 'ex1', role: 'facilitator', after: 0, server_time: '2026-11-23T10:00:00Z' });
    ws.frame(eventFrame(1, 'exercise_started', 0, { speed: 1 }));
    ws.frame({ type: 'live', last_seq: 1 });
    await vi.waitFor(() => expect(c.querySelector('.exhead .conn')?.textContent).toBe('Live'));
    status = 'ended';
    ws.frame(eventFrame(2, 'outcome_reached', 3, { outcome: 'ended', reason: 'time' }, ['*']));
    await vi.waitFor(() => expect(c.querySelector('.clockbar .status')?.textContent).toBe('Ended'));
    expect(c.querySelector('.exhead .conn')).toBeNull();
    expect(c.querySelector('.exhead')?.textContent).not.toContain('Live');
  });

  it('has one text-size control, in Settings', async () => {
    srv.routes['GET /api/scenarios'] = () => [200, { scenarios: [] }];
    srv.routes['GET /api/exercises'] = () => [200, { exercises: [] }];
    const c = at('/console');
    await vi.waitFor(() => expect(c.textContent).toContain('Signed in as'));
    const sizes = [...c.querySelectorAll('label')].filter((l) => /large (text|type)/i.test(l.textContent ?? ''));
    expect(sizes).toHaveLength(1);
    expect(sizes[0].closest('details.prefs')).not.toBeNull();
    sizes[0].querySelector('input')!.click();
    flushSync();
    expect(document.documentElement.classList.contains('large')).toBe(true);
  });

  it('closes Settings on a click outside it and on Escape, focus back on its button', async () => {
    const c = at('/');
    const details = c.querySelector<HTMLDetailsElement>('details.prefs')!;
    const summary = details.querySelector('summary')!;
    const toggle = (open: boolean) => {
      details.open = open;
      details.dispatchEvent(new Event('toggle'));
      flushSync();
    };
    toggle(true);
    // A click inside (a checkbox) keeps it open.
    details.querySelector<HTMLInputElement>('input')!.click();
    flushSync();
    expect(details.open).toBe(true);
    c.querySelector('main')!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    flushSync();
    expect(details.open).toBe(false);
    toggle(true);
    details.querySelector('input')!.focus();
    document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    flushSync();
    expect(details.open).toBe(false);
    expect(document.activeElement).toBe(summary);
  });

  it('marks keyboard use, for the heading focus ring, and clears it on a pointer', () => {
    const c = at('/');
    const html = document.documentElement;
    c.dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', bubbles: true }));
    expect(html.classList.contains('kbd')).toBe(true);
    c.dispatchEvent(new Event('pointerdown', { bubbles: true }));
    expect(html.classList.contains('kbd')).toBe(false);
  });
});

// The whole App mounted for a DOM test, as a page load does: hooks that give
// every test a fresh socket list (or fake server) and storage and unmount
// what it mounted, `at` to open a path (again: a reload). appPage() runs it
// over a fake Api (participant pages; `settle` lets its promises run and
// Svelte flush), serverPage() over the real HTTP client and a fake server
// (staff pages). Call one of them once at the top of a test file.

import { afterEach, beforeAll, beforeEach, vi } from 'vitest';
import { flushSync } from 'svelte';
import App from '../App.svelte';
import { offlineApi, type Api } from '../lib/api';
import { preloadPages } from '../lib/pages';
import { FakeWS } from './fakews';
import { fakeServer, type FakeServer } from './fakeserver';
import { render, type Rendered } from './render';

export interface AppPage {
  /** Mount the App at a path; a second call unmounts the first (a reload). */
  at(path: string, api: Api): HTMLElement;
  /** Let pending promises run (`rounds` microtask turns), then flush Svelte. */
  settle(): Promise<void>;
}

export interface AppPageOptions {
  /** Load the pages split into chunks (console, observer…) before the first test. */
  preload?: boolean;
  /** Microtask turns `settle` waits. Default 5. */
  rounds?: number;
}

export function appPage(opts: AppPageOptions = {}): AppPage {
  const rounds = opts.rounds ?? 5;
  let r: Rendered | null = null;
  if (opts.preload) beforeAll(preloadPages, 60_000);
  beforeEach(() => {
    FakeWS.all = [];
    sessionStorage.clear();
  });
  afterEach(() => {
    r?.destroy();
    r = null;
    localStorage.clear();
  });
  return {
    at(path, api) {
      r?.destroy();
      window.history.replaceState(null, '', path);
      r = render(App, { api });
      return r.container;
    },
    async settle() {
      for (let i = 0; i < rounds; i++) await Promise.resolve();
      flushSync();
    },
  };
}

/** The console's view of an exercise as GET /api/exercises/:id answers it. */
export function exerciseRecord(status: string, params: Record<string, string> = {}, id = 'ex1') {
  return {
    exercise: { id, title: 'Drill', status, params, join: { code: 'K7QX2MPA', display: 'K7QX-2MPA', url: 'http://localhost:3000/join#K7QX2MPA' } },
    snapshot: { id, status, speed: 1, clock: 0, last_seq: 0, teams: [], participants: [], decisions: [], sim: {} },
    online: [],
  };
}

export interface ServerPage {
  /** This test's fake server: its routes, the calls made and the sockets opened. */
  readonly srv: FakeServer;
  /** Mount the App with the real HTTP client at a path; a second call unmounts the first. */
  at(path: string): HTMLElement;
}

/**
 * The whole App over the real HTTP client and a fake server (fetch and
 * WebSocket stubbed), for the staff pages: a fresh server for every test,
 * signed in as a facilitator unless `facilitator` is false.
 */
export function serverPage(opts: { facilitator?: boolean } = {}): ServerPage {
  let srv: FakeServer | null = null;
  let r: Rendered | null = null;
  beforeAll(preloadPages, 60_000);
  beforeEach(() => {
    srv = fakeServer();
    sessionStorage.clear();
    if (opts.facilitator !== false) srv.routes['GET /api/me'] = () => [200, { role: 'facilitator', name: 'fran' }];
  });
  afterEach(() => {
    r?.destroy();
    r = null;
    vi.unstubAllGlobals();
    localStorage.clear();
  });
  return {
    get srv() {
      if (!srv) throw new Error('serverPage: no server outside a test');
      return srv;
    },
    at(path) {
      r?.destroy();
      window.history.replaceState(null, '', path);
      r = render(App, { api: offlineApi });
      return r.container;
    },
  };
}

// The whole App mounted for a DOM test, as a page load does: hooks that give
// every test a fresh socket list and storage and unmount what it mounted,
// `at` to open a path (again: a reload), and `settle` to let the fake
// server's promises run and Svelte flush. Call appPage() once at the top of
// a test file.

import { afterEach, beforeAll, beforeEach } from 'vitest';
import { flushSync } from 'svelte';
import App from '../App.svelte';
import type { Api } from '../lib/api';
import { preloadPages } from '../lib/pages';
import { FakeWS } from './fakews';
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

// Typed access to what App shares with every page through Svelte context.

import { getContext, setContext } from 'svelte';
import type { Readable } from 'svelte/store';
import type { Api } from './api';
import type { Prefs } from './prefs';
import type { Router } from './router';

export interface AppContext {
  router: Router;
  api: Api;
  prefs: Readable<Prefs>;
  setPrefs(p: Prefs): void;
}

const KEY = Symbol('ttx-app');

export function setApp(ctx: AppContext): void {
  setContext(KEY, ctx);
}

export function getApp(): AppContext {
  const ctx = getContext<AppContext | undefined>(KEY);
  if (!ctx) throw new Error('app context missing');
  return ctx;
}

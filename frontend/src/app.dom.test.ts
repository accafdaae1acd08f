// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import App from './App.svelte';
import type { Api } from './lib/api';
import { offlineApi } from './lib/api';
import { preloadPages } from './lib/pages';
import { render, type Rendered } from './test/render';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
  localStorage.clear();
  document.documentElement.className = '';
});

function at(path: string, api: Api = offlineApi): HTMLElement {
  window.history.replaceState(null, '', path);
  r = render(App, { api });
  return r.container;
}

describe('App routing', () => {
  // The staff pages are loaded on demand; once loaded, App mounts them at once.
  beforeAll(preloadPages, 60_000);

  it.each([
    ['/', 'Join an exercise'],
    ['/join', 'Join the exercise'],
    ['/console', 'Facilitator console'],
    ['/observe', 'Observer'],
    ['/report/ex1', 'After-action report'],
    ['/gallery', 'Gallery'],
    ['/nowhere', 'Page not found'],
  ])('%s shows %s', (path, heading) => {
    const c = at(path);
    expect(c.querySelector('main h1')?.textContent).toBe(heading);
  });

  it('prefills the code from /join/:code and follows in-app links without reloading', () => {
    const c = at('/join/ab-12cd');
    expect(c.querySelector<HTMLInputElement>('#j-code')?.value).toBe('AB12CD');
    c.querySelector<HTMLAnchorElement>('a.brand')!.click();
    flushSync();
    expect(window.location.pathname).toBe('/');
    expect(c.querySelector('main h1')?.textContent).toBe('Join an exercise');
  });

  it('remembers the large-text setting', () => {
    const c = at('/');
    const box = Array.from(c.querySelectorAll('label')).find((l) => l.textContent?.includes('Large text'))!.querySelector('input')!;
    box.click();
    flushSync();
    expect(document.documentElement.classList.contains('large')).toBe(true);
    expect(JSON.parse(localStorage.getItem('ttx.prefs')!)).toEqual({ sound: false, vibrate: false, largeText: true });
  });
});

// The live pages (Play, Join, Observe) are tested with a fake Api in
// src/pages/live.dom.test.ts.

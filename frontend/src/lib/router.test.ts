// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { createRouter, matchRoute, pathFor, type Route } from './router';

describe('matchRoute', () => {
  it.each<[string, Route]>([
    ['/', { name: 'landing' }],
    ['', { name: 'landing' }],
    ['/join', { name: 'join', code: '' }],
    ['/join/', { name: 'join', code: '' }],
    ['/join/AB12CD', { name: 'join', code: 'AB12CD' }],
    ['/join/ab%2012', { name: 'join', code: 'ab 12' }],
    ['/join/%E0%A4%A', { name: 'notfound', path: '/join/%E0%A4%A' }],
    ['/join/a%2Fb', { name: 'notfound', path: '/join/a%2Fb' }],
    ['/join/a/b', { name: 'notfound', path: '/join/a/b' }],
    ['/play', { name: 'play' }],
    ['/play/', { name: 'play' }],
    ['/play/x', { name: 'notfound', path: '/play/x' }],
    ['/console', { name: 'console' }],
    ['/observe', { name: 'observe' }],
    ['/gallery', { name: 'gallery' }],
    ['/report/ex42', { name: 'report', id: 'ex42' }],
    ['/report', { name: 'notfound', path: '/report' }],
    ['/nope', { name: 'notfound', path: '/nope' }],
  ])('%j', (path, want) => {
    expect(matchRoute(path)).toEqual(want);
  });

  it('round-trips through pathFor', () => {
    for (const r of [{ name: 'join', code: 'A B+C' }, { name: 'report', id: 'x?y' }, { name: 'play' }] as Route[]) {
      expect(matchRoute(pathFor(r))).toEqual(r);
    }
  });
});

describe('createRouter', () => {
  function click(el: Element, init: MouseEventInit = {}): MouseEvent {
    const e = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0, ...init });
    el.dispatchEvent(e);
    return e;
  }

  it('navigates, follows back/forward, and takes over plain in-app links only', () => {
    window.history.replaceState(null, '', '/');
    const router = createRouter(window);
    document.addEventListener('click', router.onclick);
    try {
      expect(get(router.route)).toEqual({ name: 'landing' });

      router.navigate('/join/XY12?x=1');
      expect(window.location.pathname).toBe('/join/XY12');
      expect(window.location.search).toBe('?x=1');
      expect(get(router.route)).toEqual({ name: 'join', code: 'XY12' });

      router.navigate('https://elsewhere.example/play');
      expect(window.location.pathname).toBe('/join/XY12');

      document.body.innerHTML =
        '<a id="in" href="/gallery"><span>in</span></a><a id="ext" href="https://example.com/">ext</a>' +
        '<a id="blank" href="/play" target="_blank">blank</a><a id="api" href="/api/x">api</a><a id="dl" href="/report/1" download>dl</a>';
      const inner = document.querySelector('#in span')!;
      expect(click(inner).defaultPrevented).toBe(true);
      expect(get(router.route)).toEqual({ name: 'gallery' });

      expect(click(document.querySelector('#in')!, { ctrlKey: true }).defaultPrevented).toBe(false);
      for (const id of ['#ext', '#blank', '#api', '#dl']) {
        const e = click(document.querySelector(id)!);
        expect(e.defaultPrevented, id).toBe(false);
        e.preventDefault(); // jsdom would otherwise try to navigate
      }
      expect(get(router.route)).toEqual({ name: 'gallery' });

      router.navigate('/play', { replace: true });
      expect(get(router.route)).toEqual({ name: 'play' });
      window.history.replaceState(null, '', '/console');
      window.dispatchEvent(new PopStateEvent('popstate'));
      expect(get(router.route)).toEqual({ name: 'console' });
    } finally {
      document.removeEventListener('click', router.onclick);
      router.destroy();
      document.body.innerHTML = '';
    }
  });
});

// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import App from './App.svelte';
import type { Api, ConnectionStatus } from './lib/api';
import { offlineApi } from './lib/api';
import type { FeedStore } from './lib/feed';
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

describe('Play page wiring', () => {
  it('renders what the Api streams into the feed and sends answers back', async () => {
    let feed: FeedStore | null = null;
    let setStatus: (s: ConnectionStatus) => void = () => undefined;
    const answer = vi.fn(() => Promise.resolve());
    const api: Api = {
      ...offlineApi,
      subscribe(f, onStatus) {
        feed = f;
        setStatus = onStatus;
        onStatus('connecting');
        return () => undefined;
      },
      answer,
    };
    const c = at('/play', api);
    expect(c.querySelector('[role="status"]')?.textContent).toBe('Connecting…');
    expect(c.textContent).toContain('Waiting for the exercise to start');

    feed!.load([{ seq: 1, kind: 'inject_delivered', inject: { channel: 'news', title: 'Old news', body: '' } }]);
    feed!.apply({ seq: 2, kind: 'inject_delivered', inject: { channel: 'chat', body: 'Hello **team**', from: { name: 'Priya' } } });
    feed!.apply({ seq: 3, kind: 'decision_opened', decision: { id: 'd1', prompt: 'Go?', options: [{ id: 'y', label: 'Yes' }] } });
    setStatus('live');
    flushSync();

    expect(c.querySelector('[role="status"]')?.textContent).toBe('Live');
    const feedList = c.querySelector('ol.feed')!;
    expect(feedList.getAttribute('aria-live')).toBe('polite');
    const cards = Array.from(feedList.querySelectorAll('article'));
    expect(cards.map((a) => a.dataset.channel)).toEqual(['chat', 'news']); // newest first
    expect(cards[0].classList.contains('fresh')).toBe(true);
    expect(cards[1].classList.contains('fresh')).toBe(false);

    c.querySelector<HTMLButtonElement>('section[data-status="open"] button.option')!.click();
    flushSync();
    expect(answer).toHaveBeenCalledWith({ decision: 'd1', option: 'y', text: '', confidence: null, rationale: '' });
    await Promise.resolve();
  });

  it('shows why an answer failed', async () => {
    const api: Api = {
      ...offlineApi,
      subscribe(f) {
        f.load([{ seq: 1, kind: 'decision_opened', decision: { id: 'd1', options: [{ id: 'y', label: 'Yes' }] } }]);
        return () => undefined;
      },
    };
    const c = at('/play', api);
    c.querySelector<HTMLButtonElement>('button.option')!.click();
    await new Promise((res) => setTimeout(res, 0));
    flushSync();
    expect(c.querySelector('[role="alert"]')?.textContent).toBe('This page is not connected to an exercise server yet.');
  });
});

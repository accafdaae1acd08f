// Client-side routing over the History API. matchRoute is pure; the router
// object binds it to a window (the real one, or a test's).

import { writable, type Readable } from 'svelte/store';

export type Route =
  | { name: 'landing' }
  | { name: 'join'; code: string }
  | { name: 'play' }
  | { name: 'console'; id?: string }
  | { name: 'login' }
  | { name: 'observe' }
  | { name: 'report'; id: string }
  | { name: 'gallery' }
  | { name: 'projector'; id: string }
  | { name: 'notfound'; path: string };

function segment(s: string): string | null {
  try {
    const v = decodeURIComponent(s).trim();
    return v && v.length <= 64 && !/[\u0000-\u001f/\\]/.test(v) ? v : null;
  } catch {
    return null;
  }
}

/** The route for a URL path (query and hash are not part of it). */
export function matchRoute(pathname: string): Route {
  const parts = pathname.split('/').filter((p) => p !== '');
  const [head, arg, ...rest] = parts;
  if (head === 'exercises' && arg !== undefined && rest.length === 1 && rest[0] === 'projector') {
    const id = segment(arg);
    return id === null ? { name: 'notfound', path: pathname } : { name: 'projector', id };
  }
  if (rest.length > 0) return { name: 'notfound', path: pathname };
  switch (head) {
    case undefined:
      return { name: 'landing' };
    case 'join':
      if (arg === undefined) return { name: 'join', code: '' };
      {
        const code = segment(arg);
        return code === null ? { name: 'notfound', path: pathname } : { name: 'join', code };
      }
    case 'console': {
      if (arg === undefined) return { name: 'console' };
      const id = segment(arg);
      return id === null ? { name: 'notfound', path: pathname } : { name: 'console', id };
    }
    case 'report': {
      const id = arg === undefined ? null : segment(arg);
      return id === null ? { name: 'notfound', path: pathname } : { name: 'report', id };
    }
    case 'play':
    case 'login':
    case 'observe':
    case 'gallery':
      return arg === undefined ? { name: head } : { name: 'notfound', path: pathname };
    default:
      return { name: 'notfound', path: pathname };
  }
}

/** The path for a route, for links. */
export function pathFor(route: Route): string {
  switch (route.name) {
    case 'landing':
      return '/';
    case 'join':
      return route.code ? `/join/${encodeURIComponent(route.code)}` : '/join';
    case 'report':
      return `/report/${encodeURIComponent(route.id)}`;
    case 'console':
      return route.id ? `/console/${encodeURIComponent(route.id)}` : '/console';
    case 'projector':
      return `/exercises/${encodeURIComponent(route.id)}/projector`;
    case 'notfound':
      return route.path;
    default:
      return `/${route.name}`;
  }
}

export interface Router {
  route: Readable<Route>;
  /** Go to a same-origin path, adding a history entry (or replacing it). */
  navigate(path: string, opts?: { replace?: boolean }): void;
  /** Click handler for the document: follows plain in-app links without a reload. */
  onclick(e: MouseEvent): void;
  destroy(): void;
}

export function createRouter(win: Window): Router {
  const route = writable<Route>(matchRoute(win.location.pathname));
  const sync = () => route.set(matchRoute(win.location.pathname));
  win.addEventListener('popstate', sync);

  const navigate = (path: string, opts: { replace?: boolean } = {}) => {
    const url = new URL(path, win.location.href);
    if (url.origin !== win.location.origin) return;
    const target = url.pathname + url.search + url.hash;
    if (opts.replace) win.history.replaceState(null, '', target);
    else win.history.pushState(null, '', target);
    sync();
    win.scrollTo?.(0, 0);
  };

  const onclick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download') || a.getAttribute('rel')?.includes('external')) return;
    const href = a.getAttribute('href');
    if (!href || !href.startsWith('/') || href.startsWith('//')) return;
    // API and other server paths are not pages of the app.
    if (href.startsWith('/api/') || href.startsWith('/ws')) return;
    e.preventDefault();
    navigate(href);
  };

  return {
    route,
    navigate,
    onclick,
    destroy: () => win.removeEventListener('popstate', sync),
  };
}

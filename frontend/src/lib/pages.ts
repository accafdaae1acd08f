// The staff pages (console, observer, report, gallery, projector) are loaded on demand,
// so a participant's phone never downloads them. A page once loaded is
// kept, and App renders it at once the next time (and in tests, which load
// them all first with preloadPages).
import type { Component } from 'svelte';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type PageModule = { default: Component<any> };

const loaders = {
  console: () => import('../pages/Console.svelte'),
  observe: () => import('../pages/Observe.svelte'),
  report: () => import('../pages/Report.svelte'),
  gallery: () => import('../pages/Gallery.svelte'),
  projector: () => import('../pages/Projector.svelte'),
} satisfies Record<string, () => Promise<PageModule>>;

export type LazyPage = keyof typeof loaders;

const loaded = new Map<LazyPage, PageModule>();

/** The page's module if it has been loaded, else undefined. */
export function loadedPage(name: LazyPage): PageModule | undefined {
  return loaded.get(name);
}

/** Loads the page's module (once) and remembers it. */
export async function loadPage(name: LazyPage): Promise<PageModule> {
  const m = loaded.get(name) ?? (await loaders[name]());
  loaded.set(name, m);
  return m;
}

/** Loads every staff page (tests mount them synchronously after this). */
export async function preloadPages(): Promise<void> {
  await Promise.all((Object.keys(loaders) as LazyPage[]).map(loadPage));
}

// The Markdown parser (markdown-it, about 36 KB compressed) is a separate
// chunk: the join page does not need it, and the budget for that page is
// tight. The first card that renders Markdown loads it (the Join button
// starts it early); until it arrives, text shows as plain paragraphs.

import type { Block } from './markdown';

export type MarkdownModule = typeof import('./markdown');

// A cache of the loaded module: once set, it never changes.
const cache: { mod: MarkdownModule | null; pending: Promise<MarkdownModule> | null } = { mod: null, pending: null };

/** The parser if it has been loaded already, else null. */
export function loadedMarkdown(): MarkdownModule | null {
  return cache.mod;
}

/** Loads the parser once; a failed load is tried again at the next call. */
export function loadMarkdown(): Promise<MarkdownModule> {
  cache.pending ??= import('./markdown').then(
    (m) => (cache.mod = m),
    (err: unknown) => {
      cache.pending = null;
      throw err;
    },
  );
  return cache.pending;
}

/** The source as plain-text paragraphs: what shows until the parser is here. */
export function plainBlocks(src: string): Block[] {
  return src
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => ({ t: 'p', c: [{ t: 'text', v: p }] }));
}

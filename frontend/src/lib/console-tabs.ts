// The running console's tabs (WAI-ARIA tabs pattern): which tab a URL's
// fragment names, the fragment for a tab, and where the arrow keys move.
// The fragment keeps the tab across a reload (#tab=chat) and never reaches
// the server.

export const CONSOLE_TABS = [
  { id: 'live', label: 'Live feed & decisions' },
  { id: 'inbox', label: 'Persona inbox' },
  { id: 'chat', label: 'Chat' },
  { id: 'receipts', label: 'Receipts' },
  { id: 'evaluation', label: 'Evaluation' },
] as const;

export type ConsoleTab = (typeof CONSOLE_TABS)[number]['id'];

const ids: readonly string[] = CONSOLE_TABS.map((t) => t.id);

/** The tab a fragment names ("#tab=chat", also among other k=v pairs); the first tab otherwise. */
export function tabFromHash(hash: string): ConsoleTab {
  const m = /(?:^#?|&)tab=([a-z]+)/.exec(hash);
  return m && ids.includes(m[1]) ? (m[1] as ConsoleTab) : 'live';
}

/** The fragment for a tab: none for the first, so a plain console link stays plain. */
export function hashFor(tab: ConsoleTab): string {
  return tab === 'live' ? '' : `#tab=${tab}`;
}

/**
 * The tab a key moves focus to from index i of n (arrows wrap, Home, End),
 * or null for any other key. Left/Right for a horizontal tab list.
 */
export function tabKey(key: string, i: number, n: number): number | null {
  switch (key) {
    case 'ArrowRight':
      return (i + 1) % n;
    case 'ArrowLeft':
      return (i - 1 + n) % n;
    case 'Home':
      return 0;
    case 'End':
      return n - 1;
  }
  return null;
}

/** A tab's visible name with its count ("Chat (3)"); no count when 0. */
export function tabLabel(label: string, count: number): string {
  return count > 0 ? `${label} (${count})` : label;
}

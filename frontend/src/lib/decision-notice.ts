// Telling a participant that a decision opened while it was off screen: the
// pure part (which decisions are new to them, the tab title, what a screen
// reader hears). components/NewDecisionNotice.svelte does the watching.

/** Open decisions the participant has not had on screen yet, in their order. */
export function unseenDecisions(openIds: readonly string[], seen: ReadonlySet<string>): string[] {
  return openIds.filter((id) => !seen.has(id));
}

/** Ids that are open now and were not open before (the ones to announce). */
export function newlyOpened(before: ReadonlySet<string>, openIds: readonly string[]): string[] {
  return openIds.filter((id) => !before.has(id));
}

const COUNT_PREFIX = /^\(\d+\) /;

/** The tab title with the number of unseen decisions in front: "(2) Drill · ttx". */
export function titleWithCount(title: string, n: number): string {
  const base = title.replace(COUNT_PREFIX, '');
  return n > 0 ? `(${n}) ${base}` : base;
}

/** What the notice and the screen reader say about new decisions. */
export function noticeText(names: readonly string[], teamName = ''): string {
  if (names.length === 0) return '';
  const forTeam = teamName ? ` for ${teamName}` : '';
  if (names.length === 1) return `New decision${forTeam}: ${names[0]}`;
  return `${names.length} new decisions${forTeam}`;
}

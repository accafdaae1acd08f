import { decisionIdOf } from './events';
import type { FeedState } from './feed';

/**
 * Ids of the decisions that closed while the page was open (live, not
 * replayed after a reload) since the team's latest decision opened. The
 * participant page keeps these in view with their result — a lead's final
 * answer or a default would otherwise fold away into the earlier decisions
 * the moment it settles; the next question folds them away instead.
 */
export function closedLive(feed: FeedState): Set<string> {
  const ids = new Set<string>();
  for (const it of feed.items) {
    if (it.ev.kind === 'decision_opened') ids.clear();
    if (!it.fresh || it.ev.kind !== 'decision_closed') continue;
    const id = decisionIdOf(it.ev);
    if (id) ids.add(id);
  }
  return ids;
}

// One line per objective for the console's Evaluation tab: the final
// rating (or how many raters have rated), the critical tasks met and the
// evidence cited, so seven objectives fit on one screen and each opens to
// its full card. No DOM here.
import type { ObjectiveEval, Rating, RatingEntry } from './evaluation';

export interface ObjectiveSummary {
  /** The settled rating, or null. */
  final: Rating | null;
  /** Raters who rated the objective itself (final or not). */
  raters: number;
  /** Critical tasks whose settled rating says they were performed (P, S or M). */
  tasksMet: number;
  tasks: number;
  /** Distinct log events cited by any rating of the objective or its tasks. */
  evidence: number;
}

/** P, S and M are performed; U is not. */
export const performed = (r: RatingEntry | null): boolean => !!r && r.rating !== 'U';

export function objectiveSummary(o: ObjectiveEval): ObjectiveSummary {
  const all = [...o.ratings, ...o.tasks.flatMap((t) => t.ratings)];
  if (o.final) all.push(o.final);
  for (const t of o.tasks) if (t.final) all.push(t.final);
  return {
    final: o.final?.rating ?? null,
    raters: new Set(o.ratings.map((r) => r.rater)).size,
    tasksMet: o.tasks.filter((t) => performed(t.final)).length,
    tasks: o.tasks.length,
    evidence: new Set(all.flatMap((r) => r.evidence)).size,
  };
}

/** What a screen reader hears on the row's button after the title. */
export function summaryWords(s: ObjectiveSummary): string {
  const rating = s.final ? `final rating ${s.final}` : s.raters ? `not settled, ${s.raters} rating${s.raters === 1 ? '' : 's'}` : 'not rated';
  const tasks = s.tasks ? `, critical tasks met ${s.tasksMet} of ${s.tasks}` : '';
  return `${rating}${tasks}, ${s.evidence} evidence item${s.evidence === 1 ? '' : 's'}`;
}

/** One rater's own standing on an objective: the observer's compact row. */
export interface OwnSummary {
  /** The rater's rating of the objective itself, or null. */
  rating: Rating | null;
  /** The settled rating, or null. */
  final: Rating | null;
  /** Critical tasks the rater has rated. */
  tasksRated: number;
  tasks: number;
  /** Distinct log events the rater's ratings of the objective and its tasks cite. */
  evidence: number;
}

export function ownSummary(o: ObjectiveEval, rater: string): OwnSummary {
  const mine = (list: RatingEntry[]) => list.filter((r) => r.rater === rater);
  const own = mine(o.ratings)[0] ?? null;
  const taskRatings = o.tasks.flatMap((t) => mine(t.ratings));
  return {
    rating: own?.rating ?? null,
    final: o.final?.rating ?? null,
    tasksRated: o.tasks.filter((t) => mine(t.ratings).length > 0).length,
    tasks: o.tasks.length,
    evidence: new Set([...(own ? [own] : []), ...taskRatings].flatMap((r) => r.evidence)).size,
  };
}

/** What a screen reader hears on the observer's row button after the title. */
export function ownWords(s: OwnSummary): string {
  const rating = s.rating ? `you rated ${s.rating}` : 'you have not rated it';
  const final = s.final ? `, final rating ${s.final}` : '';
  const tasks = s.tasks ? `, critical tasks you rated ${s.tasksRated} of ${s.tasks}` : '';
  return `${rating}${final}${tasks}, you cited ${s.evidence} evidence item${s.evidence === 1 ? '' : 's'}`;
}

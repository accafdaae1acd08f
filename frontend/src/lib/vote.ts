// A team vote as its members and the facilitator see it: the live tally
// (who voted for what, per option) and, once it closes, the result
// credited to the team — "majority 2–1", "tie: first option" — never to
// the member who happened to vote last (issue 16, item 2).

import type { DecisionState } from './feed';

export interface TallyRow {
  option: string;
  label: string;
  count: number;
  /** Who voted for it (names, or ids when no name is known), in voting order. */
  voters: string[];
}

/** One row per option, in the scenario's order, from each member's current vote. */
export function tally(options: { id: string; label: string }[], ballots: { participant: string; option: string }[]): TallyRow[] {
  return options.map((o) => {
    const voters = ballots.filter((b) => b.option === o.id).map((b) => b.participant);
    return { option: o.id, label: o.label, count: voters.length, voters };
  });
}

/**
 * The result of a vote settled by count, in words: "unanimous 3–0",
 * "majority 2–1", "tie 1–1: first option listed". Counts are the top count
 * against the rest; '' without votes.
 */
export function voteResult(votes: { option: string; count: number }[], tie: boolean): string {
  const total = votes.reduce((n, v) => n + v.count, 0);
  if (total === 0) return '';
  const top = Math.max(...votes.map((v) => v.count));
  if (tie) {
    const tied = votes.filter((v) => v.count === top).length;
    return `tie ${Array(tied).fill(top).join('–')}: first option listed`;
  }
  const rest = total - top;
  return rest === 0 ? `unanimous ${top}–0` : `majority ${top}–${rest}`;
}

/** The decision with its answer's and ballots' participant ids replaced by what nameOf gives. */
export function withNames(d: DecisionState, nameOf: (id: string) => string): DecisionState {
  return {
    ...d,
    answer: d.answer ? { ...d.answer, participant: nameOf(d.answer.participant) } : d.answer,
    ballots: d.ballots?.map((b) => ({ ...b, participant: nameOf(b.participant) })),
  };
}

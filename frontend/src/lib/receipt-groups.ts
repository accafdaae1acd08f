// The console's receipts, one group per inject: each team that reported it
// with how many of its members received and opened it. An inject every
// reporting team has fully opened is done, and the panel folds it away.

import { receiptRows, type Receipt, type ReceiptRow } from './world';

export interface ReceiptTeam extends ReceiptRow {
  /** Members of the team now (0: not known). */
  members: number;
  /** Everyone who should open it did: every member when known, else everyone who received it. */
  done: boolean;
}

export interface ReceiptGroup {
  inject: string;
  /** The inject event's seq (the earliest when several deliveries share an id). */
  seq: number;
  teams: ReceiptTeam[];
  /** Opened and expected across the teams (expected: members, or receivers where not known). */
  opened: number;
  expected: number;
  done: boolean;
}

/** Receipts grouped per inject, newest inject first; teams in team order. */
export function receiptGroups(receipts: Record<string, Receipt>, members: Record<string, number> = {}): ReceiptGroup[] {
  const seqOf = new Map<string, number>();
  for (const r of Object.values(receipts)) {
    const s = seqOf.get(r.inject);
    if (s === undefined || r.injectSeq < s) seqOf.set(r.inject, r.injectSeq);
  }
  const by = new Map<string, ReceiptGroup>();
  for (const row of receiptRows(receipts)) {
    let g = by.get(row.inject);
    if (!g) {
      g = { inject: row.inject, seq: seqOf.get(row.inject) ?? 0, teams: [], opened: 0, expected: 0, done: true };
      by.set(row.inject, g);
    }
    const m = members[row.team] ?? 0;
    const expected = Math.max(m, row.received.length, row.opened.length);
    const done = row.opened.length > 0 && row.opened.length >= expected;
    g.teams.push({ ...row, members: m, done });
    g.opened += row.opened.length;
    g.expected += expected;
    g.done &&= done;
  }
  return [...by.values()].sort((a, b) => b.seq - a.seq || a.inject.localeCompare(b.inject));
}

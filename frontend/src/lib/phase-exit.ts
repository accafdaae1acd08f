// What giving a decision more time does to its phase. A decision the
// facilitator extends holds its state's timed ("after") transitions until
// it closes (see scenarios/README.md, "More time holds the phase"), so the
// console says so before an extension that passes the phase's exit.

import { formatClock, formatSpan } from './format';
import type { ScenarioModel } from './facilitator-scenario';

/**
 * When the state entered at enteredAtNs leaves on its first timed
 * transition (whether or not that transition's `when` will hold then);
 * null when it has none.
 */
export function phaseExitNs(model: ScenarioModel, state: string, enteredAtNs: number): number | null {
  const st = model.states.find((s) => s.id === state);
  let exit: number | null = null;
  for (const t of st?.transitions ?? []) {
    if (t.afterNs > 0 && (exit === null || enteredAtNs + t.afterNs < exit)) exit = enteredAtNs + t.afterNs;
  }
  return exit;
}

export interface ExtendNotice {
  /** The new closing time (ns). */
  closesAtNs: number;
  /** The extension keeps the phase beyond its timed exit. */
  holds: boolean;
  /** One sentence for the facilitator; says what happens to the phase. */
  text: string;
}

/**
 * What extending a decision closing at closesAtNs by `bySeconds` will do.
 * held: the decision was extended already and the exit has passed, so it
 * holds the phase now.
 */
export function extendNotice(
  exitNs: number | null,
  closesAtNs: number,
  bySeconds: number,
  nowNs: number,
  held: boolean,
): ExtendNotice {
  const to = closesAtNs + bySeconds * 1e9;
  const base = `+${formatSpan(bySeconds * 1e9)}: closes ${formatClock(to)}`;
  if (exitNs === null || to <= exitNs) {
    return { closesAtNs: to, holds: false, text: `${base}.` };
  }
  if (exitNs <= nowNs) {
    if (held) return { closesAtNs: to, holds: true, text: `${base}; this decision holds the phase, now until then.` };
    // The exit has passed and nothing holds it: its rules did not hold, so
    // the phase goes on regardless of this decision.
    return { closesAtNs: to, holds: false, text: `${base}.` };
  }
  return {
    closesAtNs: to,
    holds: true,
    text: `${base}. This phase would end at ${formatClock(exitNs)}; extending to ${formatClock(to)} holds the phase until then.`,
  };
}

/**
 * The warning shown beside a decision's Extend buttons (offered in
 * seconds), or null when none of them keeps the phase beyond its exit.
 */
export function extendWarning(exitNs: number | null, closesAtNs: number, offers: number[], nowNs: number, held: boolean): string | null {
  if (exitNs === null) return null;
  if (held && exitNs <= nowNs) {
    return `This decision holds the phase (its timed exit was ${formatClock(exitNs)}) until it closes; more time holds it longer.`;
  }
  const first = offers.map((by) => ({ by, n: extendNotice(exitNs, closesAtNs, by, nowNs, held) })).find((x) => x.n.holds);
  if (!first) return null;
  return `This phase would end at ${formatClock(exitNs)}; extending to ${formatClock(first.n.closesAtNs)} (+${formatSpan(first.by * 1e9)}) or more holds the phase until the decision closes.`;
}

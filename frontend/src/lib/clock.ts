// Clock and countdown arithmetic, kept pure so it can be tested without
// timers. The server tells the page what its clock read at some moment and how
// fast that clock runs (the exercise speed, 0 while paused); the page then
// reads the server clock from its own without trusting its wall time.

export interface ClockSync {
  /** Server clock reading in nanoseconds (the clock `closes_at` uses). */
  serverNs: number;
  /** performance.now() or Date.now() (ms) on this page when serverNs was true. */
  localMs: number;
  /** Server-clock nanoseconds per local nanosecond: the exercise speed, 0 when paused. */
  rate: number;
}

/**
 * A sync from a server reading received between sentMs and receivedMs (local):
 * the reading is taken to be true half-way through the round trip.
 */
export function syncFromReply(serverNs: number, sentMs: number, receivedMs: number, rate = 1): ClockSync {
  const mid = sentMs + Math.max(0, receivedMs - sentMs) / 2;
  return { serverNs, localMs: mid, rate: rate > 0 ? rate : 0 };
}

/** The server clock (ns) at local time localMs. */
export function serverNow(sync: ClockSync, localMs: number): number {
  return sync.serverNs + (localMs - sync.localMs) * 1e6 * sync.rate;
}

export type CountdownState = 'untimed' | 'running' | 'urgent' | 'paused' | 'expired';

export interface Countdown {
  state: CountdownState;
  /** Wall-clock milliseconds left for the participants (server time divided by the speed). */
  remainingMs: number;
  /**
   * Exercise time left, m:ss or h:mm:ss; empty when untimed. It is the clock
   * every other time on screen uses (T+12:00), whatever the speed: at ×10 a
   * label of 2:00 passes in 12 real seconds (show the speed next to it).
   */
  label: string;
  /** Share of the time limit left, 0..1 (1 when untimed or unknown). */
  fraction: number;
}

/** Below this much wall time left a countdown is shown as urgent. */
export const URGENT_MS = 30_000;

/**
 * Time left before a decision closes.
 * closesAtNs and nowNs are readings of the same server clock; rate is the
 * clock's speed (0 = paused); timeLimitNs, if known, gives the fraction left.
 */
export function countdown(closesAtNs: number | null, nowNs: number, rate: number, timeLimitNs = 0): Countdown {
  if (closesAtNs === null || !Number.isFinite(closesAtNs)) {
    return { state: 'untimed', remainingMs: 0, label: '', fraction: 1 };
  }
  const leftNs = closesAtNs - nowNs;
  if (leftNs <= 0) return { state: 'expired', remainingMs: 0, label: '0:00', fraction: 0 };
  const fraction = timeLimitNs > 0 ? Math.min(1, leftNs / timeLimitNs) : 1;
  if (!(rate > 0)) {
    // Paused: the time left does not move.
    const ms = leftNs / 1e6;
    return { state: 'paused', remainingMs: ms, label: formatLeft(ms), fraction };
  }
  const ms = leftNs / 1e6 / rate;
  return { state: ms <= URGENT_MS ? 'urgent' : 'running', remainingMs: ms, label: formatLeft(leftNs / 1e6), fraction };
}

/** Whole seconds rounded up, so "0:00" only ever shows once the time is up. */
function formatLeft(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The speed to show beside exercise times: "×10", or "" at normal speed (and while paused). */
export function speedLabel(rate: number): string {
  if (!(rate > 0) || Math.abs(rate - 1) < 1e-9) return '';
  return `×${Number.isInteger(rate) ? rate : rate.toFixed(1).replace(/\.0$/, '')}`;
}

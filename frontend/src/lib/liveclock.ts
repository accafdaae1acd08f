// Rebuilds the exercise clock on the page from what the server streams.
//
// The server sends no periodic clock reading to participants. It does send
// every team the events that move the clock (exercise_started with the
// speed, paused, resumed, speed_changed, clock_skipped), each stamped with
// the exercise clock and the server's wall time, and its wall time in the
// hello frame. From these the page knows where the clock was at a known
// server instant, how fast it runs, and how the server's wall clock relates
// to its own, which is all clock.ts needs (ClockSync).

import type { ClockSync } from './clock';
import type { ClockEvent } from './events';

export interface ClockState {
  started: boolean;
  paused: boolean;
  speed: number;
  /** Exercise clock (ns) at the last clock event. */
  anchorNs: number;
  /** Server wall time (ms) of that event. */
  anchorWallMs: number;
}

export const initialClock: ClockState = { started: false, paused: false, speed: 1, anchorNs: 0, anchorWallMs: NaN };

/** Fold one clock event into the state. */
export function applyClockEvent(st: ClockState, ev: ClockEvent): ClockState {
  const next: ClockState = { ...st, anchorNs: ev.atNs, anchorWallMs: ev.wallMs };
  switch (ev.kind) {
    case 'started':
      next.started = true;
      next.paused = false;
      if (ev.speed !== null) next.speed = ev.speed;
      break;
    case 'paused':
      next.paused = true;
      break;
    case 'resumed':
      next.paused = false;
      break;
    case 'speed':
      if (ev.speed !== null) next.speed = ev.speed;
      break;
    case 'skipped':
      break;
  }
  return next;
}

/**
 * The ClockSync for countdowns, or null before the exercise starts or when
 * the server's wall time is unknown. offsetMs is server wall time minus the
 * page's Date.now() (from the hello frame).
 */
export function clockSync(st: ClockState, offsetMs: number | null): ClockSync | null {
  if (!st.started || offsetMs === null || !Number.isFinite(st.anchorWallMs)) return null;
  return { serverNs: st.anchorNs, localMs: st.anchorWallMs - offsetMs, rate: st.paused ? 0 : st.speed };
}

/** Server wall time minus local time, from a hello frame's server_time read at localMs. */
export function wallOffset(serverTime: unknown, localMs: number): number | null {
  if (typeof serverTime !== 'string') return null;
  const t = Date.parse(serverTime);
  return Number.isFinite(t) ? t - localMs : null;
}

// The exercise clock on the page, from what the server says.
//
// A participant's GET /api/exercises/:id carries one reading of the clock
// (`clock`: where it stood at the server's wall time, its speed and whether
// it runs); the page starts from that. After it, the server sends every team
// the events that move the clock (exercise_started with the speed, paused,
// resumed, speed_changed, clock_skipped), each stamped with the exercise
// clock and the server's wall time. From these the page knows where the
// clock was at a known server instant, how fast it runs, and how the
// server's wall clock relates to its own (measured on that GET, or from the
// hello frame), which is all clock.ts needs (ClockSync).

import type { ClockSync } from './clock';
import { parseServerTime, type ClockEvent } from './events';

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

/** One reading of the clock as GET /api/exercises/:id gives it to a participant. */
export interface ClockReading {
  /** Exercise clock (ns) at serverMs. */
  atNs: number;
  speed: number;
  /** lobby | running | paused | ended */
  status: string;
  /** Server wall time (ms) of the reading. */
  serverMs: number;
}

/** The clock state a reading implies. */
export function seedClock(r: ClockReading): ClockState {
  return {
    started: r.status === 'running' || r.status === 'paused' || r.status === 'ended',
    paused: r.status !== 'running',
    speed: r.speed > 0 ? r.speed : 1,
    anchorNs: Math.max(0, r.atNs),
    anchorWallMs: r.serverMs,
  };
}

/**
 * How much older (server wall time) than the current anchor a clock event may
 * be and still be applied. The reading's server_time is taken just after the
 * clock was read, so an event committed in between is a little older than
 * the anchor yet newer than the reading; events are consistent with each
 * other, so applying one the reading already covered changes nothing.
 */
const STALE_MS = 2000;

/**
 * Fold one clock event into the state. An event clearly older than what the
 * state already knows (the backlog replayed after a reading) is skipped.
 */
export function applyClockEvent(st: ClockState, ev: ClockEvent): ClockState {
  if (Number.isFinite(st.anchorWallMs) && Number.isFinite(ev.wallMs) && ev.wallMs < st.anchorWallMs - STALE_MS) return st;
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
  const t = parseServerTime(serverTime);
  return Number.isFinite(t) ? t - localMs : null;
}

/**
 * Server wall time minus local time from a reply's server_time, taken to be
 * true half-way through the round trip (sentMs..receivedMs, local), as the
 * console does with its snapshots (clock.ts syncFromReply).
 */
export function replyOffset(serverTime: unknown, sentMs: number, receivedMs: number): number | null {
  return wallOffset(serverTime, sentMs + Math.max(0, receivedMs - sentMs) / 2);
}

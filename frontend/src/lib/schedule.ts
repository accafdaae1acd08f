// Scheduled ad-hoc injects: when the form sends one ("at T+25:00" on the
// exercise clock, or "in 5 minutes" of exercise time), and the console's
// list of those waiting, kept from the snapshot and the log's events
// (inject_scheduled adds, facilitator_inject naming the schedule or
// inject_schedule_cancelled removes, the end clears).

import type { AdHocInject } from './facilitator';
import type { ModelPersona } from './facilitator-scenario';
import { formatClock } from './format';

const NS_PER_S = 1e9;

/** How far ahead the server accepts a schedule (24 h). */
export const MAX_AHEAD_NS = 24 * 3600 * NS_PER_S;

export type When = 'now' | 'at' | 'in';

/** What the form sends with the inject: at (exercise clock) or in (delay), ns. */
export type Timing = { atNs: number } | { inNs: number };

/**
 * An exercise-clock time typed by the facilitator: "25:00", "T+25:00",
 * "1:05:00", "25" (minutes). Nanoseconds, or null when it does not read.
 */
export function parseClock(text: string): number | null {
  const t = text.trim().replace(/^t\s*\+\s*/i, '');
  if (/^\d{1,4}$/.test(t)) return Number(t) * 60 * NS_PER_S;
  const m = /^(?:(\d{1,3}):)?(\d{1,4}):(\d{2})$/.exec(t);
  if (!m) return null;
  const [h, min, s] = [Number(m[1] ?? 0), Number(m[2]), Number(m[3])];
  if (s > 59 || (m[1] !== undefined && min > 59)) return null;
  return ((h * 60 + min) * 60 + s) * NS_PER_S;
}

/**
 * The timing of the form's choice, or a sentence saying what is wrong.
 * nowNs is the exercise clock as the console reads it.
 */
export function timingOf(when: When, atText: string, inMinutes: string, nowNs: number): { timing: Timing | null; error: string } {
  if (when === 'now') return { timing: null, error: '' };
  if (when === 'in') {
    const n = Number(inMinutes.trim().replace(',', '.'));
    if (!inMinutes.trim() || !Number.isFinite(n) || n <= 0) return { timing: null, error: 'Give the number of minutes from now, more than 0.' };
    const ns = Math.round(n * 60) * NS_PER_S;
    if (ns > MAX_AHEAD_NS) return { timing: null, error: 'An inject can be scheduled at most 24 hours ahead.' };
    return { timing: { inNs: ns }, error: '' };
  }
  const at = parseClock(atText);
  if (at === null) return { timing: null, error: 'Give the exercise time as T+mm:ss (for example T+25:00).' };
  if (at <= nowNs) return { timing: null, error: `${formatClock(at)} has passed (the clock reads ${formatClock(nowNs)}): send it now, or pick a later time.` };
  if (at - nowNs > MAX_AHEAD_NS) return { timing: null, error: 'An inject can be scheduled at most 24 hours ahead.' };
  return { timing: { atNs: at }, error: '' };
}

/** An inject waiting for its time. */
export interface ScheduledInject {
  id: string;
  atNs: number;
  inject: AdHocInject;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Obj, k: string) => (typeof o[k] === 'string' ? (o[k] as string) : '');

function adaptInject(o: Obj): AdHocInject {
  const teams = Array.isArray(o['teams']) ? (o['teams'] as unknown[]).filter((t): t is string => typeof t === 'string') : [];
  return { channel: str(o, 'channel') || 'sitrep', teams, from: str(o, 'from'), title: str(o, 'title'), body: str(o, 'body') };
}

function byTime(list: ScheduledInject[]): ScheduledInject[] {
  // Stable: injects due at the same time keep the order they were made in.
  return list.map((s, i) => [s, i] as const).sort((a, b) => a[0].atNs - b[0].atNs || a[1] - b[1]).map(([s]) => s);
}

/** The snapshot's `scheduled` list (GET /api/exercises/:id). */
export function scheduledOfSnapshot(snapshot: unknown): ScheduledInject[] {
  const s = isObj(snapshot) ? snapshot : {};
  const raw = Array.isArray(s['scheduled']) ? (s['scheduled'] as unknown[]) : [];
  return byTime(
    raw.filter(isObj).flatMap((x) => {
      const at = x['at'];
      const id = str(x, 'id');
      return id && typeof at === 'number' ? [{ id, atNs: at, inject: adaptInject(isObj(x['inject']) ? x['inject'] : {}) }] : [];
    }),
  );
}

/** The list after one raw event frame of the log (anything else: unchanged). */
export function reduceScheduled(list: ScheduledInject[], frame: unknown): ScheduledInject[] {
  if (!isObj(frame)) return list;
  const kind = str(frame, 'kind');
  const p = isObj(frame['payload']) ? frame['payload'] : {};
  const id = str(p, 'schedule');
  switch (kind) {
    case 'inject_scheduled': {
      const at = p['at'];
      if (!id || typeof at !== 'number' || list.some((s) => s.id === id)) return list;
      return byTime([...list, { id, atNs: at, inject: adaptInject(p) }]);
    }
    case 'facilitator_inject':
    case 'inject_schedule_cancelled':
      return id ? list.filter((s) => s.id !== id) : list;
    case 'outcome_reached':
    case 'facilitator_end':
      return [];
  }
  return list;
}

const CHANNEL_WORD: Record<string, string> = {
  social: 'Post',
  email: 'Email',
  chat: 'Chat',
  news: 'News',
  phone: 'Call',
  ticket: 'Ticket',
  status: 'Status update',
  sitrep: 'Sitrep',
};

/** "T+25:00 Email from Dana Reyes: Title", for the console's list. */
export function scheduledLabel(s: ScheduledInject, personas: ModelPersona[]): string {
  const who = personas.find((p) => p.id === s.inject.from)?.name ?? s.inject.from;
  const what = CHANNEL_WORD[s.inject.channel] ?? s.inject.channel;
  const head = `${formatClock(s.atNs)} ${what}${who ? ` from ${who}` : ''}`;
  const title = s.inject.title.trim() || s.inject.body.trim().split('\n')[0];
  return title ? `${head}: ${title.length > 80 ? title.slice(0, 79) + '…' : title}` : head;
}

import { describe, expect, it } from 'vitest';
import { adaptLogEvent } from './events';
import { commandBody, type AdHocInject } from './facilitator';
import { adaptScenario } from './facilitator-scenario';
import { summarize } from './report';
import { MAX_AHEAD_NS, parseClock, reduceScheduled, scheduledLabel, scheduledOfSnapshot, timingOf, type ScheduledInject } from './schedule';

const MIN = 60e9;
const inject: AdHocInject = { channel: 'email', teams: ['soc'], from: 'ciso', title: 'Call me', body: 'Now.' };
const personas = [{ id: 'ciso', name: 'Dana Reyes', handle: '', org: 'Acme', avatar: 'DR', role: '' }];

describe('parseClock', () => {
  it.each([
    ['25:00', 25 * MIN],
    ['T+25:00', 25 * MIN],
    ['t + 1:30', 90e9],
    ['1:05:00', 65 * MIN],
    ['90:00', 90 * MIN],
    ['25', 25 * MIN],
    [' 0:45 ', 45e9],
    ['25:60', null],
    ['1:60:00', null],
    ['soon', null],
    ['', null],
    ['-5:00', null],
    ['5:0', null],
  ])('%j → %s', (text, want) => {
    expect(parseClock(text)).toBe(want);
  });
});

describe('timingOf', () => {
  const now = 10 * MIN;
  it.each([
    ['now', '', '', null, ''],
    ['at', 'T+25:00', '', { atNs: 25 * MIN }, ''],
    ['at', '10:00', '', null, 'has passed'],
    ['at', '9:59', '', null, 'has passed'],
    ['at', 'later', '', null, 'T+mm:ss'],
    ['at', '25:00:00', '', null, 'most 24 hours'],
    ['in', '', '5', { inNs: 5 * MIN }, ''],
    ['in', '', '1.5', { inNs: 90e9 }, ''],
    ['in', '', '0,5', { inNs: 30e9 }, ''],
    ['in', '', '0', null, 'more than 0'],
    ['in', '', '-3', null, 'more than 0'],
    ['in', '', '', null, 'more than 0'],
    ['in', '', 'ten', null, 'more than 0'],
    ['in', '', String(24 * 60 + 1), null, 'most 24 hours'],
  ] as const)('%s %j %j', (when, at, inMin, timing, error) => {
    const got = timingOf(when, at, inMin, now);
    expect(got.timing).toEqual(timing);
    if (error) expect(got.error).toContain(error);
    else expect(got.error).toBe('');
  });

  it('allows exactly 24 hours ahead', () => {
    expect(timingOf('in', '', String(24 * 60), now).timing).toEqual({ inNs: MAX_AHEAD_NS });
  });
});

describe('the console list of scheduled injects', () => {
  const ev = (kind: string, payload: Record<string, unknown>, at = 0) => ({ type: 'event', seq: 1, kind, at, payload });
  it('follows the log: scheduled, sent, cancelled, ended', () => {
    let l: ScheduledInject[] = [];
    l = reduceScheduled(l, ev('inject_scheduled', { schedule: 'b', at: 20 * MIN, channel: 'chat', body: 'B' }, 60e9));
    l = reduceScheduled(l, ev('inject_scheduled', { schedule: 'a', at: 10 * MIN, ...inject }));
    l = reduceScheduled(l, ev('inject_scheduled', { schedule: 'c', at: 20 * MIN, channel: 'news', body: 'C' }));
    // the due time is the payload's at, not the event's
    expect(l.map((s) => [s.id, s.atNs])).toEqual([
      ['a', 10 * MIN],
      ['b', 20 * MIN],
      ['c', 20 * MIN],
    ]);
    expect(l[0].inject).toEqual(inject);
    expect(reduceScheduled(l, ev('inject_scheduled', { schedule: 'a', at: 10 * MIN, body: 'again' }))).toBe(l);
    expect(reduceScheduled(l, ev('facilitator_inject', { channel: 'chat', body: 'sent at once' }))).toBe(l);
    l = reduceScheduled(l, ev('facilitator_inject', { schedule: 'a', ...inject }, 10 * MIN));
    l = reduceScheduled(l, ev('inject_schedule_cancelled', { schedule: 'c' }));
    expect(l.map((s) => s.id)).toEqual(['b']);
    expect(reduceScheduled(l, ev('clock_tick', { to: 1 }))).toBe(l);
    expect(reduceScheduled(l, ev('outcome_reached', { outcome: 'won' }))).toEqual([]);
    expect(reduceScheduled(l, null)).toBe(l);
  });

  it('reads the snapshot, in due order, ignoring what it cannot read', () => {
    const l = scheduledOfSnapshot({
      scheduled: [
        { id: 'y', at: 30 * MIN, inject: { channel: 'chat', body: 'Y' } },
        { id: 'x', at: 5 * MIN, inject },
        { id: '', at: 1 },
        { id: 'z' },
        'junk',
      ],
    });
    expect(l).toEqual([
      { id: 'x', atNs: 5 * MIN, inject },
      { id: 'y', atNs: 30 * MIN, inject: { channel: 'chat', teams: [], from: '', title: '', body: 'Y' } },
    ]);
    expect(scheduledOfSnapshot(null)).toEqual([]);
  });

  it.each([
    [{ id: 'a', atNs: 25 * MIN, inject }, 'T+25:00 Email from Dana Reyes: Call me'],
    [{ id: 'b', atNs: 65 * MIN, inject: { ...inject, from: 'Night desk', title: '', body: 'First line\nsecond' } }, 'T+1:05:00 Email from Night desk: First line'],
    [{ id: 'c', atNs: 90e9, inject: { ...inject, channel: 'sitrep', from: '', title: '', body: '' } }, 'T+1:30 Sitrep'],
  ])('labels %j', (s, want) => {
    expect(scheduledLabel(s, personas)).toBe(want);
  });
});

describe('schedule commands', () => {
  it.each([
    [{ atNs: 25 * MIN }, { at: 25 * MIN }],
    [{ inNs: 5 * MIN }, { in: 5 * MIN }],
  ])('sends %j as %j with the inject', (timing, want) => {
    expect(commandBody({ type: 'schedule-inject', inject: { ...inject, title: ' Call me ' }, timing })).toEqual({
      inject: { channel: 'email', teams: ['soc'], from: 'ciso', title: 'Call me', body: 'Now.' },
      ...want,
    });
  });
  it('cancels by id', () => {
    expect(commandBody({ type: 'cancel-scheduled-inject', schedule: 'q1' })).toEqual({ schedule: 'q1' });
  });
});

describe('the report', () => {
  it.each([
    ['inject_scheduled', { schedule: 'a', at: 25 * MIN, channel: 'email', body: 'x' }, 'Facilitator scheduled an ad-hoc email for later'],
    ['inject_schedule_cancelled', { schedule: 'a' }, 'Facilitator cancelled a scheduled inject'],
  ])('says what %s was', (kind, payload, want) => {
    const ev = adaptLogEvent({ type: 'event', seq: 3, kind, at: MIN, payload });
    expect(ev && summarize(ev, adaptScenario({}), new Map())).toBe(want);
  });
});

import { describe, expect, it } from 'vitest';
import { countdown, serverNow, speedLabel, syncFromReply, URGENT_MS } from './clock';

const S = 1e9;

describe('serverNow', () => {
  it('advances with the local clock at the given rate', () => {
    const sync = { serverNs: 100 * S, localMs: 5000, rate: 1 };
    expect(serverNow(sync, 5000)).toBe(100 * S);
    expect(serverNow(sync, 7500)).toBe(102.5 * S);
    expect(serverNow({ ...sync, rate: 4 }, 6000)).toBe(104 * S);
    expect(serverNow({ ...sync, rate: 0 }, 999_999)).toBe(100 * S);
  });

  it('takes a reply to be true half-way through the round trip', () => {
    const sync = syncFromReply(50 * S, 1000, 1400);
    expect(sync.localMs).toBe(1200);
    expect(serverNow(sync, 1200)).toBe(50 * S);
    expect(syncFromReply(0, 1000, 900).localMs).toBe(1000); // a clock step backwards is no round trip
    expect(syncFromReply(0, 0, 0, -2).rate).toBe(0);
  });
});

describe('countdown', () => {
  it.each([
    // closesAt, now, rate, limit, state, label, remainingMs, fraction
    [null, 0, 1, 0, 'untimed', '', 0, 1],
    [300 * S, 0, 1, 300 * S, 'running', '5:00', 300_000, 1],
    [300 * S, 54.5 * S, 1, 300 * S, 'running', '4:06', 245_500, 245.5 / 300],
    [300 * S, 270 * S, 1, 300 * S, 'urgent', '0:30', 30_000, 0.1],
    [300 * S, 299.2 * S, 1, 300 * S, 'urgent', '0:01', 800, 0.8 / 300],
    [300 * S, 300 * S, 1, 300 * S, 'expired', '0:00', 0, 0],
    [300 * S, 400 * S, 1, 300 * S, 'expired', '0:00', 0, 0],
    // At ×2 speed, 60 s of exercise time is 30 s for the people in the room:
    // the label stays in exercise time (the clock of "closes T+12:00"), the
    // urgency follows the real time left.
    [360 * S, 300 * S, 2, 300 * S, 'urgent', '1:00', 30_000, 0.2],
    [600 * S, 0, 2, 0, 'running', '10:00', 300_000, 1],
    [720 * S, 0, 10, 720 * S, 'running', '12:00', 72_000, 1],
    // Paused: time left frozen, shown in exercise time.
    [360 * S, 300 * S, 0, 120 * S, 'paused', '1:00', 60_000, 0.5],
    [7200 * S, 0, 1, 0, 'running', '2:00:00', 7_200_000, 1],
  ] as const)('closes %d now %d rate %d → %s %s', (closesAt, now, rate, limit, state, label, ms, fraction) => {
    const c = countdown(closesAt, now, rate, limit);
    expect(c.state).toBe(state);
    expect(c.label).toBe(label);
    expect(c.remainingMs).toBeCloseTo(ms, 6);
    expect(c.fraction).toBeCloseTo(fraction, 9);
  });

  it('turns urgent exactly at the threshold', () => {
    expect(countdown(URGENT_MS * 1e6 + 1e6, 0, 1).state).toBe('running');
    expect(countdown(URGENT_MS * 1e6, 0, 1).state).toBe('urgent');
  });

  it('counts down through a sync as the local clock ticks', () => {
    const sync = { serverNs: 100 * S, localMs: 0, rate: 1 };
    const closes = 160 * S;
    const labels = [0, 999, 1000, 30_000, 59_999, 60_000].map((ms) => countdown(closes, serverNow(sync, ms), 1).label);
    expect(labels).toEqual(['1:00', '1:00', '0:59', '0:30', '0:01', '0:00']);
  });
});

describe('speedLabel', () => {
  it.each([
    [1, ''],
    [0, ''],
    [2, '×2'],
    [10, '×10'],
    [1.5, '×1.5'],
  ])('%d → %j', (rate, want) => expect(speedLabel(rate)).toBe(want));
});

import { describe, expect, it } from 'vitest';
import { compactNumber, formatClock, formatDuration, formatSpan, formatStoryTime, fullNumber } from './format';

describe('compactNumber', () => {
  it.each([
    [0, '0'],
    [-5, '0'],
    [NaN, '0'],
    [7, '7'],
    [999, '999'],
    [1000, '1K'],
    [1049, '1K'],
    [1200, '1.2K'],
    [1299, '1.2K'],
    [9999, '9.9K'],
    [10_000, '10K'],
    [15_400, '15K'],
    [99_999, '99K'],
    [100_000, '100K'],
    [999_999, '999K'],
    [1_000_000, '1M'],
    [1_250_000, '1.2M'],
    [12_500_000, '12M'],
    [2_000_000_000, '2B'],
    [12.7, '12'],
  ])('%d → %s', (n, want) => {
    expect(compactNumber(n)).toBe(want);
  });
});

describe('fullNumber', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [1234567, '1,234,567'],
  ])('%d → %s', (n, want) => expect(fullNumber(n)).toBe(want));
});

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [-1000, '0:00'],
    [999, '0:00'],
    [1000, '0:01'],
    [65_000, '1:05'],
    [3_599_000, '59:59'],
    [3_600_000, '1:00:00'],
    [3_725_000, '1:02:05'],
  ])('%d ms → %s', (ms, want) => expect(formatDuration(ms)).toBe(want));

  it('formats the exercise clock', () => {
    expect(formatClock(754e9)).toBe('T+12:34');
  });
});

describe('formatStoryTime', () => {
  it.each([
    ['2020-02-08T09:42:00Z', 'time', '09:42'],
    ['2020-02-08T09:42:00+05:30', 'time', '09:42'],
    ['2020-02-08T09:42:00Z', 'full', '8 Feb 2020, 09:42'],
    ['2021-12-31T23:59:59-08:00', 'full', '31 Dec 2021, 23:59'],
    [null, 'time', ''],
    ['yesterday', 'full', ''],
  ] as const)('%s (%s) → %s', (s, style, want) => expect(formatStoryTime(s, style)).toBe(want));
});

describe('formatSpan', () => {
  it.each([
    [0, '0 s'],
    [-5e9, '0 s'],
    [NaN, '0 s'],
    [45e9, '45 s'],
    [60e9, '1 min'],
    [120e9, '2 min'],
    [90e9, '1 min 30 s'],
    [89.6e9, '1 min 30 s'],
    [3600e9, '1 h'],
    [3900e9, '1 h 5 min'],
    [3661e9, '1 h 1 min 1 s'],
  ])('%d ns → %s', (ns, want) => expect(formatSpan(ns)).toBe(want));
});

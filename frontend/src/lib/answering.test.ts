import { describe, expect, it } from 'vitest';
import { answerBlock, isPaused } from './answering';

describe('answerBlock', () => {
  const running = { serverNs: 1e9, localMs: 0, rate: 2 };
  const paused = { serverNs: 1e9, localMs: 0, rate: 0 };
  const cases: { name: string; clock: typeof running | null; canAnswer: boolean; want: string }[] = [
    { name: 'running, may answer', clock: running, canAnswer: true, want: '' },
    { name: 'running, not the lead', clock: running, canAnswer: false, want: 'lead' },
    { name: 'paused blocks everyone', clock: paused, canAnswer: true, want: 'paused' },
    { name: 'paused wins over the lead rule', clock: paused, canAnswer: false, want: 'paused' },
    { name: 'clock not known yet: the server decides', clock: null, canAnswer: true, want: '' },
  ];
  for (const c of cases) {
    it(c.name, () => expect(answerBlock(c.clock, c.canAnswer)).toBe(c.want));
  }
  it('reads a clock of rate 0 as paused', () => {
    expect(isPaused(paused)).toBe(true);
    expect(isPaused(running)).toBe(false);
    expect(isPaused(null)).toBe(false);
  });
});

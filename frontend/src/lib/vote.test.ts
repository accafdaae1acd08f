import { describe, expect, it } from 'vitest';
import { createFeed, type DecisionState } from './feed';
import { tally, voteResult, withNames } from './vote';

const options = [
  { id: 'a', label: 'Option A' },
  { id: 'b', label: 'Option B' },
];

describe('tally', () => {
  it('counts each member’s current vote per option, with who voted', () => {
    expect(
      tally(options, [
        { participant: 'Ines', option: 'a' },
        { participant: 'Raj', option: 'b' },
        { participant: 'Lu', option: 'a' },
      ]),
    ).toEqual([
      { option: 'a', label: 'Option A', count: 2, voters: ['Ines', 'Lu'] },
      { option: 'b', label: 'Option B', count: 1, voters: ['Raj'] },
    ]);
  });
});

describe('voteResult', () => {
  const cases: { votes: [number, number, number]; tie: boolean; want: string }[] = [
    { votes: [2, 1, 0], tie: false, want: 'majority 2–1' },
    { votes: [1, 1, 0], tie: true, want: 'tie 1–1: first option listed' },
    { votes: [0, 3, 0], tie: false, want: 'unanimous 3–0' },
    { votes: [2, 2, 2], tie: true, want: 'tie 2–2–2: first option listed' },
    { votes: [0, 0, 0], tie: false, want: '' },
  ];
  for (const c of cases) {
    it(c.want || 'no votes', () => {
      expect(voteResult(c.votes.map((count, i) => ({ option: 'abc'[i], count })), c.tie)).toBe(c.want);
    });
  }
});

describe('a vote in the feed', () => {
  const frame = (seq: number, kind: string, payload: Record<string, unknown>) => ({ type: 'event', seq, kind, at: seq * 1e9, payload, audience: ['soc'] });
  function run(frames: unknown[]): DecisionState {
    const feed = createFeed();
    for (const f of frames) feed.apply(f);
    let got: DecisionState | undefined;
    feed.subscribe((s) => (got = s.decisions[0]))();
    return got!;
  }
  const opened = frame(1, 'decision_opened', { decision: 'v', team: 'soc', prompt: 'Vote', options, mode: 'vote', time_limit: 300e9, closes_at: 301e9 });
  const vote = (seq: number, who: string, option: string) => frame(seq, 'decision_answered', { decision: 'v', team: 'soc', participant: who, option });

  it('keeps every member’s latest vote while open', () => {
    const d = run([opened, vote(2, 'p1', 'a'), vote(3, 'p2', 'a'), vote(4, 'p2', 'b')]);
    expect(d.ballots).toEqual([
      { participant: 'p1', option: 'a' },
      { participant: 'p2', option: 'b' },
    ]);
  });

  it('credits a settled 1–1 tie to the team, not to the last voter', () => {
    const d = run([
      opened,
      vote(2, 'p1', 'a'),
      vote(3, 'p2', 'b'),
      frame(4, 'decision_closed', {
        decision: 'v',
        team: 'soc',
        settled: 'answered',
        option: 'a',
        votes: [
          { option: 'a', count: 1 },
          { option: 'b', count: 1 },
        ],
        tie: true,
      }),
    ]);
    expect(d.status).toBe('closed');
    expect(d.answer?.option).toBe('a');
    expect(d.answer?.participant).toBe('');
    expect(d.result && voteResult(d.result.votes, d.result.tie)).toBe('tie 1–1: first option listed');
    const named = withNames(d, (id) => ({ p1: 'Ines', p2: 'Raj' })[id] ?? id);
    expect(named.ballots?.map((b) => b.participant)).toEqual(['Ines', 'Raj']);
  });
});

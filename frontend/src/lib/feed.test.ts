import { describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { createFeed, injectItems } from './feed';
import { fromWire, type FeedEvent } from './events';

const inj = (seq: number, title = `i${seq}`) => ({ seq, kind: 'inject_delivered', at: seq * 1e9, inject: { channel: 'chat', title, body: '' } });
const opened = (seq: number, id: string) => ({ seq, kind: 'decision_opened', decision: { id, options: [{ id: 'a' }, { id: 'b' }] } });
const answered = (seq: number, id: string, option: string, participant: string) => ({ seq, kind: 'decision_answered', answer: { decision: id, option, participant } });

describe('feed store', () => {
  it('keeps events in sequence order and ignores replays', () => {
    const fresh: FeedEvent[] = [];
    const feed = createFeed({ onFresh: (ev) => fresh.push(ev) });
    expect(feed.apply(inj(1))).toBe(true);
    expect(feed.apply(inj(3))).toBe(true);
    expect(feed.apply(inj(2))).toBe(true);
    expect(feed.apply(inj(2, 'again'))).toBe(false);
    expect(feed.apply({ seq: 4, kind: 'nonsense' })).toBe(false);
    feed.load([inj(1), inj(2), inj(3), inj(4), inj(5)]);
    const s = get(feed);
    expect(s.items.map((i) => i.ev.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(s.items.map((i) => i.fresh)).toEqual([true, true, true, false, false]);
    expect(s.items[1].ev.inject?.title).toBe('i2');
    expect(feed.lastSeq()).toBe(5);
    expect(fresh.map((e) => e.seq)).toEqual([1, 3, 2]);
    expect(injectItems(s).map((i) => i.ev.seq)).toEqual([5, 4, 3, 2, 1]);
  });

  it('does not notify subscribers for a duplicate', () => {
    const feed = createFeed();
    feed.apply(inj(1));
    let calls = 0;
    const stop = feed.subscribe(() => calls++);
    feed.apply(inj(1));
    feed.load([inj(1)]);
    stop();
    expect(calls).toBe(1); // the initial call only
  });

  it('follows a decision from open through answers to closed', () => {
    const feed = createFeed();
    feed.load([opened(1, 'd'), answered(2, 'd', 'a', 'Sam'), answered(3, 'd', 'b', 'Alex')]);
    let d = get(feed).decisions[0];
    expect(d.status).toBe('answered');
    expect(d.answer).toMatchObject({ option: 'b', participant: 'Alex' });
    feed.apply({ seq: 4, kind: 'decision_closed', answer: { decision: 'd', option: 'b' } });
    d = get(feed).decisions[0];
    expect(d.status).toBe('closed');
    // The settled answer keeps the name of whoever gave it.
    expect(d.answer).toMatchObject({ option: 'b', participant: 'Alex' });
    // A late answer replayed after the close does not reopen it.
    feed.apply(answered(5, 'd', 'a', 'Late'));
    expect(get(feed).decisions[0].status).toBe('closed');
  });

  it('marks a decision closed without an answer as expired', () => {
    const feed = createFeed();
    feed.load([opened(1, 'x'), { seq: 2, kind: 'decision_closed', decision_id: 'x' }]);
    expect(get(feed).decisions[0].status).toBe('expired');
    feed.load([opened(3, 'y'), answered(4, 'y', 'a', 'Sam'), { seq: 5, kind: 'decision_closed', expired: true, decision_id: 'y' }]);
    const y = get(feed).decisions[1];
    expect(y.status).toBe('expired');
    expect(y.answer).toBeNull();
  });

  it('ignores answers to unknown decisions and records the outcome', () => {
    const feed = createFeed();
    feed.load([answered(1, 'ghost', 'a', 'Sam'), { seq: 2, kind: 'outcome_reached', outcome: 'contained', rating: 'success' }]);
    const s = get(feed);
    expect(s.decisions).toEqual([]);
    expect(s.outcome).toEqual({ outcome: 'contained', title: '', rating: 'success', debrief: '', reason: '' });
    feed.reset();
    expect(get(feed).items).toEqual([]);
    expect(feed.lastSeq()).toBe(0);
  });

  it('moves an open decision to its extended deadline, telling live from replayed', () => {
    const timed = { seq: 1, kind: 'decision_opened', decision: { id: 'd', options: [{ id: 'a' }], time_limit: 300e9, closes_at: 400e9 } };
    const ext = (seq: number, by: number, closes: number, limit: number, id = 'd') =>
      fromWire({ type: 'event', seq, kind: 'decision_extended', at: 200e9, payload: { kind: 'decision_extended', decision: id, team: 'soc', by, closes_at: closes, time_limit: limit } });
    const feed = createFeed();
    feed.load([timed, ext(2, 60e9, 460e9, 360e9)]);
    let d = get(feed).decisions[0];
    expect([d.decision.closesAtNs, d.decision.timeLimitNs]).toEqual([460e9, 360e9]);
    expect(d.extension).toEqual({ byNs: 60e9, seq: 2, fresh: false });
    expect(d.status).toBe('open');
    expect(feed.apply(ext(3, 120e9, 580e9, 480e9))).toBe(true);
    d = get(feed).decisions[0];
    expect([d.decision.closesAtNs, d.decision.timeLimitNs]).toEqual([580e9, 480e9]);
    expect(d.extension).toEqual({ byNs: 120e9, seq: 3, fresh: true });
    // The event is in the feed (not dropped as an unknown kind), but it is no inject.
    expect(get(feed).items.map((i) => i.ev.kind)).toEqual(['decision_opened', 'decision_extended', 'decision_extended']);
    expect(injectItems(get(feed))).toEqual([]);
    // Another decision's extension, or one after the close, moves nothing.
    feed.apply(ext(4, 60e9, 999e9, 999e9, 'other'));
    feed.apply({ seq: 5, kind: 'decision_closed', answer: { decision: 'd', option: 'a' } });
    feed.apply(ext(6, 60e9, 640e9, 540e9));
    d = get(feed).decisions[0];
    expect([d.status, d.decision.closesAtNs, d.extension?.seq]).toEqual(['closed', 580e9, 3]);
    // An extension without a deadline is not an event the feed can use.
    expect(feed.apply(ext(7, 60e9, 0, 0))).toBe(false);
  });
});

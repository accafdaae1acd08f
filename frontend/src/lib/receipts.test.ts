import { describe, expect, it } from 'vitest';
import { createReceipts } from './receipts';
import { RequestError } from './socket';

/** A controllable clock and a send that the test settles by hand. */
function harness(stored: string[] = []) {
  const timers: { f: () => void; ms: number }[] = [];
  const calls: { seq: number; opened: boolean; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const storage = new Map<string, string>([['k', JSON.stringify(stored)]]);
  const st = { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v) } as unknown as Storage;
  const rc = createReceipts({
    send: (seq, opened) => new Promise<void>((resolve, reject) => calls.push({ seq, opened, resolve, reject })),
    storage: st,
    key: 'k',
    setTimeout: (f, ms) => timers.push({ f, ms }),
  });
  const flush = async () => {
    for (let i = 0; i < 3; i++) await Promise.resolve();
  };
  const tick = async () => {
    await flush();
    const t = timers.shift();
    t?.f();
    await flush();
    return t?.ms;
  };
  return { rc, calls, tick, flush, storage };
}

describe('receipts', () => {
  it('reports one at a time, each once, and remembers across a reload', async () => {
    const h = harness();
    h.rc.received(5);
    h.rc.received(5);
    h.rc.received(7);
    h.rc.opened(5);
    expect(h.calls.map((c) => [c.seq, c.opened])).toEqual([[5, false]]); // one in flight
    h.calls[0].resolve();
    expect(await h.tick()).toBe(250);
    expect(h.calls.map((c) => [c.seq, c.opened])).toEqual([
      [5, false],
      [7, false],
    ]);
    h.calls[1].resolve();
    await h.tick();
    h.calls[2].resolve();
    await h.tick();
    expect(h.calls).toHaveLength(3);
    expect(h.rc.reported().sort()).toEqual(['5:o', '5:r', '7:r']);

    const again = harness(JSON.parse(h.storage.get('k')!));
    again.rc.received(5);
    again.rc.opened(5);
    again.rc.received(9);
    expect(again.calls.map((c) => c.seq)).toEqual([9]);
  });

  it('waits and retries after a rate limit; gives up on a refusal', async () => {
    const h = harness();
    h.rc.received(3);
    h.rc.received(4);
    h.calls[0].reject(new RequestError('rate_limited', 'slow down', 'x'));
    expect(await h.tick()).toBe(3000);
    expect(h.calls.map((c) => c.seq)).toEqual([3, 3]);
    h.calls[1].reject(new RequestError('not_found', 'not your inject', 'y'));
    expect(await h.tick()).toBe(250);
    expect(h.calls.map((c) => c.seq)).toEqual([3, 3, 4]);
    h.rc.received(3);
    await h.flush();
    expect(h.calls).toHaveLength(3);
  });

  it('ignores bad seqs and stops', async () => {
    const h = harness();
    h.rc.received(0);
    h.rc.received(-1);
    h.rc.received(1.5);
    h.rc.stop();
    h.rc.received(2);
    expect(h.calls).toHaveLength(0);
  });
});

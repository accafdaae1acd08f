// @vitest-environment jsdom
// The participant's page reports an inject as received when its frame
// arrives and as opened once its card is on screen.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWS } from '../../test/fakews';
import { fakeApi, wire } from '../../test/fakeapi';
import { appPage } from '../../test/app';

const { at, settle } = appPage({ preload: true, rounds: 6 });
const observers: { cb: IntersectionObserverCallback; nodes: Element[] }[] = [];
beforeEach(() => {
  observers.length = 0;
  vi.stubGlobal(
    'IntersectionObserver',
    class {
      nodes: Element[] = [];
      constructor(readonly cb: IntersectionObserverCallback) {
        observers.push(this);
      }
      observe(n: Element) {
        this.nodes.push(n);
      }
      disconnect() {}
    },
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('receipts', () => {
  it('reports received on arrival and opened when the card shows', async () => {
    vi.useFakeTimers();
    at('/play', fakeApi());
    await vi.advanceTimersByTimeAsync(0);
    await settle();
    const ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    ws.frame(wire.event(4, 'inject_delivered', { inject: 'hijack', channel: 'social', body: 'Free crypto', persona_name: 'Acme', audience: ['*'] }));
    ws.frame(wire.live(4));
    await settle();
    const sent = () => ws.sentMessages().filter((m) => m.type === 'receipt');
    expect(sent()).toEqual([expect.objectContaining({ seq: 4, opened: false })]);
    ws.frame({ type: 'ack', id: sent()[0].id });
    await settle();

    // The card comes into view.
    const o = observers.find((x) => x.nodes.some((n) => n.getAttribute('data-seq') === '4'))!;
    o.cb([{ isIntersecting: true } as IntersectionObserverEntry], o as unknown as IntersectionObserver);
    await vi.advanceTimersByTimeAsync(300); // the pause between two reports
    await settle();
    expect(sent().map((m) => [m.seq, m.opened])).toEqual([
      [4, false],
      [4, true],
    ]);
  });
});

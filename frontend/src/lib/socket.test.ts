import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  backoffDelay,
  ConnectionLostError,
  createSocket,
  isTerminalClose,
  RequestError,
  RequestTimeoutError,
  socketURL,
  type EventFrame,
  type SocketOptions,
  type SocketStatus,
} from './socket';
import { FakeWS } from '../test/fakews';

const ev = (seq: number) => ({ type: 'event', seq, kind: 'inject_delivered', at: seq, payload: {} });

interface Harness {
  got: number[];
  statuses: SocketStatus[];
  opts: SocketOptions;
}

function harness(extra: Partial<SocketOptions> = {}): Harness {
  const h: Harness = { got: [], statuses: [], opts: undefined as unknown as SocketOptions };
  h.opts = {
    exercise: 'ex1',
    token: 'p.tok',
    lastSeq: () => (h.got.length ? h.got[h.got.length - 1] : 0),
    onEvent: (f: EventFrame) => h.got.push(f.seq),
    onStatus: (s) => h.statuses.push(s),
    WebSocket: FakeWS,
    base: { protocol: 'http:', host: 'example.test' },
    random: () => 0.5,
    backoff: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 },
    requestTimeoutMs: 5000,
    ...extra,
  };
  return h;
}

const afterOf = (ws: FakeWS) => new URL(ws.url).searchParams.get('after');

beforeEach(() => {
  FakeWS.all = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('helpers', () => {
  it('classifies close codes like the hub', () => {
    expect([1000, 1001, 1006, 1011, 4000, 4001, 4008, 4499].map(isTerminalClose)).toEqual(Array(8).fill(false));
    expect([1008, 4500, 4501, 4502, 4503, 4999].map(isTerminalClose)).toEqual(Array(6).fill(true));
  });

  it('grows the backoff exponentially, caps it and jitters it', () => {
    const o = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 };
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, o, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, o, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect(backoffDelay(2, { ...o, jitter: 0 }, () => 0)).toBe(400);
  });

  it('builds the URL for the page scheme', () => {
    expect(socketURL({ protocol: 'https:', host: 'h:8443' }, '/api/ws', 'ex 1', 7)).toBe('wss://h:8443/api/ws?exercise=ex+1&after=7');
    expect(socketURL({ protocol: 'http:', host: 'h' }, '/api/ws', 'e', -3)).toBe('ws://h/api/ws?exercise=e&after=0');
  });
});

describe('createSocket', () => {
  it('authenticates with the subprotocols and streams events in order', () => {
    const h = harness();
    const s = createSocket(h.opts);
    s.start();
    const ws = FakeWS.last();
    expect(ws.protocols).toEqual(['ttx.v1', 'ttx.token.p.tok']);
    expect(ws.url).toBe('ws://example.test/api/ws?exercise=ex1&after=0');
    expect(h.statuses).toEqual(['connecting']);
    ws.handshake([1, 2, 3]);
    expect(h.statuses).toEqual(['connecting', 'live']);
    ws.frame(ev(4));
    expect(h.got).toEqual([1, 2, 3, 4]);
  });

  it('sends no token subprotocol for a cookie session', () => {
    const h = harness({ token: undefined });
    createSocket(h.opts).start();
    expect(FakeWS.last().protocols).toEqual(['ttx.v1']);
  });

  it('drops replayed and out-of-date events', () => {
    const h = harness();
    createSocket(h.opts).start();
    const ws = FakeWS.last();
    ws.handshake([1, 2]);
    ws.frame(ev(2));
    ws.frame(ev(1));
    ws.frame(ev(3));
    ws.frame(ev(3));
    ws.frame({ type: 'event', seq: 'x' });
    ws.frame({ type: 'event', seq: 0 });
    ws.onmessage?.({ data: 'not json' });
    expect(h.got).toEqual([1, 2, 3]);
  });

  it('reconnects with backoff and resumes after the last seq', () => {
    const h = harness();
    createSocket(h.opts).start();
    FakeWS.last().handshake([1, 2, 3]);
    FakeWS.last().drop(1006);
    expect(h.statuses.at(-1)).toBe('reconnecting');
    expect(FakeWS.all).toHaveLength(1);
    vi.advanceTimersByTime(74); // 100 * (0.5 + 0.5*0.5) = 75
    expect(FakeWS.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeWS.all).toHaveLength(2);
    expect(afterOf(FakeWS.last())).toBe('3');
    // The second attempt fails too: the delay doubles.
    FakeWS.last().drop(1006);
    vi.advanceTimersByTime(149);
    expect(FakeWS.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeWS.all).toHaveLength(3);
    // Back: the replay overlaps what the page has; only new events pass.
    FakeWS.last().handshake([3, 4, 5]);
    expect(h.got).toEqual([1, 2, 3, 4, 5]);
    expect(h.statuses.at(-1)).toBe('live');
    // Live again resets the backoff.
    FakeWS.last().drop(4000);
    vi.advanceTimersByTime(75);
    expect(FakeWS.all).toHaveLength(4);
    expect(afterOf(FakeWS.last())).toBe('5');
  });

  it('resumes after the live frame position even when the role saw fewer events', () => {
    const h = harness();
    createSocket(h.opts).start();
    FakeWS.last().handshake([1, 2], 9);
    FakeWS.last().drop(1001);
    vi.advanceTimersByTime(100);
    expect(afterOf(FakeWS.last())).toBe('9');
  });

  it('stops on terminal close codes', () => {
    for (const code of [4501, 4502, 4503, 1008, 1000]) {
      FakeWS.all = [];
      const h = harness();
      const s = createSocket(h.opts);
      s.start();
      FakeWS.last().handshake([1]);
      FakeWS.last().drop(code, 'bye');
      expect(h.statuses.at(-1)).toBe('closed');
      expect(s.status()).toBe('closed');
      vi.advanceTimersByTime(60_000);
      expect(FakeWS.all).toHaveLength(1);
    }
  });

  it('stops when checkAuth says the token is gone', async () => {
    let valid = true;
    const h = harness({ checkAuth: () => Promise.resolve(valid) });
    const details: (number | undefined)[] = [];
    h.opts.onStatus = (s, d) => {
      h.statuses.push(s);
      details.push(d.code);
    };
    createSocket(h.opts).start();
    FakeWS.last().drop(1006); // refused before opening
    await vi.advanceTimersByTimeAsync(0);
    expect(h.statuses.at(-1)).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeWS.all).toHaveLength(2);
    valid = false;
    FakeWS.last().drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.statuses.at(-1)).toBe('closed');
    expect(details.at(-1)).toBe(4401);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWS.all).toHaveLength(2);
  });

  it('matches acks and errors to requests by id', async () => {
    const h = harness();
    let n = 0;
    const s = createSocket({ ...h.opts, newId: () => `id-${++n}` });
    s.start();
    const ws = FakeWS.last();
    ws.handshake([]);
    const a = s.request('answer', { decision: 'd1', option: 'x' });
    const b = s.request('note', { text: 'hi' });
    expect(ws.sentMessages()).toEqual([
      { decision: 'd1', option: 'x', type: 'answer', id: 'id-1' },
      { text: 'hi', type: 'note', id: 'id-2' },
    ]);
    ws.frame({ type: 'error', id: 'id-2', code: 'forbidden', message: 'not allowed for your role' });
    ws.frame({ type: 'ack', id: 'id-1', seq: 12 });
    await expect(a).resolves.toEqual({ id: 'id-1', seq: 12 });
    const err = await b.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).code).toBe('forbidden');
    expect(s.pendingIds()).toEqual([]);
  });

  it('passes frames it does not consume to onFrame', () => {
    const frames: unknown[] = [];
    const h = harness({ onFrame: (f) => frames.push(f.type) });
    const s = createSocket(h.opts);
    s.start();
    FakeWS.last().handshake([1]);
    FakeWS.last().frame({ type: 'presence', teams: { soc: 2 } });
    FakeWS.last().frame({ type: 'ack', id: 'unknown' });
    FakeWS.last().frame({ type: 'error', code: 'rate_limited', message: 'slow down' });
    expect(frames).toEqual(['hello', 'live', 'presence', 'ack', 'error']);
    expect(s.status()).toBe('live');
  });

  it('resends an idempotent request with the same id after a reconnect until acked', async () => {
    const h = harness();
    const s = createSocket(h.opts);
    s.start();
    FakeWS.last().handshake([1]);
    const p = s.request('answer', { decision: 'd', option: 'a' }, { id: 'client-1', resend: true });
    expect(FakeWS.last().sentMessages().map((m) => m.id)).toEqual(['client-1']);
    FakeWS.last().drop(1006); // ack lost with the connection
    vi.advanceTimersByTime(100);
    const ws2 = FakeWS.last();
    ws2.open();
    expect(ws2.sent).toEqual([]); // not before the stream is live
    ws2.frame({ type: 'hello' });
    ws2.frame({ type: 'live', last_seq: 1 });
    expect(ws2.sentMessages()).toEqual([{ decision: 'd', option: 'a', type: 'answer', id: 'client-1' }]);
    ws2.frame({ type: 'ack', id: 'client-1', seq: 5, duplicate: true });
    await expect(p).resolves.toEqual({ id: 'client-1', seq: 5, duplicate: true });
  });

  it('queues requests made while offline and sends them once live', async () => {
    const h = harness();
    const s = createSocket(h.opts);
    s.start();
    const p = s.request('answer', { decision: 'd', option: 'a' }, { id: 'c1', resend: true });
    FakeWS.last().drop(1006);
    vi.advanceTimersByTime(100);
    FakeWS.last().handshake([]);
    expect(FakeWS.last().sentMessages().map((m) => m.id)).toEqual(['c1']);
    FakeWS.last().frame({ type: 'ack', id: 'c1', seq: 2 });
    await expect(p).resolves.toMatchObject({ seq: 2 });
  });

  it('rejects a sent non-idempotent request when the connection drops', async () => {
    const h = harness();
    const s = createSocket(h.opts);
    s.start();
    FakeWS.last().handshake([]);
    const p = s.request('note', { text: 'x' }, { id: 'n1' });
    FakeWS.last().drop(1006);
    await expect(p).rejects.toBeInstanceOf(ConnectionLostError);
    vi.advanceTimersByTime(100);
    FakeWS.last().handshake([]);
    expect(FakeWS.last().sent).toEqual([]);
  });

  it('times out a request that gets no ack on a live connection', async () => {
    const h = harness();
    const s = createSocket(h.opts);
    s.start();
    FakeWS.last().handshake([]);
    const p = s.request('answer', { decision: 'd', option: 'a' }, { id: 'c1', resend: true, timeoutMs: 1000 });
    const caught = p.catch((e: unknown) => e);
    vi.advanceTimersByTime(1000);
    expect(await caught).toBeInstanceOf(RequestTimeoutError);
    expect(s.pendingIds()).toEqual([]);
  });

  it('a retry with the same id replaces the pending request', async () => {
    const h = harness();
    const s = createSocket(h.opts);
    s.start();
    FakeWS.last().handshake([]);
    const first = s.request('answer', { decision: 'd', option: 'a' }, { id: 'c1', resend: true });
    const second = s.request('answer', { decision: 'd', option: 'a' }, { id: 'c1', resend: true });
    await expect(first).rejects.toBeInstanceOf(ConnectionLostError);
    expect(s.pendingIds()).toEqual(['c1']);
    FakeWS.last().frame({ type: 'ack', id: 'c1', seq: 3 });
    await expect(second).resolves.toMatchObject({ seq: 3 });
  });

  it('close() stops for good and rejects what is pending', async () => {
    const h = harness();
    const s = createSocket(h.opts);
    s.start();
    const ws = FakeWS.last();
    ws.handshake([]);
    const p = s.request('answer', { decision: 'd', option: 'a' }, { resend: true });
    s.close();
    await expect(p).rejects.toBeInstanceOf(ConnectionLostError);
    expect(ws.closedByClient).toBe(1000);
    expect(h.statuses.at(-1)).toBe('closed');
    vi.advanceTimersByTime(60_000);
    expect(FakeWS.all).toHaveLength(1);
    await expect(s.request('note', { text: 'x' })).rejects.toBeInstanceOf(ConnectionLostError);
  });

  it('calls onReset when the server drops the client position', () => {
    let resets = 0;
    const h = harness({ onReset: () => resets++ });
    let pos = 50;
    h.opts.lastSeq = () => pos;
    h.opts.onReset = () => {
      resets++;
      pos = 0;
      h.got = [];
    };
    createSocket(h.opts).start();
    expect(afterOf(FakeWS.last())).toBe('50');
    FakeWS.last().handshake([1, 2], 2, true);
    expect(resets).toBe(1);
    expect(h.got).toEqual([1, 2]);
  });

  it('retries at once when the browser comes back online', () => {
    const target = new EventTarget();
    const h = harness({ window: target as unknown as Window });
    createSocket(h.opts).start();
    FakeWS.last().handshake([]);
    FakeWS.last().drop(1006);
    expect(FakeWS.all).toHaveLength(1);
    target.dispatchEvent(new Event('online'));
    expect(FakeWS.all).toHaveLength(2);
  });
});

describe('cancel', () => {
  it('drops a queued request so it is never sent', async () => {
    const h = harness();
    const s = createSocket(h.opts);
    s.start();
    const p = s.request('answer', { decision: 'd', option: 'a' }, { id: 'old', resend: true });
    s.cancel('old');
    await expect(p).rejects.toBeInstanceOf(ConnectionLostError);
    FakeWS.last().handshake([]);
    expect(FakeWS.last().sent).toEqual([]);
  });
});

describe('replay flag', () => {
  it('marks the backlog as not live and later events as live', () => {
    const seen: [number, boolean][] = [];
    const h = harness({ onEvent: (f, live) => seen.push([f.seq, live]) });
    createSocket(h.opts).start();
    FakeWS.last().handshake([1, 2]);
    FakeWS.last().frame(ev(3));
    expect(seen).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
  });
});

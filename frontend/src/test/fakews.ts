// A scriptable stand-in for the browser WebSocket, for socket and page
// tests: every instance is recorded; the test plays the server.

import type { WebSocketLike } from '../lib/socket';

const ev = (seq: number) => ({ type: 'event', seq, kind: 'inject_delivered', at: seq, payload: {} });

/** A scriptable stand-in for the browser WebSocket. */
export class FakeWS implements WebSocketLike {
  static all: FakeWS[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closedByClient: number | null = null;
  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeWS.all.push(this);
  }
  static last(): FakeWS {
    return FakeWS.all[FakeWS.all.length - 1];
  }
  send(data: string) {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(data);
  }
  close(code = 1000) {
    this.closedByClient = code;
    this.readyState = 3;
  }
  // Server side.
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  frame(f: object) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  /** hello, backlog events, live. */
  handshake(events: number[] = [], lastSeq?: number, reset = false) {
    this.open();
    this.frame({ type: 'hello', after: 0, reset, server_time: '2025-01-01T00:00:00Z' });
    for (const seq of events) this.frame(ev(seq));
    this.frame({ type: 'live', last_seq: lastSeq ?? events[events.length - 1] ?? 0 });
  }
  drop(code = 1006, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  sentMessages(): Record<string, unknown>[] {
    return this.sent.map((s) => JSON.parse(s) as Record<string, unknown>);
  }
}


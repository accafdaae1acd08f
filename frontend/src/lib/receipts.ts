// Inject receipts from a participant's page (issue #18): `received` once per
// inject when its frame arrives, `opened` once when its card has been on
// screen. The server logs each (participant, inject, kind) at most once; the
// page also remembers what it reported (sessionStorage), so a reload does not
// report again, and it paces its reports one at a time, so that a long
// backlog never spends the identity's whole message budget at once (the
// server drops and, after many drops, closes a flooding connection).

import { RequestError } from './socket';

export interface ReceiptDeps {
  /** Send one receipt; resolves on the ack. */
  send: (seq: number, opened: boolean) => Promise<unknown>;
  storage?: Storage | null;
  /** Storage key (per exercise and participant). */
  key?: string;
  /** Pause between two reports. Default 250 ms. */
  gapMs?: number;
  /** Pause after a transient failure (rate limit, no connection). Default 3 s. */
  retryMs?: number;
  setTimeout?: (f: () => void, ms: number) => unknown;
}

export interface Receipts {
  received(seq: number): void;
  opened(seq: number): void;
  /** What has been reported (for tests): "seq:r" / "seq:o". */
  reported(): string[];
  stop(): void;
}

const TRANSIENT = new Set(['rate_limited', 'unavailable', 'timeout', 'overflow']);

export function createReceipts(d: ReceiptDeps): Receipts {
  const gap = d.gapMs ?? 250;
  const retry = d.retryMs ?? 3000;
  const later = d.setTimeout ?? ((f: () => void, ms: number) => setTimeout(f, ms));
  const done = new Set<string>();
  try {
    const raw = d.key ? d.storage?.getItem(d.key) : null;
    const v: unknown = raw ? JSON.parse(raw) : [];
    if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') done.add(x);
  } catch {
    /* start afresh */
  }
  const queue: { seq: number; opened: boolean }[] = [];
  const queued = new Set<string>();
  let busy = false;
  let stopped = false;

  const keyOf = (seq: number, opened: boolean) => `${seq}:${opened ? 'o' : 'r'}`;
  const save = () => {
    try {
      if (d.key) d.storage?.setItem(d.key, JSON.stringify([...done].slice(-2000)));
    } catch {
      /* remembered as long as the page */
    }
  };

  const pump = () => {
    if (busy || stopped || queue.length === 0) return;
    busy = true;
    const r = queue[0];
    const k = keyOf(r.seq, r.opened);
    const next = (ms: number) =>
      later(() => {
        busy = false;
        pump();
      }, ms);
    d.send(r.seq, r.opened).then(
      () => {
        queue.shift();
        queued.delete(k);
        done.add(k);
        save();
        next(gap);
      },
      (err: unknown) => {
        if (stopped) return;
        if (err instanceof RequestError && !TRANSIENT.has(err.code)) {
          // Refused for good (not this team's inject…): never again.
          queue.shift();
          queued.delete(k);
          done.add(k);
          save();
          next(gap);
        } else {
          next(retry);
        }
      },
    );
  };

  const add = (seq: number, opened: boolean) => {
    if (stopped || !Number.isSafeInteger(seq) || seq < 1) return;
    const k = keyOf(seq, opened);
    if (done.has(k) || queued.has(k)) return;
    queued.add(k);
    queue.push({ seq, opened });
    pump();
  };

  return {
    received: (seq) => add(seq, false),
    opened: (seq) => add(seq, true),
    reported: () => [...done],
    stop() {
      stopped = true;
    },
  };
}

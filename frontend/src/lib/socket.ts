// The live connection to an exercise: one WebSocket to /api/ws, resumed
// after the last event the page holds whenever it drops.
//
// Protocol (server/api/ws.go, protocol.go, server/hub/codes.go):
// - GET /api/ws?exercise=ID&after=SEQ with subprotocol "ttx.v1". A
//   participant or observer token rides as a second subprotocol
//   "ttx.token.<token>" (browsers cannot set headers on a handshake); a
//   facilitator is authenticated by the session cookie the browser sends.
// - Server frames: {"type":"hello", after, reset, server_time, ...} first,
//   then the backlog as {"type":"event", seq, kind, at, wall_time, payload},
//   then {"type":"live", last_seq}, then live events, acks
//   {"type":"ack", id, seq?, duplicate?, clock?}, errors
//   {"type":"error", id?, code, message} and presence frames (seq 0).
// - Client frames: {"type": ..., "id": <1-64 chars of [A-Za-z0-9._:-]>, ...}.
//   An answer's id is its idempotency key: the server acknowledges a repeated
//   id with the original ack (duplicate: true), so resending is safe.
// - Close codes 4500-4999, 1008 and 1000 are terminal: do not reconnect.
//   Anything else (1001 going away, 1006 vanished, 1009, 1011, 4000-4499)
//   means reconnect and resume.
//
// Usage:
//
//	const sock = createSocket({
//	  exercise: id, token,                      // token: omit for the facilitator cookie
//	  lastSeq: () => feed.lastSeq(),            // where to resume
//	  onEvent: (f, live) => (live ? feed.apply(f) : feed.load([f])),
//	  onStatus: (s) => (status = s),
//	});
//	sock.start();
//	const ack = await sock.request('answer', { decision, option }, { resend: true });
//	sock.close();

/** connecting: first attempt; live: caught up and streaming; reconnecting: lost, retrying; closed: stopped for good. */
export type SocketStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface StatusDetail {
  /** The close code that caused this status, if any. */
  code?: number;
  reason?: string;
  /** Consecutive failed attempts so far. */
  attempt?: number;
  /** Milliseconds until the next attempt (reconnecting only). */
  retryInMs?: number;
}

/** A server frame, as parsed JSON. */
export type ServerFrame = Record<string, unknown> & { type?: unknown };

/** An event frame: {"type":"event","seq":N,"kind":...,"payload":{...}}. */
export type EventFrame = ServerFrame & { type: 'event'; seq: number };

/** What the server acknowledged. */
export interface Ack {
  id: string;
  /** The event recorded for an answer or a note. */
  seq?: number;
  /** The id had been recorded before: this is the original ack. */
  duplicate?: boolean;
  /** skip: the new exercise clock (ns). */
  clock?: number;
  /** draft: the draft's id and its new version. */
  draft?: string;
  version?: number;
}

/** The server refused a request (an error frame with its id). */
export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly id: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** No ack within the time allowed on a live connection. The request may still have been applied. */
export class RequestTimeoutError extends Error {
  constructor(readonly id: string) {
    super('The server did not confirm in time.');
    this.name = 'RequestTimeoutError';
  }
}

/**
 * The connection dropped before the ack (for a request that is not resent)
 * or the socket was closed for good. The request may or may not have been applied.
 */
export class ConnectionLostError extends Error {
  constructor(
    readonly id: string,
    message = 'The connection dropped before the server confirmed.',
  ) {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

export interface RequestOptions {
  /** Client id; default crypto.randomUUID(). Reuse it to retry the same request safely. */
  id?: string;
  /**
   * Keep the request across reconnects and send it again (same id) on every
   * new connection until it is acknowledged or refused. Only for idempotent
   * messages (answers). Default false: a drop rejects with ConnectionLostError.
   */
  resend?: boolean;
  /** Milliseconds to wait for the ack once sent on a live connection. Default 15000. */
  timeoutMs?: number;
}

/** The parts of the browser WebSocket the client uses (a test passes a fake). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketCtor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface BackoffOptions {
  /** First retry delay, ms. Default 500. */
  initialMs?: number;
  /** Longest delay, ms. Default 30000. */
  maxMs?: number;
  /** Growth per failed attempt. Default 2. */
  factor?: number;
  /** Share of the delay that is random, 0..1. Default 0.5. */
  jitter?: number;
}

export interface SocketOptions {
  exercise: string;
  /** Participant or observer token; omit to rely on the facilitator's cookie. */
  token?: string;
  /** The last event seq the page holds; sent as after= on every (re)connect. */
  lastSeq: () => number;
  /**
   * Each event frame whose seq is above everything seen before, in order.
   * live is false for the backlog replayed after a (re)connect (before the
   * server's "live" frame): show it, but do not announce it as new.
   */
  onEvent: (frame: EventFrame, live: boolean) => void;
  /** Every other frame (hello, live, presence, error without id...). */
  onFrame?: (frame: ServerFrame) => void;
  onStatus?: (status: SocketStatus, detail: StatusDetail) => void;
  /**
   * The server says the page's position is beyond its log (hello.reset):
   * drop what the page holds; a full replay follows.
   */
  onReset?: () => void;
  /**
   * Asked after a connection failed without ever opening (the server refuses
   * bad tokens before the upgrade, which a browser reports as a bare 1006).
   * Resolve false when the credential is no longer valid: the socket then
   * stops with status closed and code 4401.
   */
  checkAuth?: () => Promise<boolean>;
  backoff?: BackoffOptions;
  /** Default 15000. */
  requestTimeoutMs?: number;
  /** Path of the endpoint. Default /api/ws. */
  path?: string;
  /** Defaults to the page's location. */
  base?: { protocol: string; host: string };
  WebSocket?: WebSocketCtor;
  random?: () => number;
  newId?: () => string;
  /** Window whose "online" event triggers an immediate retry. */
  window?: Pick<Window, 'addEventListener' | 'removeEventListener'>;
}

export interface LiveSocket {
  /** Open the connection (once). */
  start(): void;
  /**
   * Send a message and wait for its ack. While the socket is not live the
   * message waits and goes out as soon as the stream is live again.
   */
  request(type: string, body?: Record<string, unknown>, opts?: RequestOptions): Promise<Ack>;
  /**
   * Forget a request that has not been acknowledged: it is not (re)sent any
   * more and its promise rejects with ConnectionLostError. If it already went
   * out, the server may still apply it.
   */
  cancel(id: string): void;
  /** Close for good: no reconnect; pending requests reject with ConnectionLostError. */
  close(): void;
  /** Retry now instead of waiting for the backoff (e.g. a "Retry" button). */
  retryNow(): void;
  status(): SocketStatus;
  /** Requests not acknowledged yet. */
  pendingIds(): string[];
}

/** The subprotocol of this API. */
export const SUBPROTOCOL = 'ttx.v1';
const TOKEN_PROTOCOL = 'ttx.token.';
/** Close code the client reports when checkAuth says the credential is gone. */
export const CLOSE_UNAUTHORIZED = 4401;
const OPEN = 1;

/** Whether a close code means "stop", per server/hub/codes.go. */
export function isTerminalClose(code: number): boolean {
  return code === 1008 || (code >= 4500 && code <= 4999);
}

/** Delay before reconnect attempt n (0-based): exponential, capped, with jitter. */
export function backoffDelay(attempt: number, o: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = o.initialMs ?? 500;
  const max = o.maxMs ?? 30_000;
  const factor = o.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, o.jitter ?? 0.5));
  const base = Math.min(max, initial * Math.pow(factor, Math.max(0, attempt)));
  // "Equal jitter": part fixed, part random, so a room full of phones that
  // lost the same Wi-Fi does not come back in one burst.
  return Math.round(base * (1 - jitter) + base * jitter * random());
}

/** The WebSocket URL for an exercise. */
export function socketURL(base: { protocol: string; host: string }, path: string, exercise: string, after: number): string {
  const scheme = base.protocol === 'https:' ? 'wss:' : 'ws:';
  const q = new URLSearchParams({ exercise, after: String(Math.max(0, Math.floor(after))) });
  return `${scheme}//${base.host}${path}?${q.toString()}`;
}

function defaultId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // Old browsers: 128 random bits as hex.
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

interface Pending {
  id: string;
  data: string;
  resend: boolean;
  timeoutMs: number;
  /** Sent on the current connection. */
  sent: boolean;
  timer: ReturnType<typeof setTimeout> | null;
  resolve(a: Ack): void;
  reject(e: Error): void;
}

function asNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Create a live socket. Nothing happens until start(). */
export function createSocket(opts: SocketOptions): LiveSocket {
  const WS: WebSocketCtor | undefined = opts.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketCtor | undefined);
  const random = opts.random ?? Math.random;
  const newId = opts.newId ?? defaultId;
  const path = opts.path ?? '/api/ws';
  const requestTimeout = opts.requestTimeoutMs ?? 15_000;

  let status: SocketStatus = 'connecting';
  let ws: WebSocketLike | null = null;
  let live = false;
  let started = false;
  let stopped = false;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Highest seq seen, including a live frame's last_seq (events this role may not see). */
  let last = 0;
  const pending = new Map<string, Pending>();

  const setStatus = (s: SocketStatus, detail: StatusDetail = {}) => {
    status = s;
    opts.onStatus?.(s, detail);
  };

  const position = () => Math.max(last, opts.lastSeq() || 0);

  const clearTimer = (p: Pending) => {
    if (p.timer !== null) clearTimeout(p.timer);
    p.timer = null;
  };

  const transmit = (p: Pending) => {
    if (!ws || !live || ws.readyState !== OPEN) return;
    try {
      ws.send(p.data);
    } catch {
      return; // the close handler deals with it
    }
    p.sent = true;
    clearTimer(p);
    p.timer = setTimeout(() => {
      pending.delete(p.id);
      p.reject(new RequestTimeoutError(p.id));
    }, p.timeoutMs);
  };

  const settle = (id: string, fn: (p: Pending) => void) => {
    const p = pending.get(id);
    if (!p) return false;
    pending.delete(id);
    clearTimer(p);
    fn(p);
    return true;
  };

  /**
   * After a drop (all=false): a request that went out without an ack is
   * rejected unless it may be resent; the rest wait for the next connection.
   * On close (all=true): everything is rejected.
   */
  const failUnsent = (reason: (p: Pending) => Error, all: boolean) => {
    for (const p of [...pending.values()]) {
      clearTimer(p);
      if (all || (p.sent && !p.resend)) {
        pending.delete(p.id);
        p.reject(reason(p));
      } else {
        p.sent = false;
      }
    }
  };

  const onMessage = (data: unknown) => {
    if (typeof data !== 'string') return;
    let f: unknown;
    try {
      f = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof f !== 'object' || f === null || Array.isArray(f)) return;
    const frame = f as ServerFrame;
    switch (frame.type) {
      case 'event': {
        const seq = frame.seq;
        if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return;
        // Replay-safe: a reconnect or an overlap never delivers an event twice.
        if (seq <= position()) return;
        last = seq;
        opts.onEvent(frame as EventFrame, live);
        return;
      }
      case 'hello':
        if (frame.reset === true) {
          last = 0;
          opts.onReset?.();
        }
        break;
      case 'live': {
        const ls = asNumber(frame.last_seq);
        if (ls !== undefined && ls > last) last = ls;
        live = true;
        attempt = 0;
        setStatus('live');
        for (const p of pending.values()) if (!p.sent) transmit(p);
        break;
      }
      case 'ack': {
        const id = typeof frame.id === 'string' ? frame.id : '';
        const ack: Ack = { id };
        const seq = asNumber(frame.seq);
        if (seq !== undefined) ack.seq = seq;
        if (frame.duplicate === true) ack.duplicate = true;
        const clock = asNumber(frame.clock);
        if (clock !== undefined) ack.clock = clock;
        if (typeof frame.draft === 'string') ack.draft = frame.draft;
        const version = asNumber(frame.version);
        if (version !== undefined) ack.version = version;
        if (settle(id, (p) => p.resolve(ack))) return;
        break;
      }
      case 'error': {
        const id = typeof frame.id === 'string' ? frame.id : '';
        const code = typeof frame.code === 'string' ? frame.code : 'error';
        const message = typeof frame.message === 'string' ? frame.message : 'The server refused the request.';
        if (id && settle(id, (p) => p.reject(new RequestError(code, message, id)))) return;
        break;
      }
    }
    opts.onFrame?.(frame);
  };

  const stop = (detail: StatusDetail) => {
    stopped = true;
    live = false;
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
    opts.window?.removeEventListener('online', onOnline);
    const sock = ws;
    ws = null;
    if (sock) {
      sock.onopen = sock.onmessage = sock.onclose = sock.onerror = null;
      try {
        sock.close(1000, 'client closed');
      } catch {
        /* already closed */
      }
    }
    failUnsent((p) => new ConnectionLostError(p.id, 'The connection is closed.'), true);
    setStatus('closed', detail);
  };

  const scheduleRetry = (detail: StatusDetail) => {
    const delay = backoffDelay(attempt, opts.backoff, random);
    attempt++;
    setStatus('reconnecting', { ...detail, attempt, retryInMs: delay });
    retryTimer = setTimeout(() => {
      retryTimer = null;
      open();
    }, delay);
  };

  const onClosed = (code: number, reason: string, opened: boolean) => {
    ws = null;
    live = false;
    failUnsent((p) => new ConnectionLostError(p.id), false);
    if (stopped) return;
    // 1000 is never sent by the server itself (docs/protocol.md: "stop").
    if (isTerminalClose(code) || code === 1000) {
      stop({ code, reason });
      return;
    }
    if (!opened && opts.checkAuth) {
      // Refused before the upgrade? Ask once over HTTP, which shows the status.
      const check = opts.checkAuth;
      setStatus('reconnecting', { code, reason, attempt });
      check().then(
        (ok) => {
          if (stopped || ws || retryTimer !== null) return;
          if (ok) scheduleRetry({ code, reason });
          else stop({ code: CLOSE_UNAUTHORIZED, reason: 'not authorised' });
        },
        () => {
          if (!stopped && !ws && retryTimer === null) scheduleRetry({ code, reason });
        },
      );
      return;
    }
    scheduleRetry({ code, reason });
  };

  const open = () => {
    if (stopped || ws) return;
    if (!WS) {
      stop({ reason: 'WebSocket is not available' });
      return;
    }
    const base = opts.base ?? globalThis.location;
    const url = socketURL(base, path, opts.exercise, position());
    const protocols = opts.token ? [SUBPROTOCOL, TOKEN_PROTOCOL + opts.token] : [SUBPROTOCOL];
    let sock: WebSocketLike;
    try {
      sock = new WS(url, protocols);
    } catch {
      scheduleRetry({});
      return;
    }
    ws = sock;
    let opened = false;
    sock.onopen = () => {
      opened = true;
    };
    sock.onmessage = (ev) => {
      if (ws === sock) onMessage(ev.data);
    };
    sock.onerror = () => undefined; // the close event follows and carries the code
    sock.onclose = (ev) => {
      if (ws === sock) onClosed(ev.code, ev.reason, opened);
    };
  };

  function onOnline() {
    if (!stopped && !ws && retryTimer !== null) {
      clearTimeout(retryTimer);
      retryTimer = null;
      open();
    }
  }

  return {
    start() {
      if (started) return;
      started = true;
      opts.window?.addEventListener('online', onOnline);
      setStatus('connecting');
      open();
    },
    request(type, body = {}, ro = {}) {
      const id = ro.id ?? newId();
      if (stopped) return Promise.reject(new ConnectionLostError(id, 'The connection is closed.'));
      const prev = pending.get(id);
      if (prev) {
        // The same request again (a user pressing retry): one pending entry.
        clearTimer(prev);
        pending.delete(id);
        prev.reject(new ConnectionLostError(id, 'Superseded by a retry.'));
      }
      const data = JSON.stringify({ ...body, type, id });
      return new Promise<Ack>((resolve, reject) => {
        const p: Pending = {
          id,
          data,
          resend: ro.resend === true,
          timeoutMs: ro.timeoutMs ?? requestTimeout,
          sent: false,
          timer: null,
          resolve,
          reject,
        };
        pending.set(id, p);
        transmit(p);
      });
    },
    cancel(id) {
      settle(id, (p) => p.reject(new ConnectionLostError(id, 'Cancelled.')));
    },
    close() {
      if (!stopped) stop({ code: 1000, reason: 'closed' });
    },
    retryNow() {
      onOnline();
    },
    status: () => status,
    pendingIds: () => [...pending.keys()],
  };
}

// A stubbed fetch and WebSocket for page tests that mount the real App with
// the real HTTP client: the test lists the routes it answers and plays the
// server over the socket.
import { vi } from 'vitest';

export type Handler = (body: string | null, url: string) => [number, unknown];

export class FakeSocket {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  sent: string[] = [];
  constructor(
    readonly server: FakeServer,
    readonly url: string,
    readonly protocols?: string | string[],
  ) {}
  send(d: string) {
    this.sent.push(d);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  frame(f: unknown) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
}

export interface FakeServer {
  routes: Record<string, Handler>;
  calls: { method: string; url: string; body: string | null }[];
  sockets: FakeSocket[];
}

/** Installs the stubs; vi.unstubAllGlobals() removes them. */
export function fakeServer(): FakeServer {
  const srv: FakeServer = { routes: {}, calls: [], sockets: [] };
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const body = typeof init.body === 'string' ? init.body : null;
    srv.calls.push({ method, url, body });
    const h = srv.routes[`${method} ${url.split('?')[0]}`];
    const [status, out] = h ? h(body, url) : [404, { error: { code: 'not_found', message: 'not found' } }];
    return new Response(status === 204 ? null : JSON.stringify(out), { status, headers: { 'Content-Type': 'application/json' } });
  });
  vi.stubGlobal(
    'WebSocket',
    class extends FakeSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(srv, url, protocols);
        srv.sockets.push(this);
      }
    },
  );
  return srv;
}

/** A log event frame as the server sends it. */
export function eventFrame(seq: number, kind: string, atMin: number, payload: Record<string, unknown>, audience: string[] = []) {
  return { type: 'event', seq, kind, at: atMin * 60e9, wall_time: '2026-11-23T10:00:00Z', payload, audience };
}

// The one request layer of the browser UI. The participant and observer API
// (api.ts), the facilitator API (facilitator.ts) and the staff reads
// (world-staff.ts) all send their requests through `createRequester`: it
// sets the headers, the credentials and `cache: 'no-store'`, and turns every
// failure into one error type, ApiError:
//
//   - the server's refusal {"error": {"code", "message", "details"}}
//     (docs/protocol.md) keeps its status, code, message and details;
//   - 429 carries the seconds of Retry-After in retryAfter;
//   - a network failure is status 0, code "network";
//   - a body that is not JSON (a proxy's HTML page, a cut answer) is
//     code "bad_response" on success, or "http_<status>" on a refusal.

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Obj, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');

/** A refusal from the server, a network failure (status 0) or an answer that cannot be read. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The `details` of the error body (positioned scenario problems, the parameter at fault…), or null. */
  readonly details: unknown;
  /** Seconds to wait before trying again (Retry-After of a 429), or null. */
  readonly retryAfter: number | null;
  constructor(status: number, code: string, message: string, extra: { details?: unknown; retryAfter?: number | null } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = extra.details ?? null;
    this.retryAfter = extra.retryAfter ?? null;
  }
}

export const NETWORK_MESSAGE = 'Cannot reach the server. Check your connection and try again.';

/** What a refusal reads as, given the server's own words (which may be empty). */
export interface Refusal {
  status: number;
  code: string;
  message: string;
  retryAfter: number | null;
}

/** The default wording: the server's words, with advice for 429 and 5xx. */
export function defaultMessage(r: Refusal): string {
  if (r.status === 429 || r.code === 'rate_limited') {
    return `Too many requests. Wait ${r.retryAfter ? `${r.retryAfter} seconds` : 'a minute'} and try again.`;
  }
  if (r.status >= 500) return 'The server is having trouble. Try again in a moment.';
  return r.message || `The server refused the request (${r.status}).`;
}

/** Seconds of a Retry-After header given in seconds; null otherwise. */
export function retryAfterOf(h: string | null): number | null {
  if (h === null || h.trim() === '') return null;
  const n = Number(h);
  return Number.isFinite(n) && n > 0 ? Math.ceil(n) : null;
}

export interface RequestOptions {
  /** A string goes as it is (with contentType); anything else as JSON. */
  body?: unknown;
  /** The Content-Type of a string body; JSON by default. */
  contentType?: string;
  /** A bearer token (participants, observers); staff use the session cookie. */
  token?: string;
}

/** Sends one request; resolves with the parsed JSON body (null for 204 or an empty body). */
export type Requester = (method: string, path: string, o?: RequestOptions) => Promise<unknown>;

export interface RequesterOptions {
  /** window.fetch by default. */
  fetch?: Fetch;
  /** A prefix of every path ('' for this origin). */
  base?: string;
  /** The message people see for a refusal; defaultMessage unless given. */
  message?: (r: Refusal) => string;
}

/** The browser's fetch, or a clear failure where there is none. */
export const browserFetch: Fetch = (input, init) =>
  typeof fetch === 'function' ? fetch(input, init) : Promise.reject(new TypeError('This browser cannot reach the server.'));

export function createRequester(o: RequesterOptions = {}): Requester {
  const doFetch = o.fetch ?? browserFetch;
  const base = o.base ?? '';
  const describe = o.message ?? defaultMessage;
  return async (method, path, ro = {}) => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (ro.body !== undefined) {
      const raw = typeof ro.body === 'string' && ro.contentType !== undefined;
      init.body = raw ? (ro.body as string) : JSON.stringify(ro.body);
      headers['Content-Type'] = raw ? (ro.contentType as string) : 'application/json';
    }
    if (ro.token) headers['Authorization'] = `Bearer ${ro.token}`;
    let res: Response;
    let text: string;
    try {
      res = await doFetch(base + path, init);
      text = res.status === 204 ? '' : await res.text();
    } catch {
      throw new ApiError(0, 'network', NETWORK_MESSAGE);
    }
    let data: unknown = null;
    let parsed = true;
    if (text.trim() !== '') {
      try {
        data = JSON.parse(text);
      } catch {
        parsed = false;
      }
    }
    if (!res.ok) {
      const e = isObj(data) && isObj(data['error']) ? (data['error'] as Obj) : {};
      const code = str(e, 'code') || `http_${res.status}`;
      const retryAfter = retryAfterOf(res.headers.get('Retry-After'));
      const message = describe({ status: res.status, code, message: str(e, 'message'), retryAfter });
      throw new ApiError(res.status, code, message, { details: e['details'] ?? null, retryAfter });
    }
    if (!parsed) throw new ApiError(res.status, 'bad_response', 'The server sent an answer this page cannot read. Reload the page and try again.');
    return data;
  };
}

import { describe, expect, it } from 'vitest';
import { ApiError, createRequester, retryAfterOf, type Fetch } from './http';
import { createFacilitatorApi } from './facilitator';
import { httpApi } from './api';
import { fetchCanned } from './world-staff';

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that answers every request with one response, and records the calls. */
function answer(status: number, body: string | null, headers: Record<string, string> = {}) {
  const calls: Call[] = [];
  const fn: Fetch = async (url, init = {}) => {
    calls.push({ url, init });
    return new Response(body, { status, headers });
  };
  return { fn, calls };
}

const json = (v: unknown) => JSON.stringify(v);
const caught = async (p: Promise<unknown>): Promise<ApiError> => {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
};

describe('the request layer', () => {
  it('sends same-origin, uncached JSON with the bearer token when given', async () => {
    const f = answer(200, json({ ok: true }), { 'Content-Type': 'application/json' });
    const req = createRequester({ fetch: f.fn, base: '/b' });
    expect(await req('POST', '/api/x', { body: { a: 1 }, token: 'p.t' })).toEqual({ ok: true });
    const { url, init } = f.calls[0];
    expect(url).toBe('/b/api/x');
    expect([init.method, init.credentials, init.cache]).toEqual(['POST', 'same-origin', 'no-store']);
    expect(init.headers).toEqual({ Accept: 'application/json', 'Content-Type': 'application/json', Authorization: 'Bearer p.t' });
    expect(init.body).toBe('{"a":1}');
    await req('POST', '/api/y', { body: 'id: s', contentType: 'application/yaml' });
    expect(f.calls[1].init.body).toBe('id: s');
    expect((f.calls[1].init.headers as Record<string, string>)['Content-Type']).toBe('application/yaml');
    expect((f.calls[1].init.headers as Record<string, string>).Authorization).toBeUndefined();
  });

  it('reads the one error shape of the protocol: status, code, message, details', async () => {
    const details = [{ file: 'a.yaml', line: 2, col: 1, message: 'm' }];
    const f = answer(422, json({ error: { code: 'invalid_scenario', message: 'the scenario has errors', details } }));
    const e = await caught(createRequester({ fetch: f.fn })('POST', '/api/scenarios/validate', { body: 'x', contentType: 'application/yaml' }));
    expect([e.status, e.code, e.message, e.details, e.retryAfter]).toEqual([422, 'invalid_scenario', 'the scenario has errors', details, null]);
  });

  it('turns a network failure into status 0, code network', async () => {
    const down: Fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    const e = await caught(createRequester({ fetch: down })('GET', '/api/me'));
    expect([e.status, e.code]).toEqual([0, 'network']);
    expect(e.message).toMatch(/Cannot reach the server/);
  });

  it('reads Retry-After of a 429 and says how long to wait', async () => {
    const f = answer(429, json({ error: { code: 'rate_limited', message: 'slow down' } }), { 'Retry-After': '17' });
    const e = await caught(createRequester({ fetch: f.fn })('POST', '/api/auth/login', { body: {} }));
    expect([e.status, e.code, e.retryAfter]).toEqual([429, 'rate_limited', 17]);
    expect(e.message).toBe('Too many requests. Wait 17 seconds and try again.');
    // A 429 without a body or header still reads as one.
    const bare = await caught(createRequester({ fetch: answer(429, '').fn })('GET', '/api/me'));
    expect([bare.code, bare.retryAfter, bare.message]).toEqual(['http_429', null, 'Too many requests. Wait a minute and try again.']);
  });

  it('reads Retry-After in seconds only', () => {
    expect([retryAfterOf('42'), retryAfterOf('1.2'), retryAfterOf('0'), retryAfterOf(''), retryAfterOf(null), retryAfterOf('Wed, 21 Oct 2026 07:28:00 GMT')]).toEqual([
      42,
      2,
      null,
      null,
      null,
      null,
    ]);
  });

  it('handles bodies that are not JSON: a proxy error page, a cut answer, 204', async () => {
    const proxy = await caught(createRequester({ fetch: answer(502, '<html>Bad gateway</html>', { 'Content-Type': 'text/html' }).fn })('GET', '/api/me'));
    expect([proxy.status, proxy.code, proxy.details]).toEqual([502, 'http_502', null]);
    expect(proxy.message).toBe('The server is having trouble. Try again in a moment.');
    const refusal = await caught(createRequester({ fetch: answer(403, 'forbidden').fn })('GET', '/api/me'));
    expect([refusal.code, refusal.message]).toEqual(['http_403', 'The server refused the request (403).']);
    const cut = await caught(createRequester({ fetch: answer(200, '{"exercises": [').fn })('GET', '/api/exercises'));
    expect([cut.status, cut.code]).toEqual([200, 'bad_response']);
    expect(await createRequester({ fetch: answer(204, null).fn })('DELETE', '/api/x')).toBeNull();
    expect(await createRequester({ fetch: answer(200, '').fn })('POST', '/api/x')).toBeNull();
  });

  it('lets a client word refusals its own way, keeping the rest', async () => {
    const f = answer(404, json({ error: { code: 'bad_code', message: 'no exercise' } }));
    const e = await caught(createRequester({ fetch: f.fn, message: (r) => `${r.code}/${r.status}/${r.message}` })('GET', '/api/x'));
    expect([e.status, e.code, e.message]).toEqual([404, 'bad_code', 'bad_code/404/no exercise']);
  });
});

describe('every client goes through it', () => {
  // The same failures give the same ApiError from the participant, the
  // facilitator and the staff-read clients.
  const cases: { name: string; status: number; body: string | null; headers?: Record<string, string>; want: Partial<ApiError> }[] = [
    { name: '429 with Retry-After', status: 429, body: json({ error: { code: 'rate_limited', message: 'x' } }), headers: { 'Retry-After': '9' }, want: { status: 429, code: 'rate_limited', retryAfter: 9 } },
    { name: 'a proxy page', status: 503, body: '<html></html>', want: { status: 503, code: 'http_503', retryAfter: null } },
    { name: 'a refusal', status: 404, body: json({ error: { code: 'not_found', message: 'no such exercise' } }), want: { status: 404, code: 'not_found' } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const f = answer(c.status, c.body, c.headers);
      const fac = await caught(createFacilitatorApi(f.fn).exercises());
      const part = await caught(httpApi({ fetch: f.fn }).playInfo({ role: 'participant', token: 't', exercise: 'e', title: '', participant: '', name: '', team: '', lead: false }));
      const staff = await caught(fetchCanned('e', 'soc', 'th', f.fn));
      for (const e of [fac, part, staff]) expect(e).toMatchObject(c.want);
      for (const call of f.calls) expect([call.init.credentials, call.init.cache]).toEqual(['same-origin', 'no-store']);
    });
  }

  it('reports a network failure the same way', async () => {
    const down: Fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    const errs = [await caught(createFacilitatorApi(down).me()), await caught(httpApi({ fetch: down }).lookupCode('X')), await caught(fetchCanned('e', 's', 't', down))];
    for (const e of errs) expect([e.status, e.code]).toEqual([0, 'network']);
  });
});

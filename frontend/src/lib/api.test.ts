import { describe, expect, it, vi } from 'vitest';
import { answerBody, ApiError, httpApi } from './api';

class MemStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
}

const TOKEN = 'p.' + 'x'.repeat(43);

function reply(status: number, body: unknown, headers: Record<string, string> = {}) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } }));
}

describe('httpApi', () => {
  it('looks up a code and joins, storing the session for the next page load', async () => {
    const calls: [string, RequestInit | undefined][] = [];
    const fetch = vi.fn((url: RequestInfo | URL, init?: RequestInit) => {
      calls.push([String(url), init]);
      if (String(url) === '/api/join/lookup') {
        return reply(200, { exercise_id: 'ex1', title: 'T', status: 'lobby', teams: [{ id: 'soc', name: 'SOC' }] });
      }
      return reply(201, {
        token: TOKEN,
        participant: { role: 'participant', name: 'Alice', exercise_id: 'ex1', team: 'soc', id: 'p1', lead: true },
        exercise: { exercise_id: 'ex1', title: 'T', status: 'lobby', teams: [] },
      });
    });
    const storage = new MemStorage();
    const api = httpApi({ fetch, storage: storage as unknown as Storage });
    expect(await api.lookupCode('MQCKSVU2')).toEqual({ id: 'ex1', title: 'T', status: 'lobby', teams: [{ id: 'soc', name: 'SOC' }] });
    const s = await api.join({ code: 'MQCKSVU2', name: 'Alice', team: 'soc' });
    expect(s).toEqual({ role: 'participant', token: TOKEN, exercise: 'ex1', title: 'T', participant: 'p1', name: 'Alice', team: 'soc', lead: true });
    expect(JSON.parse(String(calls[1][1]?.body))).toEqual({ code: 'MQCKSVU2', name: 'Alice', team: 'soc' });
    // A new page load finds the session again.
    expect(httpApi({ fetch, storage: storage as unknown as Storage }).participant()).toEqual(s);
    api.forgetParticipant();
    expect(httpApi({ fetch, storage: storage as unknown as Storage }).participant()).toBeNull();
  });

  it('turns error bodies into readable errors with retry advice', async () => {
    const api = httpApi({
      fetch: () => reply(429, { error: { code: 'rate_limited', message: 'too many failed attempts' } }, { 'Retry-After': '42' }),
    });
    const err = (await api.lookupCode('X').catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect([err.status, err.code, err.retryAfter]).toEqual([429, 'rate_limited', 42]);
    expect(err.message).toBe('Too many attempts from this network. Wait 42 seconds and try again.');

    const bad = httpApi({ fetch: () => reply(404, { error: { code: 'bad_code', message: 'no exercise is open with this code' } }) });
    await expect(bad.lookupCode('X')).rejects.toThrow('No exercise is open with this code');
    const down = httpApi({ fetch: () => Promise.reject(new TypeError('Failed to fetch')) });
    await expect(down.lookupCode('X')).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('sends answers with the bearer token and the client id', async () => {
    const fetch = vi.fn((_u: RequestInfo | URL, _i?: RequestInit) => reply(200, { client_id: 'c1', seq: 7, duplicate: true }));
    const api = httpApi({ fetch });
    const sess = { role: 'participant', token: TOKEN, exercise: 'ex 1', title: '', participant: 'p', name: '', team: '', lead: false } as const;
    const ack = await api.answerRest(sess, { decision: 'd', option: 'a', text: ' ', confidence: null, rationale: '' }, 'c1');
    expect(ack).toEqual({ id: 'c1', seq: 7, duplicate: true });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/api/exercises/ex%201/answers');
    expect((init?.headers as Record<string, string>).Authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(String(init?.body))).toEqual({ decision: 'd', option: 'a', client_id: 'c1' });
  });

  it('checks observer tokens before keeping them', async () => {
    const ot = 'o.' + 'y'.repeat(43);
    const api = httpApi({ fetch: () => reply(200, { role: 'observer', name: 'Olga', exercise_id: 'ex1', id: 'ob1' }) });
    await expect(api.useObserverToken('junk')).rejects.toThrow('not an observer link');
    expect(await api.useObserverToken(` ${ot} `)).toEqual({ role: 'observer', token: ot, exercise: 'ex1', observer: 'ob1', name: 'Olga' });
  });

  it('reads snapshot teams whichever way they are spelled', async () => {
    const ot = 'o.' + 'y'.repeat(43);
    const api = httpApi({
      fetch: () =>
        reply(200, {
          exercise: { id: 'ex1', title: 'T', status: 'running' },
          snapshot: { clock: 5, speed: 2, teams: [{ ID: 'soc', Name: 'SOC' }, { id: 'comms', name: 'Comms' }], participants: [{ id: 'p1', name: 'A', team: 'soc', lead: true }] },
        }),
    });
    const info = await api.observeInfo({ role: 'observer', token: ot, exercise: 'ex1', observer: 'o', name: 'O' });
    expect(info.teams).toEqual([{ id: 'soc', name: 'SOC' }, { id: 'comms', name: 'Comms' }]);
    expect(info.participants).toEqual([{ id: 'p1', name: 'A', team: 'soc', lead: true }]);
    expect([info.clockNs, info.speed]).toEqual([5, 2]);
  });

  it("reads a participant's view with the server's clock reading", async () => {
    const sess = { role: 'participant', token: TOKEN, exercise: 'ex1', title: '', participant: 'p1', name: 'A', team: 'soc', lead: false } as const;
    const body = {
      exercise: { id: 'ex1', title: 'T', status: 'running' },
      me: { id: 'p1', name: 'A', team: 'soc', lead: true },
      team: { id: 'soc', name: 'SOC', brief: 'b' },
      teams: [{ id: 'soc', name: 'SOC' }],
      clock: { at: 90_000_000_000, speed: 1.5, status: 'running', server_time: '2026-03-01T09:00:00.123456789Z' },
    };
    const info = await httpApi({ fetch: () => reply(200, body) }).playInfo(sess);
    expect(info.clock).toEqual({ atNs: 90e9, speed: 1.5, status: 'running', serverTime: '2026-03-01T09:00:00.123456789Z' });
    expect(info.me).toEqual({ id: 'p1', name: 'A', team: 'soc', lead: true });
    // An older server without the reading: the clock then comes from the events.
    const { clock: _c, ...old } = body;
    expect((await httpApi({ fetch: () => reply(200, old) }).playInfo(sess)).clock).toBeNull();
    expect((await httpApi({ fetch: () => reply(200, { ...body, clock: { at: 5 } }) }).playInfo(sess)).clock).toBeNull();
  });

  it('leaves optional answer fields out', () => {
    expect(answerBody({ decision: 'd', option: '', text: ' hi ', confidence: 0, rationale: '' })).toEqual({ decision: 'd', text: 'hi' });
    expect(answerBody({ decision: 'd', option: 'a', text: '', confidence: 4, rationale: 'r' })).toEqual({ decision: 'd', option: 'a', confidence: 4, rationale: 'r' });
  });
});

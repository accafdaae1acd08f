import { describe, expect, it } from 'vitest';
import { httpApi } from './api';

const reply = (body: unknown) => Promise.resolve(new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } }));

describe('observeInfo', () => {
  it('reads every objective with its title (untitled ones by id, nameless ones dropped)', async () => {
    const api = httpApi({
      fetch: () =>
        reply({
          exercise: { id: 'ex1', title: 'T', status: 'running' },
          snapshot: { clock: 0, speed: 1, teams: [], participants: [] },
          objectives: [{ id: 'a', title: 'Contain it', teams: ['soc'] }, { id: 'b' }, { title: 'no id' }],
        }),
    });
    const info = await api.observeInfo({ role: 'observer', token: 'o.' + 'y'.repeat(43), exercise: 'ex1', observer: 'o', name: 'O' });
    expect(info.objectives).toEqual([
      { id: 'a', title: 'Contain it' },
      { id: 'b', title: 'b' },
    ]);
  });
});

describe('evaluation over REST', () => {
  const sess = { role: 'observer' as const, token: 'o.' + 'y'.repeat(43), exercise: 'ex 1', observer: 'ob1', name: 'O' };

  it('reads GET /evaluation and posts a rating with the observer token', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const api = httpApi({
      fetch: (url, init = {}) => {
        calls.push({ url: String(url), init });
        return String(url).endsWith('/evaluation') ? reply({ evaluation: { objectives: [{ id: 'a' }] } }) : reply({ client_id: '', seq: 7, duplicate: false });
      },
    });
    expect(await api.evaluation(sess)).toEqual({ objectives: [{ id: 'a' }] });
    const ack = await api.rateRest(sess, { objective: 'a', rating: 'P' });
    expect(ack.seq).toBe(7);
    expect(calls.map((c) => [c.init.method, c.url])).toEqual([
      ['GET', '/api/exercises/ex%201/evaluation'],
      ['POST', '/api/exercises/ex%201/ratings'],
    ]);
    expect((calls[1].init.headers as Record<string, string>)['Authorization']).toBe(`Bearer ${sess.token}`);
    expect(JSON.parse(String(calls[1].init.body))).toEqual({ objective: 'a', rating: 'P' });
  });
});

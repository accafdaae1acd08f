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

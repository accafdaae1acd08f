// @vitest-environment jsdom
// The observer page after the end and its objective picker (issue 16, item 20).
import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { FakeWS } from '../test/fakews';
import { fakeApi, observerSession, wire, type FakeApi } from '../test/fakeapi';
import { appPage } from '../test/app';

// The observer page loads on demand; tests mount it at once.
const { at, settle } = appPage({ preload: true });

function observerApi(): FakeApi {
  const api = fakeApi({ participant: null, observer: observerSession });
  api.observeInfo.mockImplementation(() =>
    Promise.resolve({
      exercise: { id: 'ex1', title: 'Hijacked account', status: 'running', outcome: '' },
      teams: [{ id: 'soc', name: 'Security Operations' }],
      participants: [],
      clockNs: 0,
      speed: 1,
      objectives: [
        { id: 'obj_contain', title: 'Contain the account takeover' },
        { id: 'obj_comms', title: 'Tell customers in time' },
      ],
    }),
  );
  return api;
}

describe('Observe', { timeout: 20_000 }, () => {
  it('shows the end live, without a reload', async () => {
    const c = at('/observe', observerApi());
    await settle();
    const ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    ws.frame(wire.live(0));
    flushSync();
    const pill = () => c.querySelector('.obs [role=status]')?.textContent?.trim();
    expect(pill()).toBe('Live');
    ws.frame(wire.event(1, 'outcome_reached', { outcome: 'ended', title: '' }, 60e9));
    flushSync();
    expect(pill()).toBe('Ended');
  });

  it('offers every objective by its title, touched or not, and tags notes with the title', async () => {
    const c = at('/observe', observerApi());
    await settle();
    const ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    // An inject tagged with one objective, and one tagged with an id the scenario does not list.
    ws.frame(wire.event(1, 'inject_delivered', { inject: 'i1', channel: 'chat', body: 'x', objectives: ['obj_comms', 'obj_extra'], audience: ['*'] }));
    ws.frame(wire.event(2, 'note_added', { author: 'Olga', objective: 'obj_contain', text: 'Locked fast' }, 90e9));
    ws.frame(wire.live(2));
    flushSync();
    const opts = Array.from(c.querySelectorAll<HTMLOptionElement>('#o-obj option'));
    expect(opts.map((o) => o.textContent)).toEqual(['None', 'Contain the account takeover', 'Tell customers in time', 'obj_extra']);
    expect(opts.map((o) => o.value)).toEqual(['', 'obj_contain', 'obj_comms', 'obj_extra']);
    expect(c.querySelector('.note-list .chip')?.textContent).toBe('Contain the account takeover');
  });
});

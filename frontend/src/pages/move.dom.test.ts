// @vitest-environment jsdom
// The participant page when the facilitator moves them to another team: the
// notice, the new team's name and decisions, on the same socket.
import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { FakeWS } from '../test/fakews';
import { fakeApi, playInfo, wire } from '../test/fakeapi';
import { appPage } from '../test/app';

const { at, settle } = appPage({ rounds: 10 });

const opened = (seq: number, decision: string, team: string, prompt: string) =>
  wire.event(seq, 'decision_opened', {
    kind: 'decision_opened',
    decision,
    team,
    prompt,
    options: [{ id: 'yes', label: 'Yes' }],
    mode: 'first',
    audience: [team],
  });

describe('Play after a move', () => {
  it('says where the participant was moved and shows that team', async () => {
    const api = fakeApi();
    const c = at('/play', api);
    await settle();
    const ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    ws.frame(opened(3, 'lock', 'soc', 'Lock the account?'));
    ws.frame(wire.live(3));
    flushSync();
    expect(c.querySelector('[data-decision-slot="lock"]')).not.toBeNull();

    const move = wire.event(5, 'participant_moved', { participant: 'p1', name: 'Alice', from: 'soc', to: 'comms' });
    api.playInfo.mockResolvedValue({
      ...playInfo,
      me: { id: 'p1', name: 'Alice', team: 'comms', lead: false },
      team: { id: 'comms', name: 'Communications', brief: 'You speak for us.' },
    });
    api.teamEvents.mockResolvedValue({ events: [opened(4, 'statement', 'comms', 'Post a statement?'), move], nextAfter: 5, more: false });
    ws.frame(move);
    await settle();

    const notice = c.querySelector('[data-moved-notice]');
    expect(notice?.getAttribute('role')).toBe('status');
    expect(notice?.textContent).toContain('You were moved to Communications.');
    expect(c.querySelector('.who .team')?.textContent).toBe('Communications');
    expect(c.querySelector('[data-decision-slot="lock"]')).toBeNull();
    expect(c.querySelector('[data-decision-slot="statement"]')?.textContent).toContain('Post a statement?');
    expect(FakeWS.all).toHaveLength(1);

    notice!.querySelector('button')!.click();
    flushSync();
    expect(c.querySelector('[data-moved-notice]')).toBeNull();
  });
});

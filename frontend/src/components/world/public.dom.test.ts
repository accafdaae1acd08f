// @vitest-environment jsdom
// Published messages in the team feed, drawn like their outlet's channel,
// and the public timeline (every public post and inject, oldest first).
import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { FakeWS } from '../../test/fakews';
import { fakeApi, wire } from '../../test/fakeapi';
import { appPage } from '../../test/app';

const { at, settle } = appPage({ preload: true });

const inject = (seq: number, channel: string, body: string) =>
  wire.event(seq, 'inject_delivered', { kind: 'inject_delivered', inject: `i${seq}`, channel, body, persona_name: 'Hijacker', audience: ['*'] }, seq * 60e9);
const message = (seq: number, p: Record<string, unknown>) => wire.event(seq, 'message_sent', { kind: 'message_sent', message: `m${seq}`, ...p }, seq * 60e9);

describe('the world in the feed', () => {
  it('shows another team’s statement as a news card with who drafted and approved it, and the public timeline in order', async () => {
    const api = fakeApi();
    const c = at('/play', api);
    await settle();
    const ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    ws.frame(inject(1, 'social', 'Free crypto!'));
    ws.frame(inject(2, 'email', 'Internal note'));
    ws.frame(wire.event(3, 'participant_joined', { participant: 'p9', team: 'soc', name: 'Bo' }));
    ws.frame(wire.live(3));
    ws.frame(
      message(4, {
        action: 'publish',
        team: 'comms',
        participant: 'p5',
        outlet: 'newsroom',
        outlet_name: 'Acme newsroom',
        channel: 'news',
        title: 'Holding statement',
        body: 'We are **aware** of unusual posts.',
        drafted_by: 'p5',
        approved_by: 'p7',
        audience: ['*'],
      }),
    );
    ws.frame(message(5, { action: 'persona', team: 'soc', persona: 'support', persona_name: 'Platform Support', channel: 'ticket', title: 'Case 123', body: 'We are looking into it.', audience: ['soc'] }));
    ws.frame(message(6, { action: 'compose', team: 'soc', participant: 'p9', persona: 'support', persona_name: 'Platform Support', channel: 'ticket', title: 'Hijack', body: 'Please lock.', audience: ['soc'] }));
    await settle();

    const feed = c.querySelector('ol.feed[aria-label="Feed"]')!;
    const items = Array.from(feed.querySelectorAll(':scope > li'));
    expect(items.map((li) => li.querySelector('article')?.getAttribute('data-channel'))).toEqual(['ticket', 'ticket', 'news', 'email', 'social']);
    expect(items[2].querySelector('.byline')?.textContent).toBe('Published by Communications on Acme newsroom · drafted · approved');
    expect(items[2].querySelector('article')?.textContent).toContain('Holding statement');
    expect(items[2].querySelector('article strong')?.textContent).toBe('aware');
    expect(items[2].querySelector('article')?.classList.contains('fresh')).toBe(true);
    expect(items[1].querySelector('.byline')?.textContent).toBe('Platform Support to your team');
    expect(items[0].querySelector('.byline')?.textContent).toBe('Message from your team to Platform Support · sent by Bo');

    // The public timeline: the social inject, then the statement; no email, no ticket.
    Array.from(c.querySelectorAll<HTMLButtonElement>('[role="tab"]'))
      .find((b) => b.textContent?.trim() === 'Public')!
      .click();
    flushSync();
    const pub = c.querySelector('ol.feed[aria-label="Public timeline"]')!;
    expect(Array.from(pub.querySelectorAll('article')).map((a) => a.getAttribute('data-channel'))).toEqual(['social', 'news']);
    expect(c.querySelector('#pw-panel-feed')?.hasAttribute('hidden')).toBe(true);
  });
});

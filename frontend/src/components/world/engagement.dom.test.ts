// @vitest-environment jsdom
// A publication's engagement (issue #18: "engagement on posts can follow
// variables") shows under its card in the feed as an inject's does.
import { describe, expect, it } from 'vitest';
import { FakeWS } from '../../test/fakews';
import { fakeApi, wire } from '../../test/fakeapi';
import { appPage } from '../../test/app';

const { at, settle } = appPage({ preload: true });

const message = (seq: number, p: Record<string, unknown>) =>
  wire.event(seq, 'message_sent', { kind: 'message_sent', message: `m${seq}`, team: 'comms', participant: 'p5', audience: ['*'], ...p }, seq * 60e9);

describe('engagement on publications', () => {
  it('shows the counts under social and news publications, and none where the outlet gives none', async () => {
    const c = at('/play', fakeApi());
    await settle();
    const ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    ws.frame(wire.live(0));
    ws.frame(
      message(1, {
        action: 'publish',
        outlet: 'feed',
        outlet_name: 'Acme support',
        channel: 'social',
        platform: 'Chirp',
        body: 'We are aware.',
        engagement: { likes: 15_400, reposts: 1234, replies: 7 },
      }),
    );
    ws.frame(
      message(2, {
        action: 'publish',
        outlet: 'newsroom',
        outlet_name: 'Acme newsroom',
        channel: 'news',
        title: 'Holding statement',
        body: 'Update.',
        engagement: { likes: 900, reposts: 40, replies: 12 },
      }),
    );
    ws.frame(message(3, { action: 'publish', outlet: 'status', outlet_name: 'Status page', channel: 'status', body: 'Investigating.' }));
    ws.frame(
      message(4, {
        action: 'reply',
        inject: 'email',
        thread: 'email',
        persona: 'reporter',
        persona_name: 'Dana',
        channel: 'email',
        body: 'No comment.',
        // Only publications carry counts; a stray field on a reply is not shown.
        engagement: { likes: 5, reposts: 5, replies: 5 },
        audience: ['comms'],
      }),
    );
    await settle();

    const feed = c.querySelector('ol.feed[aria-label="Feed"]')!;
    const cards = Array.from(feed.querySelectorAll('article'));
    const byChannel: Record<string, HTMLElement> = Object.fromEntries(cards.map((a) => [a.getAttribute('data-channel') ?? '', a]));
    expect(Object.keys(byChannel).sort()).toEqual(['email', 'news', 'social', 'status']);

    const social = byChannel['social'].querySelector('.engagement');
    expect(Array.from(social!.querySelectorAll('li span[aria-hidden="true"]')).map((e: Element) => e.textContent)).toEqual(['7', '1.2K', '15K']);
    expect(social!.textContent).toContain('15,400 likes');
    expect(byChannel['news'].querySelector('.engagement')?.textContent).toContain('900 likes');
    expect(byChannel['news'].querySelector('.engagement')?.textContent).toContain('40 reposts');
    expect(byChannel['status'].querySelector('.engagement')).toBeNull();
    expect(byChannel['email'].querySelector('.engagement')).toBeNull();
  });
});

// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import type { InjectView } from '../../lib/events';
import { render, type Rendered } from '../../test/render';
import InjectCard from './InjectCard.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

function inject(fields: Partial<InjectView>): InjectView {
  return {
    id: 'i',
    channel: 'social',
    title: 'T',
    body: '',
    from: { name: 'GlassHouse', handle: '@glasshouse_sec', avatar: 'GH', org: '' },
    platform: 'Chirper',
    to: '',
    level: '',
    ref: '',
    image: '',
    engagement: null,
    teams: [],
    ...fields,
  };
}

// A YAML block scalar keeps the author's line ends; the cards that people
// read as posts and messages must reflow them like any paragraph.
describe('card bodies reflow', () => {
  const body = 'turns out GlassHouse knows your brand better than its own\naccounts. Ask us how.\n\nSecond paragraph.';
  it.each(['social', 'chat', 'phone', 'email', 'ticket', 'news', 'sitrep'] as const)('%s', (channel) => {
    r = render(InjectCard, { inject: inject({ channel, body }), storyTime: '' });
    const c = r.container;
    expect(c.querySelectorAll('.md br').length).toBe(0);
    const ps = Array.from(c.querySelectorAll('.md p')).map((p) => p.textContent?.replace(/\s+/g, ' '));
    expect(ps).toEqual(['turns out GlassHouse knows your brand better than its own accounts. Ask us how.', 'Second paragraph.']);
  });
});

describe('ticket tables', () => {
  it('shows the BrandPulse table as a table, aligned by class', () => {
    r = render(InjectCard, {
      inject: inject({
        channel: 'ticket',
        ref: 'BP-1',
        body: 'Mentions are up **1,380 %**.\n\n| Top terms | Share |\n|---|--:|\n| hacked | 34 % |\n| GlassHouse | 21 % |',
      }),
      storyTime: '',
    });
    const c = r.container;
    expect(c.textContent).not.toContain('|');
    expect(Array.from(c.querySelectorAll('table th')).map((e) => e.textContent)).toEqual(['Top terms', 'Share']);
    expect(Array.from(c.querySelectorAll('table tbody tr')).map((tr) => Array.from(tr.children).map((td) => td.textContent))).toEqual([
      ['hacked', '34 %'],
      ['GlassHouse', '21 %'],
    ]);
    expect(c.querySelectorAll('td.al-right').length).toBe(2);
    expect(c.querySelectorAll('table [style]').length).toBe(0);
  });
});

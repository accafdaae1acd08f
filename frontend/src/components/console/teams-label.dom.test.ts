// @vitest-environment jsdom
// WCAG 2.5.3 (label in name): a control's accessible name contains the words
// it shows, so that a voice-control user who says "click Make lead" reaches
// it. axe-core reported the console's Make lead buttons (named "Make NAME the
// team lead") as serious once a team had two members.
import { afterEach, describe, expect, it } from 'vitest';
import { render, type Rendered } from '../../test/render';
import TeamsPanel from './TeamsPanel.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

const member = (id: string, name: string, lead: boolean) => ({ id, name, team: 'comms', lead, online: true, activity: 'active', left: false });

describe('the console teams panel', () => {
  it('names every button with the text it shows', () => {
    r = render(TeamsPanel, {
      teams: [{ id: 'comms', name: 'Comms', online: 2, members: [member('p1', 'Priya', true), member('p2', 'Dan', false)] }],
      onlead: () => {},
      onmove: () => {},
    });
    const buttons = [...r.container.querySelectorAll('button')];
    const mk = buttons.find((b) => b.textContent?.trim() === 'Make lead');
    expect(mk).toBeDefined();
    for (const b of buttons) {
      const shown = (b.textContent ?? '').replace(/\s+/g, ' ').trim();
      const name = b.getAttribute('aria-label');
      if (name !== null && shown) expect(name.toLowerCase()).toContain(shown.toLowerCase());
    }
    expect(mk!.getAttribute('aria-label') ?? mk!.textContent).toContain('Dan');
  });
});

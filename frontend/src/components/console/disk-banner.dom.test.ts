// @vitest-environment jsdom
// The console says when the server's disk is full (issue 17, item 8): a
// persistent banner from the first status frame until the one that clears it.
import { afterEach, describe, expect, it } from 'vitest';
import { applyServerFrame, serverFine } from '../../lib/server-status';
import { render, type Rendered } from '../../test/render';
import DiskBanner from './DiskBanner.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

describe('DiskBanner', () => {
  it.each([
    ['fine', serverFine, ''],
    ['full', applyServerFrame(serverFine, { type: 'status', disk: 'full' }), "Nothing is being saved. The server's disk is full: nothing new can be saved"],
    ['cleared', applyServerFrame(applyServerFrame(serverFine, { type: 'status', disk: 'full' }), { type: 'status', disk: 'ok' }), ''],
  ])('%s', (_n, status, text) => {
    r = render(DiskBanner, { status });
    const region = r.container.querySelector('[role="alert"]')!;
    expect(region).not.toBeNull();
    if (text) expect(region.textContent).toContain(text);
    else expect(region.textContent?.trim()).toBe('');
  });
});

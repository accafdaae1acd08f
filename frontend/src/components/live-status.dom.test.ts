// @vitest-environment jsdom
// A participant's pill says "Live" only while the exercise runs: connected
// in the lobby it says so (issue 16, item 17).
import { afterEach, describe, expect, it } from 'vitest';
import { render, type Rendered } from '../test/render';
import LiveStatus from './LiveStatus.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

describe('LiveStatus pill', () => {
  it.each([
    ['live', 'lobby', 'Connected · not started', false],
    ['live', 'paused', 'Connected · paused', false],
    ['live', 'running', 'Live', true],
    ['live', '', 'Live', true],
    ['connecting', 'lobby', 'Connecting…', false],
    ['ended', 'paused', 'Ended', false],
  ] as const)('%s in %j says %j', (status, phase, text, green) => {
    r = render(LiveStatus, { status, phase, part: 'pill' });
    const pill = r.container.querySelector('.conn')!;
    expect(pill.textContent?.trim()).toBe(text);
    expect(pill.classList.contains('live')).toBe(green);
  });
});

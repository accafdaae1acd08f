import { describe, expect, it } from 'vitest';
import { hashFor, tabFromHash, tabKey, tabLabel, CONSOLE_TABS } from './console-tabs';

describe('console tabs', () => {
  it.each([
    ['', 'live'],
    ['#tab=chat', 'chat'],
    ['#tab=evaluation', 'evaluation'],
    ['#x=1&tab=inbox', 'inbox'],
    ['#tab=nope', 'live'],
    ['#mytab=chat', 'live'],
    ['#tab=CHAT', 'live'],
  ])('reads %j as %s', (hash, tab) => {
    expect(tabFromHash(hash)).toBe(tab);
  });

  it('writes a fragment every tab reads back, none for the first', () => {
    expect(hashFor('live')).toBe('');
    for (const t of CONSOLE_TABS) expect(tabFromHash(hashFor(t.id))).toBe(t.id);
  });

  it.each([
    ['ArrowRight', 0, 1],
    ['ArrowRight', 4, 0],
    ['ArrowLeft', 0, 4],
    ['ArrowLeft', 3, 2],
    ['Home', 3, 0],
    ['End', 1, 4],
    ['Enter', 1, null],
    ['ArrowDown', 1, null],
  ])('%s from %i goes to %s', (key, i, want) => {
    expect(tabKey(key, i, 5)).toBe(want);
  });

  it('shows a count only when there is one', () => {
    expect(tabLabel('Chat', 0)).toBe('Chat');
    expect(tabLabel('Chat', 3)).toBe('Chat (3)');
  });
});

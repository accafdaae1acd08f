import { describe, expect, it } from 'vitest';
import { loadedMarkdown, loadMarkdown, plainBlocks } from './markdown-loader';

describe('markdown loader', () => {
  it('shows plain paragraphs until the parser is here', () => {
    expect(plainBlocks('a *b*\nc\r\n\r\n  \n<b>d</b>')).toEqual([
      { t: 'p', c: [{ t: 'text', v: 'a *b*\nc' }] },
      { t: 'p', c: [{ t: 'text', v: '<b>d</b>' }] },
    ]);
    expect(plainBlocks('')).toEqual([]);
  });

  it('loads the parser once', async () => {
    const a = await loadMarkdown();
    const b = await loadMarkdown();
    expect(a).toBe(b);
    expect(loadedMarkdown()).toBe(a);
    expect(a.parseMarkdown('*x*')).toEqual([{ t: 'p', c: [{ t: 'em', c: [{ t: 'text', v: 'x' }] }] }]);
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_NESTING, MAX_SOURCE, parseInline, parseMarkdown, safeHref, type Block, type Inline } from './markdown';

const text = (v: string): Inline => ({ t: 'text', v });
const p = (...c: Inline[]): Block => ({ t: 'p', c });

describe('parseMarkdown blocks', () => {
  it.each<[string, string, Block[]]>([
    ['empty', '', []],
    ['paragraphs', 'one\ntwo\n\nthree', [p(text('one\ntwo')), p(text('three'))]],
    ['heading', '## Title ##', [{ t: 'h', level: 2, c: [text('Title')] }]],
    ['hashtag is not a heading', '#breaking news', [p(text('#breaking news'))]],
    ['fenced code keeps text', '```js\n<b>x</b> *y*\n```', [{ t: 'pre', lang: 'js', v: '<b>x</b> *y*' }]],
    ['unclosed fence runs to the end', '~~~\na\nb', [{ t: 'pre', lang: '', v: 'a\nb' }]],
    ['quote', '> a\n> b', [{ t: 'quote', c: [p(text('a\nb'))] }]],
    ['hr', 'a\n\n---\n\nb', [p(text('a')), { t: 'hr' }, p(text('b'))]],
    [
      'bullet list',
      '- a\n- b',
      [{ t: 'list', ordered: false, start: 1, items: [[p(text('a'))], [p(text('b'))]] }],
    ],
    [
      'ordered list with start',
      '3. c\n4. d',
      [{ t: 'list', ordered: true, start: 3, items: [[p(text('c'))], [p(text('d'))]] }],
    ],
    [
      'nested list',
      '- a\n  1. x\n  2. y\n- b',
      [
        {
          t: 'list',
          ordered: false,
          start: 1,
          items: [
            [p(text('a')), { t: 'list', ordered: true, start: 1, items: [[p(text('x'))], [p(text('y'))]] }],
            [p(text('b'))],
          ],
        },
      ],
    ],
    ['a year is not a list item inside a paragraph', 'Back in\n2019. it began', [p(text('Back in\n2019. it began'))]],
    ['CRLF', 'a\r\nb', [p(text('a\nb'))]],
  ])('%s', (_name, src, want) => {
    expect(parseMarkdown(src)).toEqual(want);
  });

  it('keeps hostile nesting cheap and finite', () => {
    const deep = '> '.repeat(5000) + 'x';
    const blocks = parseMarkdown(deep);
    let depth = 0;
    let b: Block | undefined = blocks[0];
    while (b && b.t === 'quote') {
      depth++;
      b = b.c[0];
    }
    // markdown-it stops nesting at maxNesting and drops what lies deeper.
    expect(depth).toBeGreaterThan(1);
    expect(depth).toBeLessThanOrEqual(MAX_NESTING);
    const lists = parseMarkdown(Array.from({ length: 200 }, (_, i) => ' '.repeat(i * 2) + '- x').join('\n'));
    expect(lists.length).toBe(1);
  });

  it('cuts very long sources', () => {
    const blocks = parseMarkdown('a'.repeat(MAX_SOURCE * 2));
    const t = (blocks[0] as { c: Inline[] }).c[0] as { v: string };
    expect(t.v.length).toBe(MAX_SOURCE + 1);
  });

  it('stays fast on thousands of unmatched delimiters', () => {
    for (const ch of ['*', '_', '[', '`', '**a', '[a](', '[a](b', '<', '&#', '*a _b [c ']) {
      const src = ch.repeat(Math.floor(20_000 / ch.length));
      expect(() => parseMarkdown(src)).not.toThrow();
    }
  });
});

describe('paragraphs reflow', () => {
  // A YAML block scalar keeps the author's line ends; a card must not break
  // the sentence there (issue: "better than its own⏎accounts.").
  const body = 'GlassHouse knows your brand better than its own\naccounts. Ask us how.';

  it('a newline inside a paragraph is a soft break', () => {
    expect(parseMarkdown(body)).toEqual([p(text('GlassHouse knows your brand better than its own\naccounts. Ask us how.'))]);
    expect(JSON.stringify(parseMarkdown(body))).not.toContain('"br"');
  });

  it('hard breaks the author asked for stay', () => {
    expect(parseMarkdown('line one  \nline two')).toEqual([p(text('line one'), { t: 'br' }, text('line two'))]);
  });

  it('typed text keeps its line ends with breaks', () => {
    expect(parseMarkdown('a\nb', { breaks: true })).toEqual([p(text('a'), { t: 'br' }, text('b'))]);
  });
});

describe('tables', () => {
  it('renders a table with alignment as data', () => {
    const src = '| Platform | Mentions | Change |\n|:--|:-:|--:|\n| Chirper | **41,200** | +3,100% |\n| Picstream | 9,800 | [log](https://x.example/l) |';
    expect(parseMarkdown(src)).toEqual([
      {
        t: 'table',
        align: ['left', 'center', 'right'],
        head: [[text('Platform')], [text('Mentions')], [text('Change')]],
        rows: [
          [[text('Chirper')], [{ t: 'strong', c: [text('41,200')] }], [text('+3,100%')]],
          [[text('Picstream')], [text('9,800')], [{ t: 'link', href: 'https://x.example/l', title: '', c: [text('log')] }]],
        ],
      },
    ]);
  });

  it('keeps cells safe: raw html and unsafe links stay text', () => {
    const [tb] = parseMarkdown('| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |');
    expect(tb).toEqual({
      t: 'table',
      align: ['', ''],
      head: [[text('a')], [text('b')]],
      rows: [[[text('<img src=x onerror=alert(1)>')], [text('[x](javascript:alert(1))')]]],
    });
  });

  it('parses the shipped BrandPulse ticket as a table', async () => {
    const { readFileSync } = await import('node:fs');
    const yaml = readFileSync(new URL('../../../scenarios/brand-hijack.yaml', import.meta.url), 'utf8');
    // The ticket body is the block scalar that holds the first table row.
    const lines = yaml.split('\n');
    const at = lines.findIndex((l) => /^\s*\|.*\|\s*$/.test(l));
    expect(at).toBeGreaterThan(0);
    const indent = lines[at].length - lines[at].trimStart().length;
    let start = at;
    while (start > 0 && lines[start - 1].trim() !== '' && !/^\s*body:/.test(lines[start - 1])) start--;
    const block: string[] = [];
    for (let i = start; i < lines.length && (lines[i].trim() === '' || lines[i].length - lines[i].trimStart().length >= indent); i++) {
      block.push(lines[i].slice(indent));
    }
    const blocks = parseMarkdown(block.join('\n'));
    const table = blocks.find((b) => b.t === 'table');
    expect(table, JSON.stringify(blocks).slice(0, 400)).toBeDefined();
    expect((table as { rows: unknown[] }).rows.length).toBeGreaterThan(0);
  });
});

describe('parseInline', () => {
  it.each<[string, string, Inline[]]>([
    ['emphasis', '*a* _b_', [{ t: 'em', c: [text('a')] }, text(' '), { t: 'em', c: [text('b')] }]],
    ['strong', '**a** __b__', [{ t: 'strong', c: [text('a')] }, text(' '), { t: 'strong', c: [text('b')] }]],
    ['strong em', '***a***', [{ t: 'em', c: [{ t: 'strong', c: [text('a')] }] }]],
    ['strikethrough', '~~gone~~', [{ t: 's', c: [text('gone')] }]],
    ['em around strong', '*a **b** c*', [{ t: 'em', c: [text('a '), { t: 'strong', c: [text('b')] }, text(' c')] }]],
    ['snake_case stays', 'snake_case_name', [text('snake_case_name')]],
    ['lone star', '5 * 3 = 15', [text('5 * 3 = 15')]],
    ['code', 'run `rm -rf *` now', [text('run '), { t: 'code', v: 'rm -rf *' }, text(' now')]],
    ['double backtick code', '``a ` b``', [{ t: 'code', v: 'a ` b' }]],
    ['escapes', '\\*not em\\*', [text('*not em*')]],
    ['entities', '&amp; &lt;b&gt; &#39;q&#x27; &bogus;', [text("& <b> 'q' &bogus;")]],
    ['hard break', 'a  \nb\\\nc', [text('a'), { t: 'br' }, text('b'), { t: 'br' }, text('c')]],
    ['soft break', 'a\nb', [text('a\nb')]],
    [
      'link',
      '[the *guide*](https://example.com/a_b "T")',
      [{ t: 'link', href: 'https://example.com/a_b', title: 'T', c: [text('the '), { t: 'em', c: [text('guide')] }] }],
    ],
    ['autolink', '<https://example.org>', [{ t: 'link', href: 'https://example.org/', title: '', c: [text('https://example.org')] }]],
    ['email autolink', '<press@example.com>', [{ t: 'link', href: 'mailto:press@example.com', title: '', c: [text('press@example.com')] }]],
    [
      'bare url without the full stop',
      'see https://example.com/x.',
      [text('see '), { t: 'link', href: 'https://example.com/x', title: '', c: [text('https://example.com/x')] }, text('.')],
    ],
    ['image shows alt only', '![a *chart*](https://x.example/c.png)', [{ t: 'img', alt: 'a chart' }]],
    ['raw html is text', '<b onclick="x()">hi</b>', [text('<b onclick="x()">hi</b>')]],
    ['relative link is text', '[home](/)', [text('[home](/)')]],
    ['javascript link is text', '[x](javascript:alert(1))', [text('[x](javascript:alert(1))')]],
    ['entity-encoded javascript link is text', '[x](&#106;avascript:alert(1))', [text('[x](javascript:alert(1))')]],
    ['javascript autolink is text', '<javascript:alert(1)>', [text('<javascript:alert(1)>')]],
    ['data link is text', '[x](data:text/html,hi)', [text('[x](data:text/html,hi)')]],
    ['unsafe image is text', '![a](javascript:alert(1))', [text('![a](javascript:alert(1))')]],
    ['a domain without scheme stays text', 'see status.example.com or evil[.]help', [text('see status.example.com or evil[.]help')]],
    ['html entity in text', '&copy; &eacute;', [text('© é')]],
  ])('%s', (_name, src, want) => {
    expect(parseInline(src)).toEqual(want);
  });

  it('turns newlines into breaks with the breaks option', () => {
    expect(parseInline('a\nb', { breaks: true })).toEqual([text('a'), { t: 'br' }, text('b')]);
  });
});

describe('safeHref', () => {
  it.each([
    ['https://example.com', 'https://example.com/'],
    ['HTTP://EXAMPLE.com/A', 'http://example.com/A'],
    ['mailto:a@example.com', 'mailto:a@example.com'],
    ['  https://example.com/x  ', 'https://example.com/x'],
    ['https://example.com/<script>', 'https://example.com/%3Cscript%3E'],
  ])('%j → %j', (raw, want) => expect(safeHref(raw)).toBe(want));

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    '\u0001javascript:alert(1)',
    'javascript&#58;alert(1)',
    '&#106;avascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    '//evil.example/x',
    '/relative',
    'https:evil.example',
    'https://',
    'http:/\\evil',
    'https://exa mple.com',
    'https://exa\u2028mple.com/',
    'https://example.com/\u00a0x',
    '',
    'h'.repeat(3000),
  ])('refuses %j', (raw) => expect(safeHref(raw)).toBeNull());
});

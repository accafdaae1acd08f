// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { dangers, render, type Rendered } from '../../test/render';
import Markdown from './Markdown.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

function md(source: string, breaks = false): HTMLElement {
  r = render(Markdown, { source, breaks });
  return r.container;
}

// Payloads aimed at Markdown renderers and HTML sanitisers.
const XSS: string[] = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<img src="javascript:alert(1)">',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<svg/onload=alert(1)//',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>">',
  '<a href="javascript:alert(1)">x</a>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<details open ontoggle=alert(1)>',
  '<body onload=alert(1)>',
  '<object data="data:text/html,<script>alert(1)</script>">',
  '<!-- x --><script>alert(1)</script>',
  '<style>@import "//evil.example/x.css";</style>',
  '<base href="//evil.example/">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<form action="javascript:alert(1)"><button>x</button></form>',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x]( javascript:alert(1))',
  '[x](<javascript:alert(1)>)',
  '[x](javascript:alert(1) "t")',
  '[x](&#106;avascript:alert(1))',
  '[x](&#x6A;avascript:alert(1))',
  '[x](&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1))',
  '[x](javascript&#58;alert(1))',
  '[x](javascript&colon;alert(1))',
  '[x](%6A%61%76%61%73%63%72%69%70%74:alert(1))',
  '[x](java\\script:alert(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](DATA:text/html,<script>alert(1)</script>)',
  '[x](vbscript:msgbox(1))',
  '[x](file:///etc/passwd)',
  '[x](//evil.example)',
  '[x](https://example.com" onclick="alert(1))',
  '[x](https://example.com "t\\" onmouseover=alert(1) x=\\"")',
  '[<img src=x onerror=alert(1)>](https://example.com)',
  '![x](javascript:alert(1))',
  '![x](https://x.example/a.png" onerror="alert(1))',
  '![<svg onload=alert(1)>](x)',
  '<javascript:alert(1)>',
  '<data:text/html,<script>alert(1)</script>>',
  '<vbscript:msgbox(1)>',
  'javascript:alert(1)',
  'https://example.com/"><script>alert(1)</script>',
  '`<script>alert(1)</script>`',
  '```html\n<script>alert(1)</script>\n```',
  '> <img src=x onerror=alert(1)>',
  '- <svg/onload=alert(1)>\n- [x](javascript:alert(1))',
  '# <script>alert(1)</script>',
  '**<script>alert(1)</script>**',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '\\<script>alert(1)\\</script>',
  '<scr<script>ipt>alert(1)</script>',
  '\u0000<script>alert(1)</script>',
];

describe('Markdown rendering of hostile input', () => {
  it.each(XSS)('%j renders inert', (payload) => {
    for (const breaks of [false, true]) {
      const root = md(payload, breaks);
      expect(dangers(root)).toEqual([]);
      expect(root.querySelectorAll('script').length).toBe(0);
      for (const a of Array.from(root.querySelectorAll('a'))) {
        expect(a.getAttribute('href')).toMatch(/^(https?:\/\/|mailto:)/);
        expect(a.getAttribute('rel')).toBe('noopener noreferrer nofollow');
        expect(a.getAttribute('target')).toBe('_blank');
      }
      r?.destroy();
      r = null;
    }
  });

  it('shows raw HTML as the characters the author typed', () => {
    const root = md('Hello <b onclick="x()">bold</b> & <script>alert(1)</script>');
    expect(root.querySelector('b')).toBeNull();
    expect(root.textContent).toContain('<b onclick="x()">bold</b> & <script>alert(1)</script>');
  });

  it('shows an unsafe link as its source text', () => {
    const root = md('see [x](javascript:alert(1)) now');
    expect(root.querySelector('a')).toBeNull();
    expect(root.textContent).toBe('see [x](javascript:alert(1)) now');
  });

  it('renders the supported subset as elements', () => {
    const root = md(
      '# Head\n\nA *b* **c** `d` [e](https://example.com "T")\n\n> q\n\n- one\n- two\n\n3. three\n\n---\n\n```\ncode\n```\n\nline  \nbreak',
    );
    expect(root.querySelector('h3')?.textContent).toBe('Head');
    expect(root.querySelector('em')?.textContent).toBe('b');
    expect(root.querySelector('strong')?.textContent).toBe('c');
    expect(root.querySelector('p code')?.textContent).toBe('d');
    const a = root.querySelector('a')!;
    expect(a.getAttribute('href')).toBe('https://example.com/');
    expect(a.getAttribute('title')).toBe('T');
    expect(a.textContent).toBe('e');
    expect(root.querySelector('blockquote')?.textContent?.trim()).toBe('q');
    expect(Array.from(root.querySelectorAll('ul li')).map((li) => li.textContent)).toEqual(['one', 'two']);
    expect(root.querySelector('ol')?.getAttribute('start')).toBe('3');
    expect(root.querySelector('hr')).not.toBeNull();
    expect(root.querySelector('pre code')?.textContent).toBe('code');
    expect(root.querySelectorAll('br').length).toBe(1);
  });

  it('keeps newlines as breaks in breaks mode', () => {
    const root = md('a\nb\nc', true);
    expect(root.querySelectorAll('br').length).toBe(2);
  });
});

describe('dangers (the test oracle itself)', () => {
  it('flags what it is meant to find', () => {
    const root = document.createElement('div');
    root.innerHTML =
      '<a href="javascript:alert(1)">a</a><a href="https://ok.example/">b</a><span onclick="x()"></span>' +
      '<svg><a href="data:text/html,x"></a></svg><p style="color:red"></p>';
    root.appendChild(document.createElement('script'));
    expect(dangers(root)).toEqual([
      '<a> href="javascript:alert(1)"',
      '<span> onclick',
      '<a> href="data:text/html,x"',
      '<p> style',
      'element <script>',
    ]);
  });
});

// Safe Markdown: a parser for a documented subset of CommonMark that produces
// plain data tokens. Components render the tokens as DOM nodes (text nodes,
// <em>, <a>...), so nothing written by a scenario author or a participant is
// ever parsed as HTML by the browser.
//
// Supported:
//   blocks:  paragraphs, ATX headings (# .. ######), fenced code blocks
//            (``` or ~~~), blockquotes (>), bullet lists (- * +), ordered
//            lists (1. or 1)), nested by indentation, thematic breaks (---)
//   inlines: *em* _em_, **strong** __strong__, `code`, [text](url "title"),
//            <https://autolinks>, bare http(s):// URLs, backslash escapes,
//            hard line breaks (two trailing spaces or a trailing backslash),
//            HTML entities (&amp; &#39; ...) decoded to text
// Differences from CommonMark, on purpose:
//   - raw HTML is never interpreted: "<b>x</b>" shows exactly those characters;
//   - links work only for absolute http:, https: and mailto: URLs; any other
//     link (javascript:, data:, relative...) is shown as its source text;
//   - images are not loaded: ![alt](src) shows the alt text in a placeholder;
//   - no setext headings, indented code blocks, tables or reference links;
//     emphasis follows simplified delimiter rules;
//   - with `breaks`, every newline inside a paragraph is a line break (for
//     chat messages and posts, where the author's newlines matter).
// Limits keep hostile input cheap: the source is cut at MAX_SOURCE
// characters and nesting deeper than MAX_DEPTH is shown as text.

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'em'; c: Inline[] }
  | { t: 'strong'; c: Inline[] }
  | { t: 'link'; href: string; title: string; c: Inline[] }
  | { t: 'img'; alt: string }
  | { t: 'br' };

export type Block =
  | { t: 'p'; c: Inline[] }
  | { t: 'h'; level: number; c: Inline[] }
  | { t: 'pre'; lang: string; v: string }
  | { t: 'quote'; c: Block[] }
  | { t: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { t: 'hr' };

export interface MarkdownOptions {
  /** Treat every newline inside a paragraph as a hard line break. */
  breaks?: boolean;
}

export const MAX_SOURCE = 100_000;
export const MAX_DEPTH = 12;

const SAFE_SCHEMES = ['http:', 'https:', 'mailto:'];

/**
 * The href to use for a link target, or null when it must not become a link.
 * Only absolute http(s) and mailto URLs pass; anything with control
 * characters or whitespace (the usual way to smuggle "java\tscript:") is
 * refused before parsing, and the URL parser has the final word on the scheme.
 */
export function safeHref(raw: string): string | null {
  const s = raw.trim();
  if (!s || s.length > 2048) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f-\u00a0\u2028\u2029\ufeff]/.test(s)) return null;
  if (!/^(https?:\/\/|mailto:)/i.test(s)) return null;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  if (!SAFE_SCHEMES.includes(u.protocol)) return null;
  if (u.protocol !== 'mailto:' && !u.hostname) return null;
  return u.href;
}

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  euro: '€',
  pound: '£',
  middot: '·',
  bull: '•',
};

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));/y;

/** Decode the entity at the start of s: [text, length] or null. */
function entityAt(s: string, i: number): [string, number] | null {
  ENTITY.lastIndex = i;
  const m = ENTITY.exec(s);
  if (!m) return null;
  if (m[3] !== undefined) {
    const v = NAMED[m[3]];
    return v === undefined ? null : [v, m[0].length];
  }
  const cp = m[1] !== undefined ? parseInt(m[1], 10) : parseInt(m[2], 16);
  const ok = cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
  return [ok ? String.fromCodePoint(cp) : '\ufffd', m[0].length];
}

function decodeEntities(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; ) {
    if (s[i] === '&') {
      const e = entityAt(s, i);
      if (e) {
        out += e[0];
        i += e[1];
        continue;
      }
    }
    out += s[i];
    i++;
  }
  return out;
}

// ---------------------------------------------------------------- inlines

const PUNCT = /^[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]$/;
const WS = /\s/;
const ALNUM = /[\p{L}\p{N}]/u;

function runLength(s: string, i: number, ch: string): number {
  let n = 0;
  while (s[i + n] === ch) n++;
  return n;
}

/** Start of the closing backtick run of exactly n, or -1. */
function findBackticks(s: string, from: number, n: number): number {
  for (let j = from; j < s.length; ) {
    if (s[j] === '`') {
      const r = runLength(s, j, '`');
      if (r === n) return j;
      j += r;
    } else j++;
  }
  return -1;
}

/** Index just past a code span starting at j, or j + 1 when it is not one. */
function skipCode(s: string, j: number): number {
  const r = runLength(s, j, '`');
  const close = findBackticks(s, j + r, r);
  return close < 0 ? j + r : close + r;
}

function pushText(out: Inline[], v: string): void {
  if (!v) return;
  const last = out[out.length - 1];
  if (last && last.t === 'text') last.v += v;
  else out.push({ t: 'text', v });
}

function plainText(nodes: Inline[]): string {
  return nodes
    .map((n) => {
      switch (n.t) {
        case 'text':
        case 'code':
          return n.v;
        case 'br':
          return ' ';
        case 'img':
          return n.alt;
        default:
          return plainText(n.c);
      }
    })
    .join('');
}

// Bounds on a link's parts: longer is not a link, and the bound keeps the
// scan for one short.
const MAX_URL = 2048;
const MAX_TITLE = 500;

interface LinkParts {
  text: string;
  url: string;
  title: string;
  end: number;
}

/** Parse [text](url "title") at s[i] === '['. */
function linkAt(s: string, i: number): LinkParts | null {
  let depth = 0;
  let j = i;
  for (; j < s.length; j++) {
    const c = s[j];
    if (c === '\\') j++;
    else if (c === '`') j = skipCode(s, j) - 1;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) break;
    if (j - i > 1000) return null;
  }
  if (j >= s.length || s[j + 1] !== '(') return null;
  const text = s.slice(i + 1, j);
  let k = j + 2;
  while (s[k] === ' ' || s[k] === '\n') k++;
  let url = '';
  if (s[k] === '<') {
    const close = s.indexOf('>', k);
    if (close < 0 || close - k > MAX_URL || s.slice(k, close).includes('\n')) return null;
    url = s.slice(k + 1, close);
    k = close + 1;
  } else {
    let parens = 0;
    const start = k;
    for (; k < s.length; k++) {
      const c = s[k];
      if (c === '\\' && k + 1 < s.length && PUNCT.test(s[k + 1])) {
        k++;
        continue;
      }
      if (WS.test(c)) break;
      if (k - start > MAX_URL) return null;
      if (c === '(') parens++;
      else if (c === ')') {
        if (parens === 0) break;
        parens--;
      }
    }
    url = s.slice(start, k).replace(/\\([!-/:-@[-`{-~])/g, '$1');
  }
  while (s[k] === ' ' || s[k] === '\n') k++;
  let title = '';
  const q = s[k];
  if (q === '"' || q === "'" || q === '(') {
    const closeCh = q === '(' ? ')' : q;
    const close = s.indexOf(closeCh, k + 1);
    if (close < 0 || close - k > MAX_TITLE) return null;
    title = s.slice(k + 1, close);
    k = close + 1;
    while (s[k] === ' ' || s[k] === '\n') k++;
  }
  if (s[k] !== ')') return null;
  return { text, url: decodeEntities(url), title: decodeEntities(title), end: k + 1 };
}

// Sticky (y) patterns match at lastIndex without copying the rest of the source.
const AUTOLINK = /<([a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]{0,2048})>/y;
const EMAIL_AUTOLINK = /<([a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?){0,20})>/y;
const BARE_URL = /https?:\/\/[^\s<>]{1,2048}/iy;

function stickyAt(re: RegExp, s: string, i: number): RegExpExecArray | null {
  re.lastIndex = i;
  return re.exec(s);
}

/** Trim trailing punctuation that ends a sentence rather than the URL. */
function trimBareUrl(u: string): string {
  for (;;) {
    const last = u[u.length - 1];
    if ('.,:;!?\'"*_'.includes(last)) u = u.slice(0, -1);
    else if (last === ')' && (u.match(/\)/g) ?? []).length > (u.match(/\(/g) ?? []).length) u = u.slice(0, -1);
    else return u;
  }
}

interface InlineCtx {
  breaks: boolean;
  inLink: boolean;
  depth: number;
}

function canOpen(s: string, i: number, run: number, ch: string): boolean {
  const next = s[i + run];
  if (next === undefined || WS.test(next)) return false;
  if (ch === '_' && i > 0 && ALNUM.test(s[i - 1])) return false;
  return true;
}

function canClose(s: string, j: number, run: number, ch: string): boolean {
  const prev = s[j - 1];
  if (prev === undefined || WS.test(prev)) return false;
  const next = s[j + run];
  if (ch === '_' && next !== undefined && ALNUM.test(next)) return false;
  return true;
}

/**
 * Position of the delimiter run that closes an opener of `want` (1-3) chars,
 * returned as the index of the `want` closing chars, or -1. Runs of other
 * lengths are nested emphasis and are skipped over.
 */
function findCloser(s: string, from: number, ch: string, want: number): number {
  for (let j = from; j < s.length; ) {
    const c = s[j];
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === '`') {
      j = skipCode(s, j);
      continue;
    }
    if (c === ch) {
      const r = runLength(s, j, ch);
      if (j > from && canClose(s, j, r, ch) && (r === want || (r === 3 && want < 3))) return j + r - want;
      j += r;
      continue;
    }
    j++;
  }
  return -1;
}

function parseInlineCtx(s: string, ctx: InlineCtx): Inline[] {
  const out: Inline[] = [];
  let buf = '';
  const flush = () => {
    pushText(out, buf);
    buf = '';
  };
  // Searches that found no closer from position p find none from any later
  // position either; remembering that keeps hostile input (thousands of
  // unmatched "*" or "[") linear instead of quadratic.
  const noCloser = new Map<string, number>();
  const nested = ctx.depth < MAX_DEPTH;

  for (let i = 0; i < s.length; ) {
    const ch = s[i];

    if (ch === '\\') {
      const nx = s[i + 1];
      if (nx === '\n') {
        flush();
        out.push({ t: 'br' });
        i += 2;
        while (s[i] === ' ') i++;
        continue;
      }
      if (nx !== undefined && PUNCT.test(nx)) {
        buf += nx;
        i += 2;
        continue;
      }
      buf += ch;
      i++;
      continue;
    }

    if (ch === '&') {
      const e = entityAt(s, i);
      if (e) {
        buf += e[0];
        i += e[1];
        continue;
      }
    }

    if (ch === '`') {
      const run = runLength(s, i, '`');
      const close = findBackticks(s, i + run, run);
      if (close >= 0) {
        flush();
        let code = s.slice(i + run, close).replace(/\n/g, ' ');
        if (code.length >= 2 && code[0] === ' ' && code[code.length - 1] === ' ' && code.trim()) {
          code = code.slice(1, -1);
        }
        out.push({ t: 'code', v: code });
        i = close + run;
        continue;
      }
      buf += s.slice(i, i + run);
      i += run;
      continue;
    }

    if (ch === '\n') {
      const hard = / {2,}$/.test(buf);
      buf = buf.replace(/ +$/, '');
      if (hard || ctx.breaks) {
        flush();
        out.push({ t: 'br' });
      } else buf += '\n';
      i++;
      while (s[i] === ' ') i++;
      continue;
    }

    if ((ch === '[' || (ch === '!' && s[i + 1] === '[')) && !ctx.inLink) {
      const img = ch === '!';
      const start = img ? i + 1 : i;
      const noBracket = noCloser.get('[');
      const noParen = noCloser.get(')');
      const hopeless = (noBracket !== undefined && start >= noBracket) || (noParen !== undefined && start >= noParen);
      const l = hopeless ? null : linkAt(s, start);
      if (l) {
        const children = nested ? parseInlineCtx(l.text, { ...ctx, inLink: true, depth: ctx.depth + 1 }) : [{ t: 'text' as const, v: l.text }];
        flush();
        if (img) {
          out.push({ t: 'img', alt: plainText(children) });
        } else {
          const href = safeHref(l.url);
          if (href) out.push({ t: 'link', href, title: l.title, c: children });
          else pushText(out, s.slice(i, l.end));
        }
        i = l.end;
        continue;
      }
      if (!hopeless) {
        if (s.indexOf(']', start) < 0) noCloser.set('[', start);
        else if (s.indexOf(')', start) < 0) noCloser.set(')', start);
      }
    }

    if (ch === '<') {
      const m = stickyAt(AUTOLINK, s, i) ?? stickyAt(EMAIL_AUTOLINK, s, i);
      if (m) {
        const target = m[1].includes(':') ? m[1] : `mailto:${m[1]}`;
        const href = ctx.inLink ? null : safeHref(target);
        flush();
        if (href) out.push({ t: 'link', href, title: '', c: [{ t: 'text', v: m[1] }] });
        else pushText(out, m[0]);
        i += m[0].length;
        continue;
      }
    }

    if ((ch === 'h' || ch === 'H') && !ctx.inLink && (i === 0 || !ALNUM.test(s[i - 1]))) {
      const m = stickyAt(BARE_URL, s, i);
      if (m) {
        const u = trimBareUrl(m[0]);
        const href = safeHref(u);
        if (href) {
          flush();
          out.push({ t: 'link', href, title: '', c: [{ t: 'text', v: u }] });
          i += u.length;
          continue;
        }
      }
    }

    if ((ch === '*' || ch === '_') && nested) {
      const run = runLength(s, i, ch);
      if (run <= 3 && canOpen(s, i, run, ch)) {
        const key = ch + run;
        const failedFrom = noCloser.get(key);
        const close = failedFrom !== undefined && i >= failedFrom ? -1 : findCloser(s, i + run, ch, run);
        if (close >= 0) {
          flush();
          const inner = parseInlineCtx(s.slice(i + run, close), { ...ctx, depth: ctx.depth + 1 });
          if (run === 1) out.push({ t: 'em', c: inner });
          else if (run === 2) out.push({ t: 'strong', c: inner });
          else out.push({ t: 'strong', c: [{ t: 'em', c: inner }] });
          i = close + run;
          continue;
        }
        noCloser.set(key, i);
      }
      buf += s.slice(i, i + run);
      i += run;
      continue;
    }

    buf += ch;
    i++;
  }
  flush();
  return out;
}

/** Parse inline Markdown (no blocks): for names, labels and one-line text. */
export function parseInline(src: string, opts: MarkdownOptions = {}): Inline[] {
  return parseInlineCtx(src.slice(0, MAX_SOURCE), { breaks: !!opts.breaks, inLink: false, depth: 0 });
}

// ----------------------------------------------------------------- blocks

const FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const CLOSE_FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const HR = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?/;
const LIST_ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])(?:( +)(.*))?$/;

function isBlank(l: string): boolean {
  return l.trim() === '';
}

function indentOf(l: string): number {
  return l.length - l.trimStart().length;
}

function expandTabs(l: string): string {
  const m = /^[ \t]+/.exec(l);
  if (!m || !m[0].includes('\t')) return l;
  let col = 0;
  for (const c of m[0]) col = c === '\t' ? col + 4 - (col % 4) : col + 1;
  return ' '.repeat(col) + l.slice(m[0].length);
}

function isFenceOpen(l: string): boolean {
  const m = FENCE.exec(l);
  return !!m && !(m[2][0] === '`' && m[3].includes('`'));
}

/** A line that ends a paragraph because it starts another block. */
function interruptsParagraph(l: string): boolean {
  if (isFenceOpen(l) || HEADING.test(l) || HR.test(l) || QUOTE.test(l)) return true;
  const m = LIST_ITEM.exec(l);
  if (!m || !m[4]?.trim()) return false;
  // As in CommonMark, only "1." may interrupt a paragraph, so that a line
  // such as "2019. A year to forget" stays text.
  return !/\d/.test(m[2][0]) || parseInt(m[2], 10) === 1;
}

function textBlock(lines: string[]): Block {
  return { t: 'p', c: [{ t: 'text', v: lines.join('\n') }] };
}

function parseBlocks(lines: string[], depth: number, opts: MarkdownOptions): Block[] {
  const out: Block[] = [];
  const ictx: InlineCtx = { breaks: !!opts.breaks, inLink: false, depth };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      i++;
      continue;
    }

    const fence = FENCE.exec(line);
    if (fence && isFenceOpen(line)) {
      const indent = fence[1].length;
      const mark = fence[2];
      const lang = fence[3].trim().split(/\s+/)[0] ?? '';
      const body: string[] = [];
      i++;
      while (i < lines.length) {
        const close = CLOSE_FENCE.exec(lines[i]);
        if (close && close[1][0] === mark[0] && close[1].length >= mark.length) {
          i++;
          break;
        }
        body.push(lines[i].slice(Math.min(indent, indentOf(lines[i]))));
        i++;
      }
      out.push({ t: 'pre', lang, v: body.join('\n') });
      continue;
    }

    const heading = HEADING.exec(line);
    if (heading) {
      out.push({ t: 'h', level: heading[1].length, c: parseInlineCtx(heading[2] ?? '', ictx) });
      i++;
      continue;
    }

    if (HR.test(line)) {
      out.push({ t: 'hr' });
      i++;
      continue;
    }

    if (QUOTE.test(line)) {
      const inner: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i])) {
        inner.push(lines[i].replace(QUOTE, ''));
        i++;
      }
      out.push(depth >= MAX_DEPTH ? textBlock(inner) : { t: 'quote', c: parseBlocks(inner, depth + 1, opts) });
      continue;
    }

    const item = LIST_ITEM.exec(line);
    if (item) {
      const ordered = /\d/.test(item[2][0]);
      const marker = (m: RegExpExecArray) => (ordered ? m[2][m[2].length - 1] : m[2]);
      const kind = marker(item);
      const sameList = (m: RegExpExecArray | null) => !!m && /\d/.test(m[2][0]) === ordered && marker(m) === kind;
      const start = ordered ? parseInt(item[2], 10) : 1;
      const items: string[][] = [];
      const raw: string[] = [];
      let cur: string[] = [];
      let contentIndent = 0;
      while (i < lines.length) {
        const l = lines[i];
        const m = LIST_ITEM.exec(l);
        if (m && !HR.test(l) && (items.length === 0 || m[1].length < contentIndent)) {
          if (!sameList(m)) break;
          cur = [m[4] ?? ''];
          items.push(cur);
          const pad = m[3]?.length ?? 1;
          contentIndent = m[1].length + m[2].length + (pad > 4 ? 1 : pad);
          raw.push(l);
          i++;
          continue;
        }
        if (isBlank(l)) {
          let j = i + 1;
          while (j < lines.length && isBlank(lines[j])) j++;
          if (j < lines.length && (indentOf(lines[j]) >= contentIndent || sameList(LIST_ITEM.exec(lines[j])))) {
            cur.push('');
            raw.push(l);
            i++;
            continue;
          }
          break;
        }
        if (indentOf(l) >= contentIndent) {
          cur.push(l.slice(contentIndent));
        } else if (cur[cur.length - 1]?.trim() && !interruptsParagraph(l)) {
          cur.push(l.trimStart()); // lazy continuation of the item's paragraph
        } else break;
        raw.push(l);
        i++;
      }
      if (depth >= MAX_DEPTH) out.push(textBlock(raw));
      else out.push({ t: 'list', ordered, start, items: items.map((it) => parseBlocks(it, depth + 1, opts)) });
      continue;
    }

    const para = [line.trimStart()];
    i++;
    while (i < lines.length && !isBlank(lines[i]) && !interruptsParagraph(lines[i])) {
      para.push(lines[i].trimStart());
      i++;
    }
    out.push({ t: 'p', c: parseInlineCtx(para.join('\n').replace(/[ \t]+$/, ''), ictx) });
  }
  return out;
}

/** Parse Markdown source into blocks. Never throws. */
export function parseMarkdown(src: string, opts: MarkdownOptions = {}): Block[] {
  if (typeof src !== 'string' || !src) return [];
  let s = src.replace(/\r\n?/g, '\n').replace(/\u0000/g, '\ufffd');
  if (s.length > MAX_SOURCE) s = s.slice(0, MAX_SOURCE) + '…';
  return parseBlocks(s.split('\n').map(expandTabs), 0, opts);
}

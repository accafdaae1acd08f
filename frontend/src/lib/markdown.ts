// Safe Markdown. markdown-it parses (CommonMark plus tables and
// strikethrough); this module turns its token stream into plain data that
// components render as DOM nodes (text nodes, <em>, <a>...). Nothing written
// by a scenario author or a participant is ever handed to the browser as HTML:
// there is no innerHTML anywhere on the way.
//
// Settings, on purpose:
//   - raw HTML is off: "<b>x</b>" shows exactly those characters;
//   - links (and autolinks, and bare http(s):// URLs) work only for absolute
//     http:, https: and mailto: URLs (validateLink = safeHref); any other link
//     (javascript:, data:, relative...) stays its source text;
//   - images are not loaded: ![alt](src) shows the alt text in a placeholder;
//   - tables render as tables; their column alignment becomes a class, never
//     an inline style (the CSP allows none);
//   - a newline inside a paragraph is a soft break: the paragraph reflows, as
//     in CommonMark. With `breaks` (text a participant typed, where the
//     newlines are theirs) every newline is a line break.
// Limits keep hostile input cheap: the source is cut at MAX_SOURCE characters
// and blocks nested deeper than MAX_NESTING are dropped.

import MarkdownIt from 'markdown-it';
import { safeHref } from './safe-href';

/** One token of markdown-it's stream (its Token class, as far as used here). */
interface MdToken {
  type: string;
  tag: string;
  content: string;
  info: string;
  markup: string;
  children: MdToken[] | null;
  attrGet(name: string): string | null;
}

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'em'; c: Inline[] }
  | { t: 'strong'; c: Inline[] }
  | { t: 's'; c: Inline[] }
  | { t: 'link'; href: string; title: string; c: Inline[] }
  | { t: 'img'; alt: string }
  | { t: 'br' };

export type Align = '' | 'left' | 'center' | 'right';

export type Block =
  | { t: 'p'; c: Inline[] }
  | { t: 'h'; level: number; c: Inline[] }
  | { t: 'pre'; lang: string; v: string }
  | { t: 'quote'; c: Block[] }
  | { t: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { t: 'table'; align: Align[]; head: Inline[][]; rows: Inline[][][] }
  | { t: 'hr' };

export interface MarkdownOptions {
  /** Treat every newline inside a paragraph as a hard line break. */
  breaks?: boolean;
}

export const MAX_SOURCE = 100_000;
export const MAX_NESTING = 20;

export { safeHref };

function newParser(breaks: boolean): MarkdownIt {
  // maxNesting is an option the type definitions leave out, hence no literal
  // in the call.
  const options = { html: false, xhtmlOut: false, breaks, linkify: true, typographer: false, maxNesting: MAX_NESTING };
  const md = new MarkdownIt('default', options);
  // Only URLs written out with their scheme become links: "status.io" or a
  // defanged "evil[.]example" in a scenario stays text.
  md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
  md.validateLink = (url: string) => safeHref(url) !== null;
  return md;
}

// Two configured parsers, built once and never changed afterwards.
const parsers = { soft: newParser(false), hard: newParser(true) };

/** The Markdown source as blocks; never throws. */
export function parseMarkdown(src: string, opts: MarkdownOptions = {}): Block[] {
  let s = src;
  if (s.length > MAX_SOURCE) s = s.slice(0, MAX_SOURCE) + '…';
  const md = opts.breaks ? parsers.hard : parsers.soft;
  const tokens = md.parse(s, {}) as unknown as MdToken[];
  return new BlockReader(tokens, !!opts.breaks).blocks(null);
}

/** One paragraph's inline Markdown (no blocks); never throws. */
export function parseInline(src: string, opts: MarkdownOptions = {}): Inline[] {
  const md = opts.breaks ? parsers.hard : parsers.soft;
  const tokens = md.parseInline(src.slice(0, MAX_SOURCE), {}) as unknown as MdToken[];
  return inlines(tokens[0]?.children ?? [], !!opts.breaks);
}

class BlockReader {
  private i = 0;
  constructor(
    private readonly toks: MdToken[],
    private readonly breaks: boolean,
  ) {}

  /** Blocks up to the token of type `until` (consumed), or to the end. */
  blocks(until: string | null): Block[] {
    const out: Block[] = [];
    while (this.i < this.toks.length) {
      const tok = this.toks[this.i++];
      if (tok.type === until) return out;
      switch (tok.type) {
        case 'paragraph_open':
          out.push({ t: 'p', c: this.inline() });
          this.i++; // paragraph_close
          break;
        case 'heading_open':
          out.push({ t: 'h', level: Number(tok.tag.slice(1)) || 1, c: this.inline() });
          this.i++; // heading_close
          break;
        case 'fence':
        case 'code_block':
          out.push({ t: 'pre', lang: tok.info.trim().split(/\s+/)[0] ?? '', v: tok.content.replace(/\n$/, '') });
          break;
        case 'blockquote_open':
          out.push({ t: 'quote', c: this.blocks('blockquote_close') });
          break;
        case 'hr':
          out.push({ t: 'hr' });
          break;
        case 'bullet_list_open':
        case 'ordered_list_open': {
          const ordered = tok.type === 'ordered_list_open';
          const start = ordered ? Number(tok.attrGet('start') ?? 1) : 1;
          out.push({ t: 'list', ordered, start: Number.isFinite(start) ? start : 1, items: this.items(ordered ? 'ordered_list_close' : 'bullet_list_close') });
          break;
        }
        case 'table_open':
          out.push(this.table());
          break;
        case 'inline':
          out.push({ t: 'p', c: inlines(tok.children ?? [], this.breaks) });
          break;
        default:
        // html_block never appears (html is off); anything else unknown is skipped.
      }
    }
    return out;
  }

  private inline(): Inline[] {
    const tok = this.toks[this.i];
    if (tok?.type !== 'inline') return [];
    this.i++;
    return inlines(tok.children ?? [], this.breaks);
  }

  private items(close: string): Block[][] {
    const items: Block[][] = [];
    while (this.i < this.toks.length) {
      const tok = this.toks[this.i++];
      if (tok.type === close) break;
      if (tok.type === 'list_item_open') items.push(this.blocks('list_item_close'));
    }
    return items;
  }

  private table(): Block {
    const align: Align[] = [];
    const head: Inline[][] = [];
    const rows: Inline[][][] = [];
    let row: Inline[][] | null = null;
    let inHead = false;
    while (this.i < this.toks.length) {
      const tok = this.toks[this.i++];
      switch (tok.type) {
        case 'table_close':
          return { t: 'table', align, head, rows };
        case 'thead_open':
          inHead = true;
          break;
        case 'thead_close':
          inHead = false;
          break;
        case 'tr_open':
          row = inHead ? head : [];
          break;
        case 'tr_close':
          if (!inHead && row) rows.push(row);
          row = null;
          break;
        case 'th_open':
        case 'td_open':
          if (inHead) align.push(alignOf(tok.attrGet('style')));
          row?.push(this.inline());
          break;
      }
    }
    return { t: 'table', align, head, rows };
  }
}

function alignOf(style: string | null): Align {
  const m = /text-align:\s*(left|center|right)/.exec(style ?? '');
  return m ? (m[1] as Align) : '';
}

/** Inline tokens to nodes; adjacent text is merged. */
function inlines(toks: MdToken[], breaks: boolean): Inline[] {
  const root: Inline[] = [];
  // Open containers: the list their children go into, and the close type.
  const stack: { out: Inline[]; close: string }[] = [];
  let out = root;
  const text = (v: string) => {
    const last = out[out.length - 1];
    if (last?.t === 'text') last.v += v;
    else if (v) out.push({ t: 'text', v });
  };
  const open = (node: Inline & { c: Inline[] }, close: string) => {
    out.push(node);
    stack.push({ out, close });
    out = node.c;
  };
  for (const tok of toks) {
    if (stack.length && tok.type === stack[stack.length - 1].close) {
      out = stack.pop()!.out;
      continue;
    }
    switch (tok.type) {
      case 'text':
        text(tok.content);
        break;
      case 'code_inline':
        out.push({ t: 'code', v: tok.content });
        break;
      case 'softbreak':
        if (breaks) out.push({ t: 'br' });
        else text('\n');
        break;
      case 'hardbreak':
        out.push({ t: 'br' });
        break;
      case 'em_open':
        open({ t: 'em', c: [] }, 'em_close');
        break;
      case 'strong_open':
        open({ t: 'strong', c: [] }, 'strong_close');
        break;
      case 's_open':
        open({ t: 's', c: [] }, 's_close');
        break;
      case 'link_open': {
        const href = safeHref(tok.attrGet('href') ?? '');
        // validateLink already refused unsafe targets; should one get here,
        // its text is kept without the link.
        if (href) open({ t: 'link', href, title: tok.attrGet('title') ?? '', c: [] }, 'link_close');
        else stack.push({ out, close: 'link_close' });
        break;
      }
      case 'image':
        out.push({ t: 'img', alt: plain(tok.children ?? []) });
        break;
      default:
        // html_inline never appears (html is off); other tokens carry text.
        if (tok.content) text(tok.content);
    }
  }
  return root;
}

function plain(toks: MdToken[]): string {
  let s = '';
  for (const t of toks) {
    if (t.type === 'text' || t.type === 'code_inline') s += t.content;
    else if (t.type === 'image') s += plain(t.children ?? []);
    else if (t.type === 'softbreak' || t.type === 'hardbreak') s += ' ';
  }
  return s;
}

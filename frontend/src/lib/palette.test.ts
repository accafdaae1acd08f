// WCAG 2.x contrast of the colour tokens in app.css, light and dark. The
// tokens are read from the stylesheet itself, so this fails when a colour
// is changed to one that does not hold up.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('../app.css', import.meta.url), 'utf8');

type Tokens = Record<string, string>;

function block(src: string, start: number): string {
  const open = src.indexOf('{', start);
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return src.slice(open + 1, i);
  }
  throw new Error('unbalanced braces');
}

function declarations(body: string): Tokens {
  const out: Tokens = {};
  for (const m of body.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)) out[m[1]] = m[2].trim();
  return out;
}

function themes(src: string): { light: Tokens; dark: Tokens } {
  const noComments = src.replace(/\/\*[\s\S]*?\*\//g, '');
  const lightAt = noComments.search(/^:root\s*\{/m);
  const darkAt = noComments.indexOf('@media (prefers-color-scheme: dark)');
  if (lightAt < 0 || darkAt < 0) throw new Error('theme blocks not found');
  const light = declarations(block(noComments, lightAt));
  const darkMedia = block(noComments, darkAt);
  const dark = { ...light, ...declarations(block(darkMedia, darkMedia.indexOf(':root'))) };
  return { light, dark };
}

function resolve(tokens: Tokens, value: string, seen = new Set<string>()): string {
  const m = /^var\((--[\w-]+)\)$/.exec(value);
  if (!m) return value;
  if (seen.has(m[1])) throw new Error(`cycle at ${m[1]}`);
  seen.add(m[1]);
  const v = tokens[m[1]];
  if (v === undefined) throw new Error(`unknown token ${m[1]}`);
  return resolve(tokens, v, seen);
}

function rgb(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`not a hex colour: ${hex}`);
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
}

/** WCAG relative luminance. */
export function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const TEXT = 4.5; // WCAG AA, normal text
const UI = 3; // WCAG AA, non-text (focus ring, control borders)

// [foreground, background, minimum]: every pairing the components use.
const PAIRS: [string, string, number][] = [
  ...['--bg', '--surface', '--surface-2', '--fresh', '--selected'].flatMap((bg): [string, string, number][] => [
    ['--text', bg, TEXT],
    ['--muted', bg, TEXT],
    ['--link', bg, TEXT],
  ]),
  ['--on-accent', '--accent', TEXT],
  ['--on-accent-soft', '--accent-soft', TEXT],
  ['--ok-fg', '--ok-bg', TEXT],
  ['--warn-fg', '--warn-bg', TEXT],
  ['--info-fg', '--info-bg', TEXT],
  ['--crit-fg', '--crit-bg', TEXT],
  ['--neutral-fg', '--neutral-bg', TEXT],
  ['--ok-fg', '--surface', TEXT],
  ['--crit-fg', '--surface', TEXT],
  ...['major', 'partial', 'investigating', 'identified', 'monitoring', 'resolved', 'neutral'].map(
    (b): [string, string, number] => ['--banner-fg', `--banner-${b}`, TEXT],
  ),
  ...[0, 1, 2, 3, 4, 5].map((i): [string, string, number] => ['#ffffff', `--av-${i}`, TEXT]),
  ['--focus', '--bg', UI],
  ['--focus', '--surface', UI],
  ['--accent', '--surface', UI],
  ['--accent', '--bg', UI],
  ['--border-strong', '--surface', UI],
  ['--urgent', '--surface', UI],
  ['--urgent', '--bg', UI],
];

describe('colour contrast', () => {
  it('computes the WCAG reference values', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrast('#fff', '#767676')).toBeCloseTo(4.54, 2);
  });

  const { light, dark } = themes(css);
  for (const [name, tokens] of [
    ['light', light],
    ['dark', dark],
  ] as const) {
    it.each(PAIRS)(`${name}: %s on %s ≥ %d:1`, (fg, bg, min) => {
      const f = fg.startsWith('--') ? resolve(tokens, `var(${fg})`) : fg;
      const b = resolve(tokens, `var(${bg})`);
      const ratio = contrast(f, b);
      expect(ratio, `${fg} ${f} on ${bg} ${b}: ${ratio.toFixed(2)}`).toBeGreaterThanOrEqual(min);
    });
  }

  it('reads two distinct themes from the stylesheet', () => {
    expect(Object.keys(light).length).toBeGreaterThan(30);
    expect(light['--bg']).not.toBe(dark['--bg']);
  });
});

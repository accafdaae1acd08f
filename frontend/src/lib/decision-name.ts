// What a person reads or hears to name a decision: its prompt, as one short
// line of plain text, never its id (`first_response`).

/** At most this many characters of the prompt name a decision. */
export const NAME_MAX = 90;

/**
 * The prompt's first paragraph without Markdown punctuation, cut at a word
 * before max characters; the id only when there is no prompt.
 */
export function decisionName(prompt: string, id: string, max = NAME_MAX): string {
  const first = prompt.replace(/\r\n?/g, '\n').split(/\n\s*\n/).find((p) => p.trim() !== '') ?? '';
  let s = first
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)/gm, '') // block markers
    .replace(/(^|[^\p{L}\p{N}])(\*\*|__|\*|_|~~|`)(?=\S)([^]*?\S)\2(?![\p{L}\p{N}])/gu, '$1$3') // emphasis, code
    .replace(/\\([\\`*_{}[\]()#+\-.!~|>])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  if (!s) return id;
  if (Array.from(s).length > max) {
    const cut = Array.from(s).slice(0, max - 1).join('');
    const space = cut.lastIndexOf(' ');
    s = (space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.–—-]+$/, '') + '…';
  }
  return s;
}

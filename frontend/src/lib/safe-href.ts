// Link targets from scenario authors and participants: kept apart from the
// Markdown parser so that components can check an href without loading it.

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

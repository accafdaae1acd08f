// Display formatting shared by the cards and pages. Pure functions, no locale
// dependence: the projector, the phone and the test runner all show the same.

const UNITS: [number, string][] = [
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'K'],
];

/**
 * Social-style counts: 999, 1.2K, 15K, 1.2M. Rounds down, as platforms do, so
 * 1,299 is 1.2K and 999,999 never becomes "1000K".
 */
export function compactNumber(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '0';
  n = Math.floor(n);
  for (const [size, unit] of UNITS) {
    if (n >= size) {
      const v = n / size;
      if (v >= 100) return `${Math.floor(v)}${unit}`;
      const tenths = Math.floor(v * 10) / 10;
      if (tenths >= 10) return `${Math.floor(tenths)}${unit}`;
      return `${tenths.toFixed(1).replace(/\.0$/, '')}${unit}`;
    }
  }
  return String(n);
}

/** Full count for screen readers and titles: 1,234,567. */
export function fullNumber(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '0';
  return Math.floor(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A duration in milliseconds as m:ss, or h:mm:ss from an hour up. Negative is 0:00. */
export function formatDuration(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * An amount of time (nanoseconds) in words, whole seconds rounded: "45 s",
 * "2 min", "1 min 30 s", "1 h 5 min". For extensions and the like, where
 * "+2 min" reads better than "+2:00".
 */
export function formatSpan(ns: number): string {
  const total = Number.isFinite(ns) && ns > 0 ? Math.round(ns / 1e9) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts: string[] = [];
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (s || parts.length === 0) parts.push(`${s} s`);
  return parts.join(' ');
}

/** Exercise clock (nanoseconds since start) as T+m:ss. */
export function formatClock(ns: number): string {
  return `T+${formatDuration(ns / 1e6)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const STAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/;

/**
 * In-story time as written by the author (the zone is ignored on purpose):
 * 'time' → 09:42, 'full' → 8 Feb 2020, 09:42. Empty for a missing stamp.
 */
export function formatStoryTime(rfc3339: string | null, style: 'time' | 'full' = 'time'): string {
  const m = rfc3339 ? STAMP.exec(rfc3339) : null;
  if (!m) return '';
  const [, y, mo, d, h, mi] = m;
  const time = `${h}:${mi}`;
  if (style === 'time') return time;
  const month = MONTHS[Number(mo) - 1] ?? mo;
  return `${Number(d)} ${month} ${y}, ${time}`;
}

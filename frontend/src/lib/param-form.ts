// The create-exercise form's parameter fields: which input each typed
// parameter gets, the same checks the server makes (so most mistakes are
// caught before sending), and where a server refusal belongs.
import type { ParamInfo } from './facilitator';

type Obj = Record<string, unknown>;

/** The typed part of a library entry's parameter, from the wire. */
export function paramConstraints(p: Obj): Pick<ParamInfo, 'type' | 'min' | 'max' | 'pattern' | 'choices'> {
  const t = p['type'];
  const n = (k: string) => (typeof p[k] === 'number' && Number.isFinite(p[k]) ? (p[k] as number) : null);
  return {
    type: t === 'number' || t === 'bool' ? t : 'string',
    min: n('min'),
    max: n('max'),
    pattern: typeof p['pattern'] === 'string' ? p['pattern'] : '',
    choices: Array.isArray(p['choices']) ? p['choices'].filter((c): c is string => typeof c === 'string') : [],
  };
}

export type ParamInput =
  | { kind: 'checkbox' }
  | { kind: 'select'; options: string[] }
  | { kind: 'number'; min: number | null; max: number | null }
  | { kind: 'text'; pattern: string };

/** The input a parameter is filled in with. */
export function paramInput(p: ParamInfo): ParamInput {
  if (p.type === 'bool') return { kind: 'checkbox' };
  if (p.choices?.length) return { kind: 'select', options: p.choices };
  if (p.type === 'number') return { kind: 'number', min: p.min ?? null, max: p.max ?? null };
  return { kind: 'text', pattern: p.pattern ?? '' };
}

/** A yes/no value as the checkbox shows it ("yes", "true" → ticked). */
export function isYes(v: string): boolean {
  const s = v.trim().toLowerCase();
  return s === 'yes' || s === 'true';
}

/**
 * What is wrong with a value, in the words the server uses ("is not a
 * number"), or '' when nothing is. The server checks again and has the
 * last word (its patterns are Go's; one this browser cannot read is left
 * to it).
 */
export function checkParam(p: ParamInfo, v: string): string {
  switch (p.type) {
    case 'number': {
      const s = v.trim();
      const f = s === '' ? NaN : Number(s);
      if (!Number.isFinite(f)) return 'is not a number';
      if (p.min != null && f < p.min) return `is less than ${p.min}`;
      if (p.max != null && f > p.max) return `is more than ${p.max}`;
      if (p.choices?.length && !p.choices.some((c) => Number(c) === f)) return `is not one of: ${p.choices.join(', ')}`;
      return '';
    }
    case 'bool': {
      const s = v.trim().toLowerCase();
      return ['yes', 'no', 'true', 'false'].includes(s) ? '' : 'is not yes or no';
    }
  }
  if (p.choices?.length && !p.choices.includes(v)) return `is not one of: ${p.choices.join(', ')}`;
  if (p.pattern) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(`^(?:${p.pattern})$`, 'u');
    } catch {
      re = null;
    }
    if (re && !re.test(v)) return `does not match the pattern ${p.pattern}`;
  }
  return '';
}

/** The parameter a server refusal names (400 bad_param), if any. */
export function paramOfError(err: unknown): string {
  if (!(err instanceof Error) || (err as { code?: unknown }).code !== 'bad_param') return '';
  const d = (err as { details?: unknown }).details;
  return d && typeof d === 'object' && typeof (d as Obj)['param'] === 'string' ? ((d as Obj)['param'] as string) : '';
}

// Staff-only reads for the world (issue #18): the canned replies on offer in
// a thread (GET /api/exercises/:id/canned?team=&thread=, facilitator).

export interface CannedOffer {
  id: string;
  label: string;
  /** Markdown, parameters already filled in. */
  body: string;
  /** Whether its condition holds now. */
  available: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const s = (o: Obj, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');

/** The offers from the route's answer: a list, or an object holding one. */
export function adaptCanned(v: unknown): CannedOffer[] {
  const list = Array.isArray(v) ? v : isObj(v) ? (Object.values(v).find(Array.isArray) ?? []) : [];
  return (list as unknown[])
    .filter(isObj)
    .map((o) => ({ id: s(o, 'id'), label: s(o, 'label') || s(o, 'id'), body: s(o, 'body'), available: o['available'] !== false }))
    .filter((o) => o.id !== '');
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export async function fetchCanned(exercise: string, team: string, thread: string, f: Fetch = (i, init) => fetch(i, init)): Promise<CannedOffer[]> {
  const q = new URLSearchParams({ team, thread });
  const res = await f(`/api/exercises/${encodeURIComponent(exercise)}/canned?${q}`, { credentials: 'same-origin', headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!res.ok) throw new Error(`Canned replies could not be loaded (${res.status}).`);
  return adaptCanned(await res.json());
}

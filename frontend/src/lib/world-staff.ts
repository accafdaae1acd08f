// Staff-only reads for the world (issue #18): the canned replies on offer in
// a thread (GET /api/exercises/:id/canned?team=&thread=, facilitator).

import { browserFetch, createRequester, type Fetch } from './http';

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

export type { Fetch };

/** GET …/canned through the one request layer (lib/http.ts): failures are ApiError. */
export async function fetchCanned(exercise: string, team: string, thread: string, f: Fetch = browserFetch): Promise<CannedOffer[]> {
  const q = new URLSearchParams({ team, thread });
  return adaptCanned(await createRequester({ fetch: f })('GET', `/api/exercises/${encodeURIComponent(exercise)}/canned?${q}`));
}

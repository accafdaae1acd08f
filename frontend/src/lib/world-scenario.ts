// What the scenario declares about the world (issue #18), read from the JSON
// of GET /api/exercises/:id/scenario for the staff pages: declared chat lines
// between teams, outlets, personas (reachable, via), injects that take
// replies. Read defensively: a map keyed by id or a list with ids both work,
// and anything missing is empty.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const s = (o: Obj, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : []);

/** Entries of a map-or-list field, each with its id. */
function entries(v: unknown): { id: string; o: Obj }[] {
  if (Array.isArray(v)) return v.filter(isObj).map((o) => ({ id: s(o, 'id'), o })).filter((e) => e.id !== '');
  if (isObj(v)) return Object.entries(v).filter(([, o]) => isObj(o)).map(([id, o]) => ({ id: s(o as Obj, 'id') || id, o: o as Obj }));
  return [];
}

export interface ScenarioOutlet {
  id: string;
  name: string;
  channel: string;
  teams: string[];
  approval: string;
  audience: string[];
}

export interface ScenarioPersona {
  id: string;
  name: string;
  reachable: string[];
  via: string;
}

export interface WorldModel {
  /** Declared lines between two teams, each pair once, ids in order. */
  lines: [string, string][];
  outlets: ScenarioOutlet[];
  personas: ScenarioPersona[];
  /** Inject id -> teams that may reply (['*'] = every team it reached). */
  replies: Record<string, string[]>;
}

export const emptyWorldModel: WorldModel = { lines: [], outlets: [], personas: [], replies: {} };

export function worldModel(raw: unknown): WorldModel {
  if (!isObj(raw)) return emptyWorldModel;
  const pairs = new Map<string, [string, string]>();
  for (const t of entries(raw['teams'])) {
    for (const other of strs(t.o['lines'])) {
      if (other === t.id) continue;
      const pair: [string, string] = t.id < other ? [t.id, other] : [other, t.id];
      pairs.set(pair.join(':'), pair);
    }
  }
  const replies: Record<string, string[]> = {};
  for (const st of entries(raw['states'])) {
    for (const inj of entries(st.o['injects'])) {
      const r = inj.o['reply'];
      if (r === true) replies[inj.id] = ['*'];
      else if (Array.isArray(r) && strs(r).length) replies[inj.id] = strs(r);
    }
  }
  return {
    lines: [...pairs.values()],
    outlets: entries(raw['outlets']).map(({ id, o }) => ({
      id,
      name: s(o, 'name') || id,
      channel: s(o, 'channel'),
      teams: strs(o['teams']),
      approval: s(o, 'approval'),
      audience: strs(o['audience']),
    })),
    personas: entries(raw['personas']).map(({ id, o }) => ({ id, name: s(o, 'name') || id, reachable: strs(o['reachable']), via: s(o, 'via') || 'email' })),
    replies,
  };
}

// Every text an author wrote reaches the facilitator with the exercise's
// parameters filled in, facilitator-only fields included: a persona's role
// line showed "{{company}}" on the console.
import { describe, expect, it } from 'vitest';
import { adaptScenario, withParams } from './facilitator-scenario';

const P = 'at {{ company }}';

// A scenario with the placeholder in every text field the model reads.
const raw = {
  id: 's',
  title: `Title ${P}`,
  summary: `Summary ${P}`,
  start: 'a',
  parameters: [{ id: 'company', label: 'Company', default: 'Northwind' }],
  teams: [{ id: 't', name: `Team ${P}` }],
  objectives: [{ id: 'ob', title: `Objective ${P}`, capability: `Capability ${P}`, met: `Met ${P}`, teams: ['t'] }],
  personas: [{ id: 'p', name: `Name ${P}`, handle: `@handle ${P}`, org: `Org ${P}`, avatar: 'NW', role: `Press officer ${P}` }],
  variables: [{ id: 'v', type: 'number', initial: 1, label: `Label ${P}`, description: `Description ${P}` }],
  states: [
    {
      id: 'a',
      title: `State ${P}`,
      description: `Description ${P}`,
      facilitator_notes: `Notes ${P}`,
      discussion: [`Question ${P}`],
      debrief: `Debrief ${P}`,
      injects: [{ id: 'i', at: 0, teams: ['t'], channel: 'email', title: `Inject ${P}`, from: 'p', notes: `Inject notes ${P}` }],
      decisions: [{ id: 'd', team: 't', prompt: `Prompt ${P}`, notes: `Decision notes ${P}`, options: [{ id: 'o', label: `Option ${P}`, notes: `Option notes ${P}` }] }],
      transitions: [{ to: 'a', when: { src: 'v > 1' }, label: `Transition ${P}` }],
    },
  ],
};

/** Every string in the model with where it is, expressions and ids left out. */
function texts(v: unknown, path = ''): [string, string][] {
  if (typeof v === 'string') return [[path, v]];
  if (Array.isArray(v)) return v.flatMap((x, i) => texts(x, `${path}[${i}]`));
  if (v && typeof v === 'object') {
    return Object.entries(v)
      .filter(([k]) => !['id', 'start', 'when', 'to', 'from', 'team', 'teams', 'channel', 'mode', 'type', 'avatar', 'objectives', 'rating', 'outcome', 'defaultOption'].includes(k))
      .flatMap(([k, x]) => texts(x, `${path}.${k}`));
  }
  return [];
}

describe('withParams', () => {
  const before = texts(adaptScenario(raw)).filter(([, t]) => t.includes('{{'));

  it.each([
    ['the defaults', {}, 'Northwind'],
    ["the exercise's values", { company: 'Acme Bank' }, 'Acme Bank'],
  ])('fills every text with %s', (_what, given, company) => {
    const m = withParams(adaptScenario(raw), given);
    const after = texts(m);
    // Every field that had the placeholder now has the value instead.
    expect(after.filter(([, t]) => t.includes('{{'))).toEqual([]);
    for (const [path] of before) expect(after.find(([p]) => p === path)?.[1], path).toContain(`at ${company}`);
    expect(m.personas[0].role).toBe(`Press officer at ${company}`);
  });

  it('covers the facilitator-only fields', () => {
    const paths = before.map(([p]) => p);
    for (const p of ['.personas[0].role', '.states[0].notes', '.states[0].injects[0].notes', '.states[0].decisions[0].notes', '.states[0].decisions[0].options[0].notes']) expect(paths).toContain(p);
  });
});

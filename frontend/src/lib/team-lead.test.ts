import { describe, expect, it } from 'vitest';
import { teamLeadName } from './team-lead';

describe('teamLeadName', () => {
  const m = (id: string, name: string, lead = false) => ({ id, name, lead });
  it.each([
    ['no roster', undefined, 'p1', ''],
    ['no lead', { p1: m('p1', 'Al'), p2: m('p2', 'Bo') }, 'p1', ''],
    ['another member leads', { p1: m('p1', 'Al'), p2: m('p2', 'Ines K.', true) }, 'p1', 'Ines K.'],
    ['I lead', { p1: m('p1', 'Al', true), p2: m('p2', 'Bo') }, 'p1', 'you'],
  ])('%s', (_n, members, me, want) => expect(teamLeadName(members, me)).toBe(want));
});

import { describe, expect, it } from 'vitest';
import type { TeamRoster } from './facilitator-console';
import { answeredBy, emptyTeams, startWarning } from './start-check';

const member = { id: 'p', name: 'Ana', team: 'comms', lead: true, online: true, activity: '', left: false };
const roster = (id: string, name: string, n: number): TeamRoster => ({ id, name, members: Array(n).fill(member), online: n });

describe('startWarning', () => {
  it('lists the empty teams and asks', () => {
    const r = [roster('comms', 'Comms', 2), roster('legal', 'Legal', 0), roster('vendor', 'Vendor', 0), roster('soc', 'SOC', 1)];
    expect(emptyTeams(r).map((t) => t.id)).toEqual(['legal', 'vendor']);
    expect(startWarning(r)).toBe(
      'Legal and Vendor have nobody in them. Their decisions will take their defaults unless you answer for them from the Decisions panel. Start anyway?',
    );
  });
  it('names one empty team', () => {
    expect(startWarning([roster('legal', 'Legal', 0), roster('soc', 'SOC', 1)])).toMatch(/^Legal has nobody in it\./);
  });
  it('says nothing when every team has someone', () => {
    expect(startWarning([roster('soc', 'SOC', 1)])).toBe('');
  });
});

describe('answeredBy', () => {
  it('marks the facilitator answering for a team', () => {
    expect(answeredBy('facilitator', '', 'Legal')).toBe('the facilitator for Legal');
    expect(answeredBy('p1', 'Ana', 'Legal')).toBe('Ana');
    expect(answeredBy('p1', '', 'Legal')).toBe('p1');
  });
});

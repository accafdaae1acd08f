// Before the start: teams nobody joined would have their decisions taken
// by defaults, unseen. The console lists them and asks to confirm; the
// facilitator can then answer for them (issue 16, item 3).

import type { TeamRoster } from './facilitator-console';

/** The teams of the scenario with nobody in them (the facilitator pseudo-team is not one). */
export function emptyTeams(rosters: TeamRoster[]): TeamRoster[] {
  return rosters.filter((r) => r.id !== 'facilitator' && r.members.length === 0);
}

/** The question asked before starting with empty teams; '' when every team has someone. */
export function startWarning(rosters: TeamRoster[]): string {
  const empty = emptyTeams(rosters).map((r) => r.name || r.id);
  if (empty.length === 0) return '';
  const list = empty.length === 1 ? empty[0] : `${empty.slice(0, -1).join(', ')} and ${empty.at(-1)}`;
  const have = empty.length === 1 ? 'has' : 'have';
  return `${list} ${have} nobody in ${empty.length === 1 ? 'it' : 'them'}. Their decisions will take their defaults unless you answer for them from the Decisions panel. Start anyway?`;
}

/** Who answered, as the console and the report show it: the facilitator answering for a team says so. */
export function answeredBy(participant: string, name: string, teamName: string): string {
  if (participant === 'facilitator') return teamName ? `the facilitator for ${teamName}` : 'the facilitator';
  return name || participant;
}

// Moving a participant to another team, as the console asks it: where they
// can go and what the facilitator is told before confirming.

export interface TeamChoice {
  id: string;
  name: string;
}

/** The teams a participant in `current` can be moved to (every other one, in the scenario's order). */
export function moveTargets(teams: TeamChoice[], current: string): TeamChoice[] {
  return teams.filter((t) => t.id !== current && t.id !== 'facilitator');
}

/**
 * The question asked before a move. `lead`: they lead the team they leave;
 * `alone`: nobody else is in it (it is then left without a lead; otherwise
 * the teammate who joined earliest leads it, as the server decides).
 */
export function moveQuestion(o: { name: string; from: string; to: string; lead: boolean; alone: boolean }): string {
  const who = o.name || 'this participant';
  const lead = o.lead ? (o.alone ? ` ${o.from} is left without a lead.` : ` ${o.from}’s lead passes to the teammate who joined earliest.`) : '';
  return `Move ${who} from ${o.from} to ${o.to}? Their screen switches at once; answers they gave for ${o.from} stay.${lead}`;
}

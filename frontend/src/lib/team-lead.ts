// Who leads the team, as a member reads it.
import type { Member } from './participant';

/** The lead's name ("you" for the lead), or '' when the roster does not say. */
export function teamLeadName(members: Record<string, Member> | undefined, me: string): string {
  const lead = Object.values(members ?? {}).find((m) => m.lead);
  if (!lead) return '';
  if (lead.id === me) return 'you';
  return lead.name;
}

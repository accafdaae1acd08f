// The composer's rules, without any DOM: what a team may write (reply to an
// inject, a new message to a persona, a publication on an outlet it owns),
// what a draft needs before it goes out, who may approve it, and the bodies
// of the wire messages (docs/protocol.md: draft, discard_draft,
// request_approval, approve, reject, send). The server decides in every
// case; these rules only decide what the page offers.

import type { WorldInfo, WorldOutlet } from './api';
import type { InjectView } from './events';
import type { Draft, MessageAction } from './world';

/** What is being written: the target of a reply, message or publication. */
export interface ComposeTarget {
  action: Exclude<MessageAction, 'persona'>;
  outlet?: string;
  persona?: string;
  inject?: string;
  thread?: string;
}

/** The content of a composer. */
export interface ComposeForm extends ComposeTarget {
  /** The draft being edited, if any. */
  draft?: string;
  title: string;
  body: string;
}

function clean(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

const target = (f: ComposeTarget) => clean({ action: f.action, outlet: f.outlet, persona: f.persona, inject: f.inject, thread: f.thread });

/** `draft`: save the full content (a new draft without `draft`). */
export function draftMessage(f: ComposeForm): Record<string, unknown> {
  return { ...target(f), ...clean({ draft: f.draft, title: f.title.trim() }), body: f.body };
}

/** `send`: with a draft, the content comes from the draft. */
export function sendMessage(f: ComposeForm): Record<string, unknown> {
  if (f.draft) return { ...target(f), draft: f.draft };
  return { ...target(f), ...clean({ title: f.title.trim() }), body: f.body };
}

/** The form of an existing draft, to edit or send it. */
export function formOf(d: Draft): ComposeForm {
  const action = d.action === 'persona' ? 'compose' : d.action;
  return { action, outlet: d.outlet || undefined, persona: d.persona || undefined, inject: d.inject || undefined, thread: d.thread || undefined, draft: d.id, title: d.title, body: d.body };
}

/** Whether the server said what the team may do (a server without issue #18's `world` says nothing). */
export function worldKnown(w: WorldInfo): boolean {
  return w.outlets.length + w.personas.length + w.lines.length + w.replies.length > 0;
}

/**
 * Whether the team may reply to an inject: the inject names the team, or
 * it is in the list of the participant's GET;
 * when the server gives no list, any inject from a persona (not a
 * situation report) is offered and the server decides.
 */
export function canReply(inj: InjectView, w: WorldInfo, team = ''): boolean {
  // The inject says who may reply (delivered after the page loaded its world).
  if (inj.reply?.length) return inj.reply.includes(team) || inj.reply.includes('*');
  if (w.replies.length > 0 || worldKnown(w)) return w.replies.includes(inj.id);
  return !!inj.from && inj.channel !== 'sitrep' && !!inj.id;
}

/** The outlets the team may publish on. */
export function ownOutlets(w: WorldInfo, team: string): WorldOutlet[] {
  return w.outlets.filter((o) => o.teams.length === 0 || o.teams.includes(team));
}

/** The outlet's approval rule for a draft ('' when none or unknown). */
export function approvalOf(d: Pick<Draft, 'action' | 'outlet'>, w: WorldInfo): string {
  if (d.action !== 'publish') return '';
  return w.outlets.find((o) => o.id === d.outlet)?.approval ?? '';
}

/**
 * Whether the draft may go out now: it needs no approval, or is approved at
 * its current version. An outlet the page does not know is offered, and the
 * server decides.
 */
export function canSend(d: Draft, w: WorldInfo): boolean {
  const rule = approvalOf(d, w);
  return !rule || d.status === 'approved';
}

export interface Viewer {
  participant: string;
  team: string;
  lead: boolean;
}

/**
 * Whether the viewer may approve or reject a draft whose approval was
 * requested: any member of the approver team; for `lead`, the drafting
 * team's lead unless the lead saved the current version (the facilitator
 * approves then).
 */
export function canDecide(d: Draft, me: Viewer): boolean {
  if (d.status !== 'requested') return false;
  if (d.approver === 'lead') return d.team === me.team && me.lead && d.participant !== me.participant;
  return !!d.approver && d.approver === me.team;
}

/** What a draft is, for people: "Publish on Acme newsroom", "Reply to Dana Reyes"… */
export function draftLabel(d: Pick<Draft, 'action' | 'outlet' | 'persona' | 'inject'>, names: { outlet: (id: string) => string; persona: (id: string) => string; inject: (id: string) => string }): string {
  switch (d.action) {
    case 'publish':
      return `Publish on ${names.outlet(d.outlet) || d.outlet || 'an outlet'}`;
    case 'reply':
      return `Reply to ${names.inject(d.inject) || d.inject || 'a message'}`;
    default:
      return `Message to ${names.persona(d.persona) || d.persona || 'a persona'}`;
  }
}

/** The wire's error codes for the composer, in people's words (the server's message is kept when it has one). */
export function composeError(code: string, message: string): string {
  switch (code) {
    case 'needs_approval':
      return message || 'This outlet needs an approval of the current version first.';
    case 'stale_draft':
      return 'Someone changed this draft meanwhile. Check the latest version and try again.';
    case 'too_large':
      return message || 'Too long.';
    case 'not_allowed':
      return message || 'Your team cannot do that here.';
    case 'not_found':
      return message || 'That draft or message no longer exists.';
  }
  return message || 'Not sent.';
}

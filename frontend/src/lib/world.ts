// What teams do in the simulated world, as the pages see it: chat lines,
// messages said in the world (publications, replies, new messages, the
// personas' answers), shared drafts and their approvals, and receipts.
//
// A pure fold of event frames, like the feed: `reduceWorld(state, frame)`
// takes one frame exactly as the server sent it
//   {"type":"event","seq":N,"kind":K,"at":ns,"wall_time":…,"payload":{…},"audience":[…]}
// and ignores every kind it does not know and every repeated seq. The wire
// names (docs/protocol.md, issue #18) are read here and nowhere else:
//   chat_posted        {room, participant, name, team, body, by_facilitator, client_id}
//   message_sent       {message, action, team, participant, persona, persona_name, …, outlet,
//                       outlet_name, channel, platform, inject, thread, title, body,
//                       drafted_by, approved_by, canned, by_facilitator, story_time}
//   draft_saved        {draft, version, action, team, participant, outlet, persona, inject, thread, title, body, client_id}
//   draft_discarded    {draft, team, participant}
//   approval_requested {draft, version, team, participant, approver, title, body, outlet}
//   draft_approved / draft_rejected {draft, version, team, participant, comment}
//   inject_receipt     {participant, team, inject, seq, opened}

import { adaptEngagement, avatarInitial, type Engagement, type Persona } from './events';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Obj, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
const num = (o: Obj, k: string): number => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : 0);
const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The kinds this module folds. */
export const WORLD_KINDS = [
  'chat_posted',
  'message_sent',
  'draft_saved',
  'draft_discarded',
  'approval_requested',
  'draft_approved',
  'draft_rejected',
  'inject_receipt',
  'message_submitted',
] as const;

export type MessageAction = 'publish' | 'reply' | 'compose' | 'persona';

export interface ChatLine {
  seq: number;
  room: string;
  /** Participant id, or '' for the facilitator. */
  participant: string;
  name: string;
  team: string;
  body: string;
  byFacilitator: boolean;
  clientId: string;
  atNs: number;
  wallTime: string;
}

export interface WorldMessage {
  seq: number;
  /** The message's id (the client id it was sent with). */
  id: string;
  action: MessageAction;
  team: string;
  participant: string;
  /** Persona id: the one speaking (persona) or written to (compose, reply). */
  personaId: string;
  persona: Persona | null;
  outlet: string;
  outletName: string;
  channel: string;
  platform: string;
  inject: string;
  thread: string;
  title: string;
  /** Markdown. */
  body: string;
  draftedBy: string;
  approvedBy: string;
  canned: string;
  byFacilitator: boolean;
  /** A publication's counts, when its outlet gives them (issue #18). */
  engagement: Engagement | null;
  storyTime: string | null;
  atNs: number;
  wallTime: string;
  audience: string[];
}

export type DraftStatus = 'draft' | 'requested' | 'approved' | 'rejected';

export interface Draft {
  id: string;
  version: number;
  action: MessageAction;
  team: string;
  /** Who saved the latest version. */
  participant: string;
  /** Who saved the first version. */
  createdBy: string;
  outlet: string;
  persona: string;
  inject: string;
  thread: string;
  title: string;
  body: string;
  status: DraftStatus;
  /** The team that approves (a team id, or 'lead'), once approval was requested. */
  approver: string;
  /** Who asked for approval, approved or rejected it (the latest of them). */
  decidedBy: string;
  requestedBy: string;
  comment: string;
  atNs: number;
}

export interface Receipt {
  participant: string;
  team: string;
  inject: string;
  /** The inject event's seq. */
  injectSeq: number;
  receivedNs: number | null;
  openedNs: number | null;
  receivedWall: string;
  openedWall: string;
}

export interface WorldState {
  lastSeq: number;
  /** Room id -> its lines in order. */
  chat: Record<string, ChatLine[]>;
  /** Messages in order. */
  messages: WorldMessage[];
  /** Drafts still open (discarded and sent ones are removed), by id. */
  drafts: Record<string, Draft>;
  /** `${participant}|${inject}` -> receipt. */
  receipts: Record<string, Receipt>;
  seen: Set<number>;
}

export function emptyWorld(): WorldState {
  return { lastSeq: 0, chat: {}, messages: [], drafts: {}, receipts: {}, seen: new Set() };
}

const ACTIONS: readonly string[] = ['publish', 'reply', 'compose', 'persona'];
function action(v: string): MessageAction {
  return (ACTIONS.includes(v) ? v : 'compose') as MessageAction;
}

function personaOf(p: Obj): Persona | null {
  const name = str(p, 'persona_name');
  const handle = str(p, 'persona_handle');
  if (!name && !handle) return null;
  const email = str(p, 'persona_email');
  return {
    name: name || handle,
    handle,
    avatar: avatarInitial(str(p, 'persona_avatar'), name || handle),
    org: str(p, 'persona_org'),
    ...(email ? { email } : {}),
  };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** A message_sent frame (or its flat payload with seq/at) as a WorldMessage. */
export function adaptMessage(f: unknown): WorldMessage | null {
  if (!isObj(f)) return null;
  const p: Obj = isObj(f['payload']) ? f['payload'] : f;
  const seq = num(f, 'seq');
  const team = str(p, 'team');
  const act = str(p, 'action');
  if (seq < 1 || !act) return null;
  const st = str(p, 'story_time');
  const aud = Array.isArray(f['audience']) ? f['audience'] : p['audience'];
  return {
    seq,
    id: str(p, 'message'),
    action: action(act),
    team,
    participant: str(p, 'participant'),
    personaId: str(p, 'persona'),
    persona: personaOf(p),
    outlet: str(p, 'outlet'),
    outletName: str(p, 'outlet_name'),
    channel: str(p, 'channel'),
    platform: str(p, 'platform'),
    inject: str(p, 'inject'),
    thread: str(p, 'thread'),
    title: str(p, 'title'),
    body: str(p, 'body'),
    draftedBy: str(p, 'drafted_by'),
    approvedBy: str(p, 'approved_by'),
    canned: str(p, 'canned'),
    byFacilitator: p['by_facilitator'] === true,
    engagement: adaptEngagement(p['engagement']),
    storyTime: RFC3339.test(st) ? st : null,
    atNs: typeof f['at'] === 'number' ? (f['at'] as number) : num(p, 'at'),
    wallTime: str(f, 'wall_time'),
    audience: strList(aud),
  };
}

function withDraft(s: WorldState, id: string, f: (d: Draft | undefined) => Draft | null): WorldState {
  const next = { ...s.drafts };
  const d = f(next[id]);
  if (d) next[id] = d;
  else delete next[id];
  return { ...s, drafts: next };
}

/** Fold one frame. Pure: the same state back for anything it ignores. */
export function reduceWorld(s: WorldState, f: unknown): WorldState {
  if (!isObj(f) || f['type'] !== 'event' || !isObj(f['payload'])) return s;
  const kind = str(f, 'kind');
  if (!(WORLD_KINDS as readonly string[]).includes(kind)) return s;
  const seq = num(f, 'seq');
  if (!Number.isSafeInteger(seq) || seq < 1 || s.seen.has(seq)) return s;
  const p = f['payload'] as Obj;
  const atNs = num(f, 'at');
  const wall = str(f, 'wall_time');
  const seen = new Set(s.seen);
  seen.add(seq);
  let n: WorldState = { ...s, seen, lastSeq: Math.max(s.lastSeq, seq) };
  switch (kind) {
    case 'chat_posted': {
      const room = str(p, 'room');
      const body = str(p, 'body');
      if (!room || !body) return n;
      const line: ChatLine = {
        seq,
        room,
        participant: str(p, 'participant'),
        name: str(p, 'name'),
        team: str(p, 'team'),
        body,
        byFacilitator: p['by_facilitator'] === true,
        clientId: str(p, 'client_id'),
        atNs,
        wallTime: wall,
      };
      const lines = n.chat[room] ?? [];
      const at = lines.findIndex((l) => l.seq > seq);
      const next = at < 0 ? [...lines, line] : [...lines.slice(0, at), line, ...lines.slice(at)];
      n = { ...n, chat: { ...n.chat, [room]: next } };
      return n;
    }
    case 'message_sent': {
      const m = adaptMessage(f);
      if (!m) return n;
      const at = n.messages.findIndex((x) => x.seq > seq);
      const messages = at < 0 ? [...n.messages, m] : [...n.messages.slice(0, at), m, ...n.messages.slice(at)];
      n = { ...n, messages };
      // A draft that went out is no longer a draft.
      const drafted = str(p, 'draft');
      if (drafted && n.drafts[drafted]) n = withDraft(n, drafted, () => null);
      return n;
    }
    case 'draft_saved': {
      const id = str(p, 'draft');
      if (!id) return n;
      return withDraft(n, id, (d) => {
        const version = num(p, 'version');
        if (d && d.version > version) return d;
        return {
          id,
          version,
          action: action(str(p, 'action')),
          team: str(p, 'team'),
          participant: str(p, 'participant'),
          createdBy: d?.createdBy || str(p, 'participant'),
          outlet: str(p, 'outlet'),
          persona: str(p, 'persona'),
          inject: str(p, 'inject'),
          thread: str(p, 'thread'),
          title: str(p, 'title'),
          body: str(p, 'body'),
          // An edit withdraws a pending or given approval.
          status: 'draft',
          approver: d?.approver ?? '',
          decidedBy: '',
          requestedBy: '',
          comment: '',
          atNs,
        };
      });
    }
    case 'draft_discarded':
      return withDraft(n, str(p, 'draft'), () => null);
    case 'message_submitted': {
      // The input behind a message_sent: a draft it sent is closed.
      const drafted = str(p, 'draft');
      return drafted && n.drafts[drafted] ? withDraft(n, drafted, () => null) : n;
    }
    case 'approval_requested':
    case 'draft_approved':
    case 'draft_rejected': {
      const id = str(p, 'draft');
      const version = num(p, 'version');
      return withDraft(n, id, (d) => {
        // The approver team first hears of a draft through its request.
        const base: Draft = d ?? {
          id,
          version,
          action: 'publish',
          team: str(p, 'team'),
          participant: str(p, 'participant'),
          createdBy: str(p, 'participant'),
          outlet: str(p, 'outlet'),
          persona: '',
          inject: '',
          thread: '',
          title: str(p, 'title'),
          body: str(p, 'body'),
          status: 'draft',
          approver: '',
          decidedBy: '',
          requestedBy: '',
          comment: '',
          atNs,
        };
        // A decision about an older version than the one held says nothing about it.
        if (version && base.version > version) return base;
        if (kind === 'approval_requested') {
          return {
            ...base,
            version: version || base.version,
            title: str(p, 'title') || base.title,
            body: str(p, 'body') || base.body,
            outlet: str(p, 'outlet') || base.outlet,
            status: 'requested',
            approver: str(p, 'approver'),
            requestedBy: str(p, 'participant'),
            decidedBy: '',
            comment: '',
          };
        }
        return { ...base, status: kind === 'draft_approved' ? 'approved' : 'rejected', decidedBy: str(p, 'participant'), comment: str(p, 'comment') };
      });
    }
    case 'inject_receipt': {
      const participant = str(p, 'participant');
      const inject = str(p, 'inject');
      if (!participant || !inject) return n;
      const key = `${participant}|${inject}`;
      const cur: Receipt = n.receipts[key] ?? {
        participant,
        team: str(p, 'team'),
        inject,
        injectSeq: num(p, 'seq'),
        receivedNs: null,
        openedNs: null,
        receivedWall: '',
        openedWall: '',
      };
      const opened = p['opened'] === true;
      const next: Receipt = opened
        ? { ...cur, openedNs: cur.openedNs ?? atNs, openedWall: cur.openedWall || wall, receivedNs: cur.receivedNs ?? atNs, receivedWall: cur.receivedWall || wall }
        : { ...cur, receivedNs: cur.receivedNs ?? atNs, receivedWall: cur.receivedWall || wall };
      return { ...n, receipts: { ...n.receipts, [key]: next } };
    }
  }
  return n;
}

// --- rooms -------------------------------------------------------------------

export interface Room {
  id: string;
  /** What the room list shows. */
  label: string;
  /** Whether the viewer may write in it. */
  canWrite: boolean;
}

export const teamRoom = (team: string) => `team:${team}`;
export const controlRoom = (team: string) => `control:${team}`;
/** The room of a declared line between two teams (ids in order). */
export function lineRoom(a: string, b: string): string {
  return a < b ? `line:${a}:${b}` : `line:${b}:${a}`;
}

/** The teams a room is between (its audience). */
export function roomTeams(room: string): string[] {
  const [kind, ...rest] = room.split(':');
  if ((kind === 'team' || kind === 'control') && rest.length === 1 && rest[0]) return [rest[0]];
  if (kind === 'line' && rest.length === 2 && rest[0] && rest[1]) return rest;
  return [];
}

/** A room's name for people: "Your team", "Facilitator", "Legal" … */
export function roomLabel(room: string, names: Record<string, string>, myTeam = ''): string {
  const [kind, ...rest] = room.split(':');
  const name = (t: string) => names[t] || t;
  if (kind === 'team') return rest[0] === myTeam ? 'Your team' : `${name(rest[0])} (team room)`;
  if (kind === 'control') return myTeam ? 'Facilitator' : `${name(rest[0])} ↔ facilitator`;
  if (kind === 'line') {
    if (myTeam && rest.includes(myTeam)) return name(rest.find((t) => t !== myTeam) ?? myTeam);
    return `${name(rest[0])} ↔ ${name(rest[1])}`;
  }
  return room;
}

/**
 * The rooms a participant of `team` has: their team's room, the line to the
 * facilitator, and a line for each declared partner team (and any line room
 * the log shows them in, should the partner list be unknown).
 */
export function participantRooms(team: string, lines: string[], names: Record<string, string>, chat: Record<string, ChatLine[]> = {}): Room[] {
  const ids = [teamRoom(team), controlRoom(team), ...lines.filter((t) => t && t !== team).map((t) => lineRoom(team, t))];
  for (const r of Object.keys(chat)) if (r.startsWith('line:') && roomTeams(r).includes(team)) ids.push(r);
  return [...new Set(ids)].map((id) => ({ id, label: roomLabel(id, names, team), canWrite: true }));
}

/**
 * Every room for staff: per team its room and its line to the facilitator,
 * then every declared line (pairs), then any other room the log shows.
 */
export function staffRooms(teams: { id: string; name: string }[], lines: [string, string][], chat: Record<string, ChatLine[]>, canWrite: boolean): Room[] {
  const names = Object.fromEntries(teams.map((t) => [t.id, t.name]));
  const ids: string[] = [];
  for (const t of teams) ids.push(teamRoom(t.id), controlRoom(t.id));
  for (const [a, b] of lines) if (a && b && a !== b) ids.push(lineRoom(a, b));
  for (const r of Object.keys(chat)) ids.push(r);
  return [...new Set(ids)].map((id) => ({ id, label: roomLabel(id, names), canWrite }));
}

/** Lines in a room after `readSeq` not written by the viewer. */
export function unread(lines: ChatLine[] | undefined, readSeq: number, me: { participant?: string; facilitator?: boolean }): number {
  let n = 0;
  for (const l of lines ?? []) {
    if (l.seq <= readSeq) continue;
    if (me.facilitator ? l.byFacilitator : me.participant && l.participant === me.participant) continue;
    n++;
  }
  return n;
}

// --- messages ----------------------------------------------------------------

/** Channels the public sees: posts, news and status pages. */
export const PUBLIC_CHANNELS: readonly string[] = ['social', 'news', 'status'];

export interface Thread {
  /** Thread id: the inject id for replies, the first message's id for new messages. */
  id: string;
  team: string;
  personaId: string;
  persona: Persona | null;
  channel: string;
  inject: string;
  title: string;
  messages: WorldMessage[];
  /** The latest message's seq. */
  lastSeq: number;
  /** The latest message is the team's, so the persona owes an answer. */
  awaitingPersona: boolean;
}

/** A message's thread id (the sim sets it; an older frame falls back to the inject or the message). */
export function threadOf(m: WorldMessage): string {
  return m.thread || m.inject || m.id || `m${m.seq}`;
}

/**
 * Conversations between teams and personas (publications are not threads):
 * one per (team, thread), newest activity first.
 */
export function threads(messages: WorldMessage[]): Thread[] {
  const by = new Map<string, Thread>();
  for (const m of messages) {
    if (m.action === 'publish') continue;
    const id = threadOf(m);
    const key = `${m.team}|${id}`;
    let t = by.get(key);
    if (!t) {
      t = { id, team: m.team, personaId: '', persona: null, channel: m.channel, inject: m.inject, title: '', messages: [], lastSeq: 0, awaitingPersona: false };
      by.set(key, t);
    }
    t.messages.push(m);
    t.lastSeq = m.seq;
    if (m.personaId && !t.personaId) t.personaId = m.personaId;
    if (m.persona && !t.persona) t.persona = m.persona;
    if (!t.title && m.title) t.title = m.title;
    if (!t.inject && m.inject) t.inject = m.inject;
    t.awaitingPersona = m.action !== 'persona';
  }
  return [...by.values()].sort((a, b) => b.lastSeq - a.lastSeq);
}

export interface PersonaInbox {
  personaId: string;
  persona: Persona | null;
  threads: Thread[];
  /** Threads whose latest message is a team's. */
  waiting: number;
}

/** The facilitator's inbox: threads grouped by persona, personas with waiting threads first. */
export function personaInbox(messages: WorldMessage[]): PersonaInbox[] {
  const by = new Map<string, PersonaInbox>();
  for (const t of threads(messages)) {
    const key = t.personaId || '(unknown)';
    let box = by.get(key);
    if (!box) {
      box = { personaId: t.personaId, persona: t.persona, threads: [], waiting: 0 };
      by.set(key, box);
    }
    box.threads.push(t);
    if (t.awaitingPersona) box.waiting++;
    if (!box.persona && t.persona) box.persona = t.persona;
  }
  return [...by.values()].sort((a, b) => b.waiting - a.waiting || (b.threads[0]?.lastSeq ?? 0) - (a.threads[0]?.lastSeq ?? 0));
}

/** Whether a message is a publication (seen by its outlet's audience). */
export const isPublication = (m: WorldMessage) => m.action === 'publish';

// --- receipts ----------------------------------------------------------------

export interface ReceiptRow {
  inject: string;
  team: string;
  received: { participant: string; atNs: number }[];
  opened: { participant: string; atNs: number }[];
}

/** Receipts per inject and team, in inject order, then team order. */
export function receiptRows(receipts: Record<string, Receipt>): ReceiptRow[] {
  const by = new Map<string, ReceiptRow & { seq: number }>();
  for (const r of Object.values(receipts)) {
    const key = `${r.inject}|${r.team}`;
    let row = by.get(key);
    if (!row) {
      row = { inject: r.inject, team: r.team, received: [], opened: [], seq: r.injectSeq };
      by.set(key, row);
    }
    if (r.receivedNs !== null) row.received.push({ participant: r.participant, atNs: r.receivedNs });
    if (r.openedNs !== null) row.opened.push({ participant: r.participant, atNs: r.openedNs });
  }
  return [...by.values()]
    .sort((a, b) => a.seq - b.seq || a.inject.localeCompare(b.inject) || a.team.localeCompare(b.team))
    .map(({ seq: _seq, ...row }) => row);
}

// --- limits ------------------------------------------------------------------

/** The server's limits on what a message may hold (docs/protocol.md). */
export const MAX_BODY = 4000;
export const MAX_TITLE = 200;
export const MAX_COMMENT = 1000;

/** Why a text cannot be sent as is, or ''. */
export function bodyProblem(body: string, max = MAX_BODY): string {
  if (!body.trim()) return 'Write something first.';
  const len = Array.from(body).length;
  if (len > max) return `Too long: ${len} of at most ${max} characters.`;
  return '';
}

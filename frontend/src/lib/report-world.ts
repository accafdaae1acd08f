// The report's account of what teams did in the world (issue #18 item 10):
// every message said in the world with who, when, and how long after the
// inject that prompted it, and the chat transcripts per room. Pure, built
// from the same log as the rest of the report.

import { formatClock, formatDuration } from './format';
import { emptyWorld, reduceWorld, roomLabel, threadOf, type WorldMessage, type WorldState } from './world';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ReportMessage {
  seq: number;
  atNs: number;
  action: WorldMessage['action'];
  team: string;
  /** Who sent it: a participant's name, or the persona's for persona messages. */
  by: string;
  /** The persona written to or speaking, or the outlet published on. */
  where: string;
  title: string;
  body: string;
  draftedBy: string;
  approvedBy: string;
  canned: string;
  byFacilitator: boolean;
  /** What prompted it: the inject replied to, else the team's latest before it; for a persona's answer, the team's last message in the thread. */
  prompt: { inject: string; title: string; atNs: number; replied: boolean } | null;
  /** Time from that inject to this message (ns), or null. */
  latencyNs: number | null;
}

export interface ChatTranscript {
  room: string;
  label: string;
  lines: { seq: number; atNs: number; name: string; team: string; body: string; byFacilitator: boolean }[];
}

export interface WorldReport {
  messages: ReportMessage[];
  chat: ChatTranscript[];
}

interface Delivery {
  inject: string;
  title: string;
  atNs: number;
  audience: string[];
}

/** Frames from GET …/report (a frame with or without "type"). */
function asFrame(r: unknown): unknown {
  return isObj(r) && isObj(r['payload']) && r['type'] === undefined ? { ...r, type: 'event' } : r;
}

export function worldReport(rawEvents: unknown[], teamName: (id: string) => string, names: Map<string, string>): WorldReport {
  let w: WorldState = emptyWorld();
  const deliveries: Delivery[] = [];
  for (const r of rawEvents) {
    const f = asFrame(r);
    w = reduceWorld(w, f);
    if (isObj(f) && f['kind'] === 'inject_delivered' && isObj(f['payload'])) {
      const p = f['payload'] as Obj;
      const aud = Array.isArray(f['audience']) ? f['audience'] : p['audience'];
      const persona = typeof p['persona_name'] === 'string' ? p['persona_name'] : '';
      deliveries.push({
        inject: typeof p['inject'] === 'string' ? p['inject'] : '',
        title: (typeof p['title'] === 'string' && p['title']) || (persona ? `from ${persona}` : '') || (typeof p['inject'] === 'string' ? p['inject'] : ''),
        atNs: typeof f['at'] === 'number' ? f['at'] : 0,
        audience: Array.isArray(aud) ? aud.filter((x): x is string => typeof x === 'string') : [],
      });
    }
  }
  const reaches = (d: Delivery, team: string) => d.audience.includes('*') || d.audience.includes(team);
  const who = (id: string) => (id ? names.get(id) || id : '');
  const messages = w.messages.map((m): ReportMessage => {
    let prompt: ReportMessage['prompt'] = null;
    const replied = m.inject || (m.action !== 'publish' ? threadOf(m) : '');
    const exact = replied ? deliveries.filter((d) => d.inject === replied && reaches(d, m.team) && d.atNs <= m.atNs).pop() : undefined;
    if (m.action === 'persona') {
      // A persona answers the team's last message in the thread (as the server's report says).
      const asked = w.messages.filter((x) => x.team === m.team && x.action !== 'persona' && x.seq < m.seq && threadOf(x) === threadOf(m)).pop();
      if (asked) prompt = { inject: '', title: `${who(asked.participant) || teamName(asked.team)}’s message`, atNs: asked.atNs, replied: true };
    } else if (exact) prompt = { inject: exact.inject, title: exact.title, atNs: exact.atNs, replied: true };
    else {
      const latest = deliveries.filter((d) => reaches(d, m.team) && d.atNs <= m.atNs).pop();
      if (latest) prompt = { inject: latest.inject, title: latest.title, atNs: latest.atNs, replied: false };
    }
    const persona = m.persona?.name || m.personaId;
    return {
      seq: m.seq,
      atNs: m.atNs,
      action: m.action,
      team: m.team,
      by: m.action === 'persona' ? `${persona}${m.canned ? ' (canned)' : m.byFacilitator ? ' (facilitator)' : ''}` : who(m.participant),
      where: m.action === 'publish' ? m.outletName || m.outlet : persona,
      title: m.title,
      body: m.body,
      draftedBy: who(m.draftedBy),
      approvedBy: who(m.approvedBy),
      canned: m.canned,
      byFacilitator: m.byFacilitator,
      prompt,
      latencyNs: prompt ? Math.max(0, m.atNs - prompt.atNs) : null,
    };
  });
  const teamNames: Record<string, string> = {};
  for (const id of new Set(Object.values(w.chat).flatMap((ls) => ls.map((l) => l.team)))) if (id) teamNames[id] = teamName(id);
  for (const room of Object.keys(w.chat)) for (const t of room.split(':').slice(1)) teamNames[t] = teamName(t);
  const chat = Object.keys(w.chat)
    .sort()
    .map((room) => ({
      room,
      label: roomLabel(room, teamNames),
      lines: w.chat[room].map((l) => ({
        seq: l.seq,
        atNs: l.atNs,
        name: l.byFacilitator ? 'Facilitator' : l.name || who(l.participant) || 'someone',
        team: l.team,
        body: l.body,
        byFacilitator: l.byFacilitator,
      })),
    }));
  return { messages, chat };
}

const ACTION: Record<WorldMessage['action'], string> = { publish: 'published on', reply: 'replied to', compose: 'wrote to', persona: 'answered' };

/** One line of text for a message (the timeline and the Markdown table). */
export function messageLine(m: ReportMessage, teamName: (id: string) => string): string {
  if (m.action === 'persona') return `${m.by} answered ${teamName(m.team)}`;
  return `${m.by || 'someone'} (${teamName(m.team)}) ${ACTION[m.action]} ${m.where || '—'}`;
}

/** The Markdown sections "What teams wrote" and "Chat"; `text` makes typed text inert (bodies included: people typed them). */
export function worldMarkdown(r: WorldReport, teamName: (id: string) => string, text: (s: string) => string): string[] {
  const block = (s: string) =>
    s
      .trim()
      .split('\n')
      .map((l) => `> ${text(l)}`.trimEnd())
      .join('\n');
  const out: string[] = ['## What teams wrote', ''];
  if (r.messages.length === 0) out.push('Nothing was written in the world.', '');
  for (const m of r.messages) {
    const lat = m.latencyNs !== null && m.prompt ? `, ${formatDuration(m.latencyNs / 1e6)} after “${text(m.prompt.title)}”${m.prompt.replied ? '' : ' (latest inject before it)'}` : '';
    const chain = [m.draftedBy ? `drafted by ${text(m.draftedBy)}` : '', m.approvedBy ? `approved by ${text(m.approvedBy)}` : ''].filter(Boolean).join(', ');
    out.push(`### ${formatClock(m.atNs)} — ${text(messageLine(m, teamName))}`, '');
    out.push(`${chain ? `${chain[0].toUpperCase()}${chain.slice(1)}. ` : ''}Sent ${formatClock(m.atNs)}${lat}.`, '');
    if (m.title) out.push(`**${text(m.title)}**`, '');
    out.push(block(m.body), '');
  }
  out.push('## Chat', '');
  if (r.chat.length === 0) out.push('No chat.', '');
  for (const room of r.chat) {
    out.push(`### ${text(room.label)}`, '');
    for (const l of room.lines) out.push(`- ${formatClock(l.atNs)} **${text(l.name)}**${l.team && !l.byFacilitator ? ` (${text(teamName(l.team))})` : ''}: ${text(l.body)}`);
    out.push('');
  }
  return out;
}

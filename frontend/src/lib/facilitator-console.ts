// The live console's state: a pure fold of the exercise log (every event,
// the facilitator sees all of them) plus the occasional snapshot from
// GET /api/exercises/:id for what the log does not say (who is online, the
// exact clock). Pages keep one ConsoleState and replace it with the result
// of applyEvent / applySnapshot / applyPresence.

import { adaptLogEvent, type LogEvent, type VarValue } from './events';
import type { ExerciseStatus, Presence, PresenceBatch, Snapshot } from './facilitator';
import type { ScenarioModel } from './facilitator-scenario';

export interface ConsoleAnswer {
  participant: string;
  name: string;
  team: string;
  option: string;
  optionLabel: string;
  text: string;
  confidence: number | null;
  rationale: string;
  atNs: number;
  /** Time from the decision opening to this (latest) answer. */
  responseNs: number;
}

export interface ConsoleDecision {
  id: string;
  team: string;
  prompt: string;
  options: { id: string; label: string }[];
  mode: string;
  openedAtNs: number;
  closesAtNs: number | null;
  timeLimitNs: number;
  /** Time the facilitator added to the limit, in total (ns). */
  extendedNs: number;
  answers: ConsoleAnswer[];
  open: boolean;
  /** answered | default | expired, once closed. */
  settled: string;
  option: string;
  optionLabel: string;
  closeReason: string;
  closedAtNs: number | null;
  state: string;
}

export interface ConsoleParticipant {
  id: string;
  name: string;
  team: string;
  lead: boolean;
  online: boolean;
  /** active | idle, when online. */
  activity: string;
  left: boolean;
}

export interface PathStep {
  state: string;
  atNs: number;
}

export interface ConsoleOutcome {
  outcome: string;
  rating: string;
  title: string;
  debrief: string;
  reason: string;
}

export interface ConsoleState {
  lastSeq: number;
  status: ExerciseStatus;
  speed: number;
  /** The latest exercise clock reading the console knows (ns). */
  clockNs: number;
  state: string;
  path: PathStep[];
  vars: Record<string, VarValue>;
  decisions: ConsoleDecision[];
  participants: ConsoleParticipant[];
  /** Every event, in sequence order. */
  events: LogEvent[];
  outcome: ConsoleOutcome | null;
  errors: LogEvent[];
}

export function initialConsole(model: ScenarioModel | null = null): ConsoleState {
  const vars: Record<string, VarValue> = {};
  for (const v of model?.variables ?? []) vars[v.id] = v.initial;
  return {
    lastSeq: 0,
    status: 'lobby',
    speed: 1,
    clockNs: 0,
    state: '',
    path: [],
    vars,
    decisions: [],
    participants: [],
    events: [],
    outcome: null,
    errors: [],
  };
}

function upsertParticipant(list: ConsoleParticipant[], id: string, f: (p: ConsoleParticipant) => ConsoleParticipant): ConsoleParticipant[] {
  const i = list.findIndex((p) => p.id === id);
  if (i < 0) {
    return [...list, f({ id, name: '', team: '', lead: false, online: false, activity: '', left: false })];
  }
  return list.map((p, j) => (j === i ? f(p) : p));
}

function nameOf(s: ConsoleState, participant: string): string {
  return s.participants.find((p) => p.id === participant)?.name ?? '';
}

function updateDecision(list: ConsoleDecision[], id: string, f: (d: ConsoleDecision) => ConsoleDecision): ConsoleDecision[] {
  // The latest opening of a decision id is the one that counts.
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i].id === id) return list.map((d, j) => (j === i ? f(d) : d));
  }
  return list;
}

/** Record or revise one participant's answer (answers may be revised until the decision closes). */
function withAnswer(d: ConsoleDecision, a: ConsoleAnswer): ConsoleDecision {
  const label = a.optionLabel || d.options.find((o) => o.id === a.option)?.label || a.option;
  const ans = { ...a, optionLabel: label, responseNs: Math.max(0, a.atNs - d.openedAtNs) };
  const i = d.answers.findIndex((x) => x.participant === a.participant);
  const answers = i < 0 ? [...d.answers, ans] : d.answers.map((x, j) => (j === i ? { ...ans, name: ans.name || x.name } : x));
  return { ...d, answers };
}

/** Fold one adapted log event into the state. Pure; a repeated seq is ignored. */
export function reduceConsole(s: ConsoleState, ev: LogEvent): ConsoleState {
  if (ev.seq <= s.lastSeq && s.events.some((e) => e.seq === ev.seq)) return s;
  const events = ev.seq > s.lastSeq ? [...s.events, ev] : [...s.events, ev].sort((a, b) => a.seq - b.seq);
  let n: ConsoleState = { ...s, events, lastSeq: Math.max(s.lastSeq, ev.seq), clockNs: Math.max(s.clockNs, ev.atNs) };
  switch (ev.kind) {
    case 'participant_joined':
      n.participants = upsertParticipant(n.participants, ev.participant, (p) => ({
        ...p,
        name: ev.name || p.name,
        team: ev.team || p.team,
        lead: ev.lead,
        left: false,
      }));
      break;
    case 'participant_left':
      n.participants = upsertParticipant(n.participants, ev.participant, (p) => ({ ...p, left: true, online: false }));
      break;
    case 'lead_changed':
      n.participants = n.participants.map((p) => (p.team === ev.team ? { ...p, lead: p.id === ev.participant } : p));
      break;
    case 'participant_moved':
      // The old team's new lead, if any, follows as lead_changed.
      n.participants = upsertParticipant(n.participants, ev.participant, (p) => ({ ...p, name: p.name || ev.name, team: ev.team || p.team, lead: ev.lead }));
      break;
    case 'exercise_started':
      n.status = 'running';
      if (ev.speed > 0) n.speed = ev.speed;
      break;
    case 'exercise_paused':
      if (n.status !== 'ended') n.status = 'paused';
      break;
    case 'exercise_resumed':
      if (n.status !== 'ended') n.status = 'running';
      break;
    case 'speed_changed':
      if (ev.speed > 0) n.speed = ev.speed;
      break;
    case 'clock_skipped':
      n.clockNs = Math.max(n.clockNs, ev.clockToNs);
      break;
    case 'state_entered':
      n.state = ev.state;
      n.path = [...n.path, { state: ev.state, atNs: ev.atNs }];
      break;
    case 'effect_applied':
      if (ev.variable) n.vars = { ...n.vars, [ev.variable]: ev.newValue };
      break;
    case 'decision_opened':
      n.decisions = [
        ...n.decisions,
        {
          id: ev.decision,
          team: ev.team,
          prompt: ev.prompt,
          options: ev.options,
          mode: ev.mode,
          openedAtNs: ev.atNs,
          closesAtNs: ev.closesAtNs,
          timeLimitNs: ev.timeLimitNs,
          extendedNs: 0,
          answers: [],
          open: true,
          settled: '',
          option: '',
          optionLabel: '',
          closeReason: '',
          closedAtNs: null,
          state: ev.state,
        },
      ];
      break;
    case 'decision_answered':
    case 'answer_submitted':
    case 'facilitator_answer':
      n.decisions = updateDecision(n.decisions, ev.decision, (d) =>
        withAnswer(d, {
          participant: ev.participant || (ev.kind === 'facilitator_answer' ? 'facilitator' : ''),
          name: nameOf(n, ev.participant) || (ev.kind === 'facilitator_answer' ? 'Facilitator' : ''),
          team: ev.team || d.team,
          option: ev.option,
          optionLabel: ev.optionLabel,
          text: ev.text,
          confidence: ev.confidence,
          rationale: ev.rationale,
          atNs: ev.atNs,
          responseNs: 0,
        }),
      );
      break;
    case 'decision_extended':
      // The new deadline and limit come whole; only an open decision moves.
      n.decisions = updateDecision(n.decisions, ev.decision, (d) =>
        d.open && ev.closesAtNs !== null
          ? { ...d, closesAtNs: ev.closesAtNs, timeLimitNs: ev.timeLimitNs || d.timeLimitNs, extendedNs: d.extendedNs + ev.byNs }
          : d,
      );
      break;
    case 'decision_closed':
      n.decisions = updateDecision(n.decisions, ev.decision, (d) => ({
        ...d,
        open: false,
        settled: ev.settled || (ev.option ? 'answered' : 'expired'),
        option: ev.option,
        optionLabel: ev.optionLabel || d.options.find((o) => o.id === ev.option)?.label || ev.option,
        closeReason: ev.closeReason,
        closedAtNs: ev.atNs,
      }));
      break;
    case 'outcome_reached':
      n.outcome = { outcome: ev.outcome, rating: ev.rating, title: ev.title, debrief: ev.debrief, reason: ev.reason };
      n.status = 'ended';
      n.decisions = n.decisions.map((d) => (d.open ? { ...d, open: false } : d));
      break;
    case 'facilitator_end':
      n.status = 'ended';
      break;
    case 'error':
      n.errors = [...n.errors, ev];
      break;
  }
  return n;
}

/** Fold a batch of raw frames (a catch-up, or a page of the log). */
export function loadEvents(s: ConsoleState, raws: unknown[]): ConsoleState {
  let n = s;
  for (const raw of raws) {
    const ev = adaptLogEvent(raw);
    if (ev) n = reduceConsole(n, ev);
  }
  return n;
}

/**
 * Take what a snapshot knows better than the log: status, speed, clock and
 * who is connected. Variables and answers come from the snapshot only when
 * it is at least as new as the log the console has folded.
 */
export function applySnapshot(s: ConsoleState, snap: Snapshot, online: Presence[] = []): ConsoleState {
  const n: ConsoleState = { ...s, speed: snap.speed || s.speed, clockNs: snap.clockNs };
  if (snap.status) n.status = snap.status;
  // The snapshot's participant list says who joined and has not left; its
  // online list (live connections) says who is here right now.
  let parts = s.participants;
  for (const p of snap.participants) {
    parts = upsertParticipant(parts, p.id, (x) => ({ ...x, name: p.name || x.name, team: p.team || x.team, lead: p.lead, left: !p.present }));
  }
  const on = new Map(online.map((p) => [p.participant, p]));
  for (const o of online) {
    parts = upsertParticipant(parts, o.participant, (x) => ({ ...x, name: x.name || o.name, team: x.team || o.team }));
  }
  parts = parts.map((p) => {
    const o = on.get(p.id);
    return { ...p, online: o?.online ?? false, activity: o?.online ? o.status || 'active' : '' };
  });
  n.participants = parts;
  if (snap.lastSeq >= s.lastSeq) {
    if (snap.vars.length) {
      const vars = { ...s.vars };
      for (const v of snap.vars) vars[v.id] = v.value;
      n.vars = vars;
    }
    if (snap.state) n.state = snap.state;
    for (const sd of snap.decisions) {
      n.decisions = updateDecision(n.decisions, sd.id, (d) => {
        let x = d;
        for (const a of sd.answers) {
          x = withAnswer(x, {
            participant: a.participant,
            name: a.name || nameOf(n, a.participant),
            team: d.team,
            option: a.option,
            optionLabel: '',
            text: a.text,
            confidence: x.answers.find((y) => y.participant === a.participant)?.confidence ?? null,
            rationale: x.answers.find((y) => y.participant === a.participant)?.rationale ?? '',
            atNs: a.atNs,
            responseNs: a.responseNs,
          });
        }
        return x;
      });
    }
  }
  return n;
}

function withPresence(list: ConsoleParticipant[], p: Presence): ConsoleParticipant[] {
  return upsertParticipant(list, p.participant, (x) => ({
    ...x,
    name: p.name || x.name,
    team: p.team || x.team,
    online: p.online,
    activity: p.online ? p.status || x.activity || 'active' : '',
  }));
}

/**
 * A presence frame: the latest state of each participant who connected, went
 * idle or left since the previous frame. The frame's team counts are not
 * kept: the rosters count the participants online, so the two cannot drift
 * apart between frames and snapshots.
 */
export function applyPresence(s: ConsoleState, batch: PresenceBatch): ConsoleState {
  if (batch.changes.length === 0) return s;
  let participants = s.participants;
  for (const p of batch.changes) participants = withPresence(participants, p);
  return { ...s, participants };
}

export interface TeamRoster {
  id: string;
  name: string;
  members: ConsoleParticipant[];
  online: number;
}

/** Participants grouped by the scenario's teams (unknown teams last). */
export function rosters(s: ConsoleState, teams: { id: string; name: string }[]): TeamRoster[] {
  const out: TeamRoster[] = teams.map((t) => ({ id: t.id, name: t.name, members: [], online: 0 }));
  for (const p of s.participants) {
    if (p.left) continue;
    let r = out.find((t) => t.id === p.team);
    if (!r) {
      r = { id: p.team, name: p.team || 'No team', members: [], online: 0 };
      out.push(r);
    }
    r.members.push(p);
    if (p.online) r.online++;
  }
  for (const r of out) r.members.sort((a, b) => Number(b.lead) - Number(a.lead) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return out;
}

/** Delivered injects, newest first, for the "everything delivered" feed. */
export function deliveredInjects(s: ConsoleState): LogEvent[] {
  const out: LogEvent[] = [];
  for (let i = s.events.length - 1; i >= 0; i--) if (s.events[i].kind === 'inject_delivered' && s.events[i].inject) out.push(s.events[i]);
  return out;
}

/** The speeds the console offers (the server accepts 1 to 10). */
export const SPEEDS = [1, 2, 3, 5, 10] as const;

/** The exercise clock's rate for the countdowns: 0 unless running. */
export function clockRate(s: ConsoleState): number {
  return s.status === 'running' ? s.speed : 0;
}

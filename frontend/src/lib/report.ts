// The after-action report: a model built from GET /api/exercises/:id/report
// (the exercise, its scenario and its whole log), and the exports generated
// from it in the browser: Markdown, JSON and CSV. Everything here is pure,
// so the exports are tested byte for byte.

import { adaptLogEvent, type LogEvent } from './events';
import { adaptExercise, isObj, type ExerciseInfo } from './facilitator';
import { initialConsole, reduceConsole, type ConsoleDecision, type ConsoleOutcome, type ConsoleState } from './facilitator-console';
import { adaptScenario, decisionsById, stateTitle, teamName, withParams, type ModelObjective, type ScenarioModel } from './facilitator-scenario';
import { formatClock, formatDuration, formatSpan } from './format';
import { outcomeCause, reasonedPath, reasonText, takenEdgeKeys, viaOf } from './path-reasons';
import { answeredBy } from './start-check';
import { messageLine, worldMarkdown, worldReport, type WorldReport } from './report-world';

export interface ReportNote {
  seq: number;
  atNs: number;
  author: string;
  /** The note was written by the facilitator (private to staff). */
  byFacilitator: boolean;
  team: string;
  objective: string;
  text: string;
}

export interface ReportAnswer {
  participant: string;
  name: string;
  option: string;
  optionLabel: string;
  text: string;
  confidence: number | null;
  rationale: string;
  atNs: number;
  responseNs: number;
}

export interface ReportDecision {
  id: string;
  team: string;
  teamName: string;
  prompt: string;
  state: string;
  openedAtNs: number;
  closedAtNs: number | null;
  /** Time the facilitator added to its limit, in total (ns); 0 when none. */
  extendedNs: number;
  /** answered | default | expired | '' (still open when the report was made). */
  settled: string;
  option: string;
  optionLabel: string;
  closeReason: string;
  answers: ReportAnswer[];
  objectives: string[];
}

export interface ReportObjective extends ModelObjective {
  decisions: string[];
  injects: string[];
  notes: ReportNote[];
}

export interface TimelineEntry {
  seq: number;
  atNs: number;
  wallTime: string;
  storyTime: string;
  kind: string;
  state: string;
  audience: string[];
  summary: string;
}

export interface ReportStep {
  state: string;
  title: string;
  atNs: number;
  /** Why this state was entered: the rule with its values, after, or forced. */
  why: string;
}

export interface Report {
  exercise: ExerciseInfo;
  scenario: { id: string; title: string; summary: string };
  model: ScenarioModel;
  outcome: ConsoleOutcome | null;
  path: ReportStep[];
  /** The branch-graph edges taken (the very transitions, see path-reasons.ts). */
  takenEdges: Set<string>;
  /** What led to the outcome (the last step's reason), or ''. */
  outcomeCause: string;
  decisions: ReportDecision[];
  objectives: ReportObjective[];
  notes: ReportNote[];
  participants: { id: string; name: string; team: string; lead: boolean }[];
  timeline: TimelineEntry[];
  /** The last exercise clock reading in the log. */
  durationNs: number;
  /** What teams wrote in the world, and the chat per room (issue #18). */
  world: WorldReport;
}

const FAC_PREFIX = 'facilitator:';

function teamList(model: ScenarioModel, ids: string[]): string {
  return ids.map((t) => teamName(model, t)).join(', ');
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '—';
  return typeof v === 'number' ? String(Math.round(v * 100) / 100) : String(v);
}

/** One line of plain text saying what an event was. */
export function summarize(ev: LogEvent, model: ScenarioModel, names: Map<string, string>): string {
  const who = (id: string) => names.get(id) || id || 'someone';
  const team = (id: string) => teamName(model, id);
  const choice = (ev.optionLabel || ev.option || (ev.text ? `“${ev.text}”` : '')).trim();
  switch (ev.kind) {
    case 'exercise_created':
      return `Exercise created: ${ev.title || ev.params['title'] || 'untitled'}`;
    case 'participant_joined':
      return `${ev.name || ev.participant} joined ${team(ev.team)}${ev.lead ? ' as lead' : ''}`;
    case 'participant_left':
      return `${who(ev.participant)} left ${team(ev.team)}`;
    case 'lead_changed':
      return `${who(ev.participant)} is now the lead of ${team(ev.team)}`;
    case 'participant_moved':
      return `${who(ev.participant)} moved from ${team(ev.fromTeam)} to ${team(ev.team)}${ev.lead ? ' as lead' : ''}`;
    case 'exercise_started':
      return `Exercise started at ×${ev.speed || 1}`;
    case 'exercise_paused':
      return 'Paused';
    case 'exercise_resumed':
      return 'Resumed';
    case 'speed_changed':
      return `Speed ×${ev.speed}`;
    case 'clock_skipped':
      return `Skipped ahead from ${formatClock(ev.clockFromNs)} to ${formatClock(ev.clockToNs)}`;
    case 'clock_tick':
      return `Clock reached ${formatClock(ev.clockToNs)}`;
    case 'started':
      return 'Scenario started';
    case 'state_entered':
      return `Entered “${ev.title || stateTitle(model, ev.state)}”`;
    case 'inject_delivered': {
      const i = ev.inject;
      const what = [i?.title, i?.from?.name ? `from ${i.from.name}` : ''].filter(Boolean).join(' ');
      const to = ev.audience.includes('*') ? 'all teams' : ev.audience.length ? teamList(model, ev.audience) : 'staff only';
      return `${ev.adhoc ? 'Ad-hoc ' : ''}${ev.channel || 'inject'}${what ? `: ${what}` : ''} → ${to}`;
    }
    case 'inject_skipped':
      return `Inject ${ev.injectId} skipped (${ev.reason || 'condition false'})`;
    case 'decision_skipped':
      return `Decision ${ev.decision} not opened for ${team(ev.team)} (${ev.reason || 'condition false'})`;
    case 'facilitator_inject':
      return `Facilitator sent an ad-hoc ${ev.channel || 'inject'}`;
    case 'inject_scheduled':
      return `Facilitator scheduled an ad-hoc ${ev.channel || 'inject'} for later`;
    case 'inject_schedule_cancelled':
      return 'Facilitator cancelled a scheduled inject';
    case 'decision_opened':
      return `Decision ${ev.decision} opened for ${team(ev.team)}`;
    case 'answer_submitted':
    case 'facilitator_answer':
      return `${ev.kind === 'facilitator_answer' ? 'Facilitator' : who(ev.participant)} submitted ${choice || 'an answer'} to ${ev.decision}`;
    case 'decision_answered':
      return `${who(ev.participant)} (${team(ev.team)}) answered ${ev.decision}: ${choice || '—'}`;
    case 'decision_closed':
      return ev.settled === 'expired' || (!ev.option && !ev.text)
        ? `Decision ${ev.decision} closed unanswered${ev.closeReason ? ` (${ev.closeReason.replace('_', ' ')})` : ''}`
        : `Decision ${ev.decision} settled: ${choice}${ev.settled === 'default' ? ' (default)' : ''}${ev.closeReason ? ` (${ev.closeReason.replace('_', ' ')})` : ''}`;
    case 'facilitator_close':
      return `Facilitator closed decision ${ev.decision}`;
    case 'facilitator_extend':
      return `Facilitator asked to extend ${ev.decision} by ${formatSpan(ev.byNs)}`;
    case 'decision_extended':
      return `Facilitator extended ${ev.decision}${ev.team ? ` (${team(ev.team)})` : ''} by ${formatSpan(ev.byNs)}${ev.closesAtNs !== null ? `; now closes at ${formatClock(ev.closesAtNs)}` : ''}`;
    case 'effect_applied':
      return `${ev.variable}: ${show(ev.oldValue)} → ${show(ev.newValue)}`;
    case 'timer_fired':
      return 'Timer fired';
    case 'transition_taken':
      return `${stateTitle(model, ev.fromState)} → ${stateTitle(model, ev.toState)} (${reasonText(viaOf(ev))})`;
    case 'facilitator_force':
      return `Facilitator forced a move to ${stateTitle(model, ev.toState)}`;
    case 'facilitator_end':
      return `Facilitator ended the exercise${ev.reason ? `: ${ev.reason}` : ''}`;
    case 'outcome_reached':
      return `Outcome: ${ev.title || ev.outcome}${ev.rating ? ` (${ev.rating})` : ''}`;
    case 'note_added': {
      const author = ev.name.startsWith(FAC_PREFIX) ? `${ev.name.slice(FAC_PREFIX.length)} (facilitator)` : ev.name;
      return `Note by ${author || 'observer'}${ev.team ? ` on ${team(ev.team)}` : ''}: ${ev.text}`;
    }
    case 'error':
      return `Error (${ev.errorCode || 'unknown'}): ${ev.error}`;
    case 'chat_posted':
      return `Chat line by ${ev.name || who(ev.participant)}`;
    case 'approval_requested':
      return `${who(ev.participant)} (${team(ev.team)}) asked for approval of a draft`;
    case 'draft_approved':
    case 'draft_rejected':
      return `${ev.participant ? who(ev.participant) : 'The facilitator'} ${ev.kind === 'draft_approved' ? 'approved' : 'returned'} a draft of ${team(ev.team)}`;
    default:
      return ev.kind.replace(/_/g, ' ');
  }
}

/** Kinds left out of the on-screen timeline (they repeat what others say); the CSV keeps them. */
export const QUIET_KINDS = new Set(['clock_tick', 'answer_submitted', 'facilitator_answer', 'started', 'timer_fired', 'facilitator_inject', 'facilitator_close', 'facilitator_extend', 'message_submitted', 'chat_posted', 'inject_receipt', 'draft_saved', 'draft_discarded']);

function reportDecision(d: ConsoleDecision, model: ScenarioModel, objectives: Map<string, string[]>): ReportDecision {
  return {
    id: d.id,
    team: d.team,
    teamName: teamName(model, d.team),
    prompt: d.prompt,
    state: d.state,
    openedAtNs: d.openedAtNs,
    closedAtNs: d.closedAtNs,
    extendedNs: d.extendedNs,
    settled: d.open ? '' : d.settled,
    option: d.option,
    optionLabel: d.optionLabel,
    closeReason: d.closeReason,
    answers: d.answers.map((a) => ({
      participant: a.participant,
      name: answeredBy(a.participant, a.name, teamName(model, d.team)),
      option: a.option,
      optionLabel: a.optionLabel,
      text: a.text,
      confidence: a.confidence,
      rationale: a.rationale,
      atNs: a.atNs,
      responseNs: a.responseNs,
    })),
    objectives: objectives.get(d.id) ?? [],
  };
}

/** Build the report from the JSON of GET /api/exercises/:id/report. */
export function buildReport(raw: unknown): Report {
  const o = isObj(raw) ? raw : {};
  const exercise = adaptExercise(o['exercise']);
  const model = withParams(adaptScenario(o['scenario']), exercise.params);
  const rawEvents = Array.isArray(o['events']) ? o['events'] : [];
  const events: LogEvent[] = [];
  for (const r of rawEvents) {
    const ev = adaptLogEvent(r);
    if (ev) events.push(ev);
  }
  events.sort((a, b) => a.seq - b.seq);
  let st: ConsoleState = initialConsole(model);
  const decisionObjectives = new Map<string, string[]>();
  for (const [id, d] of decisionsById(model)) decisionObjectives.set(id, d.objectives);
  const notes: ReportNote[] = [];
  const injectObjectives = new Map<string, string[]>();
  for (const ev of events) {
    st = reduceConsole(st, ev);
    if (ev.kind === 'decision_opened' && ev.objectives.length) decisionObjectives.set(ev.decision, ev.objectives);
    if (ev.kind === 'inject_delivered' && ev.objectives.length) injectObjectives.set(ev.injectId || `#${ev.seq}`, ev.objectives);
    if (ev.kind === 'note_added') {
      const fac = ev.name.startsWith(FAC_PREFIX);
      notes.push({
        seq: ev.seq,
        atNs: ev.atNs,
        author: fac ? ev.name.slice(FAC_PREFIX.length) : ev.name,
        byFacilitator: fac,
        team: ev.team,
        objective: ev.objective,
        text: ev.text,
      });
    }
  }
  const names = new Map(st.participants.map((p) => [p.id, p.name]));
  const world = worldReport(rawEvents, (t) => teamName(model, t), names);
  const messageAt = new Map(world.messages.map((m) => [m.seq, m]));
  const steps = reasonedPath(events, model);
  const decisions = st.decisions.map((d) => reportDecision(d, model, decisionObjectives));
  const objectives: ReportObjective[] = model.objectives.map((ob) => ({
    ...ob,
    decisions: decisions.filter((d) => d.objectives.includes(ob.id)).map((d) => d.id),
    injects: [...injectObjectives].filter(([, obs]) => obs.includes(ob.id)).map(([id]) => id),
    notes: notes.filter((n) => n.objective === ob.id),
  }));
  return {
    exercise,
    scenario: { id: model.id, title: model.title, summary: model.summary },
    model,
    outcome: st.outcome,
    path: steps.map((p) => ({ state: p.state, title: p.title, atNs: p.atNs, why: p.why })),
    takenEdges: takenEdgeKeys(model, steps),
    outcomeCause: st.outcome && st.outcome.outcome !== 'ended' ? outcomeCause(steps) : '',
    decisions,
    objectives,
    notes,
    participants: st.participants.map((p) => ({ id: p.id, name: p.name, team: p.team, lead: p.lead })),
    timeline: events.map((ev) => ({
      seq: ev.seq,
      atNs: ev.atNs,
      wallTime: ev.wallTime,
      storyTime: ev.storyTime ?? '',
      kind: ev.kind,
      state: ev.state,
      audience: ev.audience,
      summary: ev.kind === 'message_sent' && messageAt.has(ev.seq) ? messageLine(messageAt.get(ev.seq)!, (t) => teamName(model, t)) : summarize(ev, model, names),
    })),
    durationNs: events.reduce((m, e) => Math.max(m, e.atNs), 0),
    world,
  };
}

/** A response time for people: m:ss. */
export function responseTime(ns: number): string {
  return formatDuration(ns / 1e6);
}

// --- Markdown ---------------------------------------------------------------

/**
 * Text typed by people (names, answers, notes) as inert Markdown: characters
 * that would start emphasis, links, code, HTML or a table cell are escaped,
 * and line breaks become spaces.
 */
export function mdText(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]<>|#~!]/g, (c) => `\\${c}`)
    .trim();
}

function mdBlock(s: string, prefix = ''): string {
  // Author-written Markdown (prompts, debriefs) kept as written, line by line.
  return s
    .trim()
    .split(/\r?\n/)
    .map((l) => `${prefix}${l}`.trimEnd())
    .join('\n');
}

function settledText(d: ReportDecision): string {
  if (!d.settled) return 'still open';
  if (d.settled === 'expired') return 'closed unanswered';
  const what = d.optionLabel || d.option || 'free-text answer';
  return `${d.settled === 'default' ? 'default taken: ' : ''}**${mdText(what)}**`;
}

export function toMarkdown(r: Report): string {
  const out: string[] = [];
  const title = r.exercise.title || r.scenario.title || r.exercise.id;
  out.push(`# After-action report: ${mdText(title)}`, '');
  const facts = [
    `- Scenario: ${mdText(r.scenario.title || r.scenario.id)}${r.scenario.id ? ` (\`${r.scenario.id}\`)` : ''}`,
    `- Exercise: \`${r.exercise.id}\`, ${r.exercise.status || 'unknown'}`,
  ];
  if (r.exercise.startedAt) facts.push(`- Started: ${r.exercise.startedAt}`);
  if (r.exercise.endedAt) facts.push(`- Ended: ${r.exercise.endedAt}`);
  facts.push(`- Exercise clock at the end: ${formatClock(r.durationNs)}`);
  facts.push(`- Participants: ${r.participants.length}`);
  out.push(...facts, '');

  out.push('## Outcome', '');
  if (r.outcome) {
    const rating = r.outcome.rating ? ` (${r.outcome.rating})` : '';
    out.push(`**${mdText(r.outcome.title || r.outcome.outcome)}**${rating}`, '');
    if (r.outcome.reason) out.push(`Ended by the facilitator: ${mdText(r.outcome.reason)}`, '');
    if (r.outcomeCause) out.push(`Why this outcome: ${mdText(r.outcomeCause)}`, '');
    if (r.outcome.debrief) out.push(mdBlock(r.outcome.debrief), '');
  } else {
    out.push('No outcome yet: the exercise has not ended.', '');
  }

  out.push('## Path taken', '');
  if (r.path.length === 0) out.push('The exercise did not start.', '');
  else {
    r.path.forEach((p, i) => out.push(`${i + 1}. ${formatClock(p.atNs)} — ${mdText(p.title)} (${mdText(p.why)})`));
    out.push('');
  }

  out.push('## Decisions', '');
  if (r.decisions.length === 0) out.push('No decision was opened.', '');
  for (const d of r.decisions) {
    out.push(`### ${mdText(d.id)} — ${mdText(d.teamName)}`, '');
    if (d.prompt) out.push(mdBlock(d.prompt, '> '), '');
    const closed = d.closedAtNs !== null ? `, closed ${formatClock(d.closedAtNs)}${d.closeReason ? ` (${d.closeReason.replace('_', ' ')})` : ''}` : '';
    const extended = d.extendedNs > 0 ? `, extended by ${formatSpan(d.extendedNs)}` : '';
    out.push(`Opened ${formatClock(d.openedAtNs)}${extended}${closed}: ${settledText(d)}.`, '');
    if (d.answers.length) {
      out.push('| Participant | Answer | Response time | Confidence | Rationale |', '| --- | --- | --- | --- | --- |');
      for (const a of d.answers) {
        const ans = [a.optionLabel || a.option, a.text ? `“${a.text}”` : ''].filter(Boolean).join(' ');
        out.push(`| ${mdText(a.name)} | ${mdText(ans) || '—'} | ${responseTime(a.responseNs)} | ${a.confidence ?? '—'} | ${mdText(a.rationale) || '—'} |`);
      }
      out.push('');
    } else out.push('No answers.', '');
  }

  out.push('## Objectives', '');
  if (r.objectives.length === 0) out.push('The scenario names no objectives.', '');
  for (const ob of r.objectives) {
    out.push(`### ${mdText(ob.title)}`, '');
    if (ob.capability) out.push(`Capability: ${mdText(ob.capability)}`, '');
    if (ob.met) out.push(`What “met” looks like: ${mdText(ob.met)}`, '');
    out.push(`Related decisions: ${ob.decisions.length ? ob.decisions.map((d) => `\`${d}\``).join(', ') : 'none opened'}`, '');
    if (ob.notes.length) {
      out.push('Notes:', '');
      for (const n of ob.notes) out.push(`- ${formatClock(n.atNs)} ${mdText(n.author)}${n.byFacilitator ? ' (facilitator)' : ''}: ${mdText(n.text)}`);
      out.push('');
    }
  }
  const loose = r.notes.filter((n) => !n.objective || !r.objectives.some((o) => o.id === n.objective));
  if (loose.length) {
    out.push('## Other notes', '');
    for (const n of loose) out.push(`- ${formatClock(n.atNs)} ${mdText(n.author)}${n.byFacilitator ? ' (facilitator)' : ''}${n.team ? ` on ${mdText(teamName(r.model, n.team))}` : ''}: ${mdText(n.text)}`);
    out.push('');
  }

  out.push(...worldMarkdown(r.world, (t) => teamName(r.model, t), mdText));

  out.push('## Timeline', '', '| Clock | Event |', '| --- | --- |');
  for (const t of r.timeline) if (!QUIET_KINDS.has(t.kind)) out.push(`| ${formatClock(t.atNs)} | ${mdText(t.summary)} |`);
  out.push('');
  return out.join('\n');
}

// --- JSON -------------------------------------------------------------------

export function toJSON(r: Report): string {
  const { model: _model, takenEdges, ...rest } = r;
  return `${JSON.stringify({ format: 'ttx-report', version: 1, ...rest, takenEdges: [...takenEdges] }, null, 2)}\n`;
}

// --- CSV --------------------------------------------------------------------

/**
 * One CSV cell (RFC 4180): quoted when it holds a quote, comma or line break,
 * quotes doubled. A cell a spreadsheet would read as a formula (starting with
 * = + - @, or a tab or carriage return) gets a leading apostrophe first, so
 * opening the export never runs anything.
 */
export function csvCell(v: string | number | null | undefined): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = ['seq', 'clock', 'clock_seconds', 'wall_time', 'story_time', 'kind', 'state', 'audience', 'summary'] as const;

export function toCSV(r: Report): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const t of r.timeline) {
    rows.push(
      [t.seq, formatClock(t.atNs), Math.round(t.atNs / 1e6) / 1e3, t.wallTime, t.storyTime, t.kind, t.state, t.audience.join(' '), t.summary]
        .map(csvCell)
        .join(','),
    );
  }
  return `${rows.join('\r\n')}\r\n`;
}

/** A file name for an export: ttx-report-<exercise id>.<ext>, safe on every OS. */
export function exportName(r: Report, ext: string): string {
  const id = (r.exercise.id || 'exercise').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  return `ttx-report-${id}.${ext}`;
}

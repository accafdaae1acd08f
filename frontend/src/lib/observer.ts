// The observer's live session, without any DOM: the exercise view, the
// socket, the feed of everything observers may see, the people and teams,
// the objectives the scenario tags its injects with, and notes.

import { derived, get, writable, type Readable } from 'svelte/store';
import { ApiError, noteBody, type Api, type ConnectionStatus, type NoteSubmission, type ObjectiveOption, type ObserveInfo, type ObserverSession, type TeamOption } from './api';
import type { ClockSync } from './clock';
import { adaptClockEvent, adaptNote, adaptRosterEvent, isEndFrame, objectivesOf, type NoteView } from './events';
import { createFeed, type FeedStore } from './feed';
import { emptyWorld, reduceWorld, type WorldState } from './world';
import { addEvidence, adaptEvaluation, initialEval, reduceEval, withBase, type EvalState, type EvidenceItem } from './evaluation';
import { applyClockEvent, clockSync, initialClock, wallOffset, type ClockState } from './liveclock';
import type { LiveSocket, ServerFrame, StatusDetail } from './socket';

export interface ObserveSession {
  readonly feed: FeedStore;
  readonly info: Readable<ObserveInfo | null>;
  readonly fatal: Readable<string>;
  readonly status: Readable<ConnectionStatus>;
  readonly statusDetail: Readable<StatusDetail>;
  readonly clock: Readable<ClockSync | null>;
  /** Participant id -> name. */
  readonly names: Readable<Record<string, string>>;
  /** Teams from the exercise, plus any team seen in events. */
  readonly teams: Readable<TeamOption[]>;
  /** Every objective of the scenario (titles from the server), then any other id seen on injects and decisions. */
  readonly objectives: Readable<ObjectiveOption[]>;
  /** Notes observers may see, oldest first. */
  readonly notes: Readable<NoteView[]>;
  /** Chat in every room, messages, drafts, receipts (lib/world.ts). */
  readonly world: Readable<WorldState>;
  /** The evaluation (issue #19): the GET's answer with the live rating frames folded in. */
  readonly evaluation: Readable<EvalState>;
  /** What a rating may cite: decisions, notes, messages and chat seen so far. */
  readonly evidence: Readable<EvidenceItem[]>;
  start(): Promise<void>;
  /** (Re)load GET /evaluation; rejects with the server's error. */
  loadEvaluation(): Promise<void>;
  /** Send a `rate` message (REST when the socket is not live); resolves once recorded. */
  rate(body: Record<string, unknown>): Promise<void>;
  /** Add a note; resolves once the server recorded it. */
  addNote(n: NoteSubmission): Promise<void>;
  reconnect(): void;
  destroy(): void;
}

export function createObserveSession(api: Api, session: ObserverSession, now: () => number = () => Date.now()): ObserveSession {
  const feed = createFeed();
  const info = writable<ObserveInfo | null>(null);
  const fatal = writable('');
  const status = writable<ConnectionStatus>('connecting');
  const statusDetail = writable<StatusDetail>({});
  const names = writable<Record<string, string>>({});
  const seenTeams = writable<string[]>([]);
  const seenObjectives = writable<string[]>([]);
  const notes = writable<NoteView[]>([]);
  const world = writable<WorldState>(emptyWorld());
  const evaluation = writable<EvalState>(initialEval());
  const evidence = writable<EvidenceItem[]>([]);
  const clock = writable<ClockSync | null>(null);
  let clockState: ClockState = initialClock;
  let offset: number | null = null;
  let socket: LiveSocket | null = null;
  let destroyed = false;
  let ended = false;

  const teams = derived([info, seenTeams], ([$info, $seen]) => {
    const out = [...($info?.teams ?? [])];
    for (const t of $seen) if (!out.some((x) => x.id === t)) out.push({ id: t, name: t });
    return out;
  });

  const objectives = derived([info, seenObjectives], ([$info, $seen]) => {
    const out = [...($info?.objectives ?? [])];
    for (const o of $seen) if (!out.some((x) => x.id === o)) out.push({ id: o, title: o });
    return out;
  });

  const addTeam = (t: string) => {
    if (t && t !== '*' && t !== 'facilitator' && !get(seenTeams).includes(t)) seenTeams.update((s) => [...s, t]);
  };

  const onEvent = (f: ServerFrame, live: boolean) => {
    // The backlog after a (re)connect is shown without the "new" highlight.
    if (live) feed.apply(f);
    else feed.load([f]);
    const w = get(world);
    const nw = reduceWorld(w, f);
    if (nw !== w) world.set(nw);
    const e = get(evaluation);
    const ne = reduceEval(e, f);
    if (ne !== e) evaluation.set(ne);
    const ev = get(evidence);
    const nev = addEvidence(ev, f, { team: (t) => get(teams).find((x) => x.id === t)?.name ?? t, person: (p) => get(names)[p] ?? '' });
    if (nev !== ev) evidence.set(nev);
    const c = adaptClockEvent(f);
    if (c) {
      clockState = applyClockEvent(clockState, c);
      clock.set(clockSync(clockState, offset));
    }
    const r = adaptRosterEvent(f);
    if (r) {
      addTeam(r.team);
      if (r.kind === 'joined') names.update((m) => ({ ...m, [r.participant]: r.name }));
    }
    const objs = objectivesOf(f);
    if (objs.length) seenObjectives.update((o) => [...o, ...objs.filter((x) => !o.includes(x))]);
    const n = adaptNote(f);
    if (n) notes.update((l) => (l.some((x) => x.seq === n.seq) ? l : [...l, n]));
    if (isEndFrame(f)) {
      // The end shows at once, not at the next reconnect.
      ended = true;
      if (get(status) === 'live') status.set('ended');
    }
  };

  const onFrame = (f: ServerFrame) => {
    if (f.type === 'hello') {
      const o = wallOffset(f['server_time'], now());
      if (o !== null) {
        offset = o;
        clock.set(clockSync(clockState, offset));
      }
    }
  };

  const onStatus = (s: string, d: StatusDetail) => {
    statusDetail.set(d);
    if (s === 'live') status.set(ended ? 'ended' : 'live');
    else if (s === 'closed') {
      if (d.code === 4502 || d.code === 4401) {
        api.forgetObserver();
        fatal.set('Your observer access was revoked or is no longer valid.');
      }
      status.set(ended ? 'ended' : 'offline');
    } else status.set(s === 'connecting' ? 'connecting' : 'reconnecting');
  };

  return {
    feed,
    info,
    fatal,
    status,
    statusDetail,
    clock,
    names,
    teams,
    objectives,
    notes,
    world,
    evaluation,
    evidence,
    async loadEvaluation() {
      const v = await api.evaluation(session);
      evaluation.update((e) => withBase(e, adaptEvaluation(v)));
    },
    async rate(body) {
      if (socket?.status() === 'live') await socket.request('rate', body, { resend: true });
      else await api.rateRest(session, body);
    },
    async start() {
      try {
        const i = await api.observeInfo(session);
        if (destroyed) return;
        info.set(i);
        names.update((m) => {
          const next = { ...m };
          for (const p of i.participants) next[p.id] = p.name;
          return next;
        });
        if (i.exercise.status === 'ended') ended = true;
      } catch (err) {
        if (destroyed) return;
        if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
          api.forgetObserver();
          fatal.set('Your observer access was revoked or is no longer valid.');
          status.set('offline');
          return;
        }
      }
      // Observers stay connected after the end: notes may still be added.
      socket = api.connect(session, {
        lastSeq: () => feed.lastSeq(),
        onEvent,
        onFrame,
        onStatus,
        onReset: () => {
          feed.reset();
          world.set(emptyWorld());
          evaluation.update((e) => ({ ...initialEval(), base: e.base }));
          evidence.set([]);
        },
      });
      socket.start();
    },
    async addNote(n) {
      if (socket?.status() === 'live') {
        await socket.request('note', noteBody(n));
      } else {
        await api.noteRest(session, n);
      }
    },
    reconnect() {
      socket?.retryNow();
    },
    destroy() {
      destroyed = true;
      socket?.close();
    },
  };
}

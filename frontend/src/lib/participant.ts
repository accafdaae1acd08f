// The participant's live session, without any DOM: it loads the team's view,
// keeps the socket, folds frames into the feed, keeps the exercise clock
// (seeded from the server's reading, then moved by the clock events), tracks
// the team roster (names and lead) and how many teammates are online, and
// delivers answers exactly once.
//
// A move to another team (participant_moved naming this participant) keeps
// the socket: the server already filters what follows for the new team. The
// page holds later frames, loads the new team's view and whole history over
// REST, rebuilds the feed and roster from them, then goes on (see "Moving a
// participant" in docs/protocol.md).
//
// Answers: each gets a client id (its idempotency key) kept in an outbox,
// which is saved in sessionStorage. An answer is sent over the socket; it is
// resent with the same id after a reconnect or a reload until the server
// acknowledges or refuses it. When the socket has not been live for a while
// (WebSockets blocked, a flaky proxy), the REST route takes the answer
// instead, with the same id, so nothing is counted twice.

import { derived, get, writable, type Readable } from 'svelte/store';
import {
  ApiError,
  answerBody,
  type AnswerSubmission,
  type Api,
  type ConnectionStatus,
  type ParticipantSession,
  type PlayInfo,
} from './api';
import type { ClockSync } from './clock';
import type { ExercisePhase } from './conn-label';
import { adaptClockEvent, adaptPresenceFrame, adaptRosterEvent, isEndFrame, parseServerTime, type FeedEvent, type RosterEvent } from './events';
import { createFeed, type FeedStore } from './feed';
import { emptyWorld, reduceWorld, type WorldState } from './world';
import { createReceipts } from './receipts';
import { applyClockEvent, clockSync, initialClock, replyOffset, seedClock, wallOffset, type ClockState } from './liveclock';
import {
  ConnectionLostError,
  RequestError,
  RequestTimeoutError,
  type Ack,
  type LiveSocket,
  type ServerFrame,
  type StatusDetail,
} from './socket';

export interface Member {
  id: string;
  name: string;
  lead: boolean;
}

export type OutboxState = 'sending' | 'queued' | 'failed';

export interface OutboxEntry {
  clientId: string;
  answer: AnswerSubmission;
  state: OutboxState;
  /** Why it failed (failed), or what is happening (queued). */
  message: string;
}

/** The facilitator moved this participant to another team. */
export interface MoveNotice {
  from: string;
  to: string;
  /** The new team's name. */
  toName: string;
  /** Whether the new team's earlier messages were loaded (else a reload shows them). */
  complete: boolean;
}

/** Pages of history a move loads at most (1000 events each). */
const MAX_HISTORY_PAGES = 100;
/** Tries at loading the new team's view after a move. */
const MOVE_TRIES = 3;

/** Why the session stopped for good, when it did. */
export type EndReason = '' | 'ended' | 'removed' | 'invalid';

export interface PlayDeps {
  storage?: Storage | null;
  now?: () => number;
  newId?: () => string;
  /** A fresh live event (inject, decision...): beep or vibrate. */
  onFresh?: (ev: FeedEvent) => void;
  /** Milliseconds without a live socket after which answers use REST. */
  restAfterMs?: number;
  /** Pause before sending an unconfirmed answer again. */
  retryMs?: number;
}

export interface PlaySession {
  readonly feed: FeedStore;
  readonly info: Readable<PlayInfo | null>;
  /** Loading or access problem, shown instead of the page. */
  readonly fatal: Readable<string>;
  readonly status: Readable<ConnectionStatus>;
  readonly statusDetail: Readable<StatusDetail>;
  readonly stopped: Readable<EndReason>;
  readonly clock: Readable<ClockSync | null>;
  /** Where the exercise is, by the clock ('' until the first reading): the pill says "Live" only while it runs. */
  readonly phase: Readable<ExercisePhase>;
  readonly members: Readable<Record<string, Member>>;
  /** Participants of the team online now (this one included); null while unknown or not live. */
  readonly teamOnline: Readable<number | null>;
  /** Whether this participant leads the team now. */
  readonly lead: Readable<boolean>;
  readonly outbox: Readable<Record<string, OutboxEntry>>;
  /** Set when the facilitator moves this participant to another team. */
  readonly moved: Readable<MoveNotice | null>;
  dismissMove(): void;
  /** Chat, messages, drafts: what the team does in the world (lib/world.ts). */
  readonly world: Readable<WorldState>;
  start(): Promise<void>;
  /**
   * Send a world command (chat, draft, send, approve, receipt…) over the
   * socket. Every such command is idempotent by its id, so it is resent
   * after a reconnect until acknowledged or refused.
   */
  request(type: string, body: Record<string, unknown>, id?: string): Promise<Ack>;
  /** The card of the inject delivered at this seq has been on screen. */
  opened(seq: number): void;
  answer(a: AnswerSubmission): void;
  /** Send a failed or queued answer again, with its original id. */
  retry(decision: string): void;
  /** Retry the connection now. */
  reconnect(): void;
  /** Tell the team whether this participant is looking (page visibility). */
  presence(active: boolean): void;
  destroy(): void;
}

function defaultId(): string {
  return typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `a-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

const ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;

/** A hello whose server time disagrees with the measured offset by more than this replaces it. */
const OFFSET_JUMP_MS = 1000;

function loadOutbox(storage: Storage | null, key: string): Record<string, OutboxEntry> {
  try {
    const raw = storage?.getItem(key);
    if (!raw) return {};
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return {};
    const out: Record<string, OutboxEntry> = {};
    for (const [k, e] of Object.entries(v as Record<string, unknown>)) {
      const o = e as Partial<OutboxEntry> | null;
      const a = o?.answer as Partial<AnswerSubmission> | undefined;
      if (!o || typeof o.clientId !== 'string' || !ID_RE.test(o.clientId) || !a || a.decision !== k) continue;
      out[k] = {
        clientId: o.clientId,
        answer: {
          decision: k,
          option: typeof a.option === 'string' ? a.option : '',
          text: typeof a.text === 'string' ? a.text : '',
          confidence: typeof a.confidence === 'number' ? a.confidence : null,
          rationale: typeof a.rationale === 'string' ? a.rationale : '',
        },
        state: 'queued',
        message: '',
      };
    }
    return out;
  } catch {
    return {};
  }
}

/** Whether an answer error means "try again later" rather than "refused". */
function transient(err: unknown): boolean {
  if (err instanceof RequestTimeoutError) return true;
  if (err instanceof ConnectionLostError) return true;
  if (err instanceof ApiError) return err.status === 0 || err.status === 429 || err.status >= 500;
  if (err instanceof RequestError) return err.code === 'rate_limited' || err.code === 'unavailable' || err.code === 'timeout' || err.code === 'overflow';
  return false;
}

function refusal(err: unknown): string {
  if (err instanceof RequestError || err instanceof ApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

export function createPlaySession(api: Api, session: ParticipantSession, deps: PlayDeps = {}): PlaySession {
  const storage = deps.storage ?? null;
  const now = deps.now ?? (() => Date.now());
  const newId = deps.newId ?? defaultId;
  const restAfterMs = deps.restAfterMs ?? 10_000;
  const retryMs = deps.retryMs ?? 5_000;
  const outboxKey = `ttx.outbox.${session.exercise}.${session.participant}`;

  const feed = createFeed({ onFresh: deps.onFresh });
  const info = writable<PlayInfo | null>(null);
  const fatal = writable('');
  const status = writable<ConnectionStatus>('connecting');
  const statusDetail = writable<StatusDetail>({});
  const stopped = writable<EndReason>('');
  const members = writable<Record<string, Member>>({});
  const teamOnline = writable<number | null>(null);
  const leadOverride = writable<boolean | null>(null);
  const outbox = writable<Record<string, OutboxEntry>>(loadOutbox(storage, outboxKey));
  const moved = writable<MoveNotice | null>(null);
  // The team whose view the page holds (feed, roster, presence count).
  let team = session.team;
  // Frames held while a move loads the new team's view; null otherwise.
  let held: { f: ServerFrame; live: boolean }[] | null = null;
  const world = writable<WorldState>(emptyWorld());
  const receipts = createReceipts({
    send: (seq, opened) => (socket ? socket.request('receipt', { seq, opened }, { id: newId(), resend: true }) : Promise.reject(new Error('not connected'))),
    storage,
    key: `ttx.receipts.${session.exercise}.${session.participant}`,
  });

  let clockState: ClockState = initialClock;
  let offset: number | null = null;
  const clock = writable<ClockSync | null>(null);
  const phase = writable<ExercisePhase>('');
  // Whether a reading or a clock event has told where the exercise is.
  let phaseKnown = false;
  const updateClock = () => {
    clock.set(clockSync(clockState, offset));
    if (phaseKnown) phase.set(!clockState.started ? 'lobby' : clockState.paused ? 'paused' : 'running');
  };

  let socket: LiveSocket | null = null;
  let destroyed = false;
  let everLive = false;
  let notLiveSince = now();
  let ended = false;

  const lead = derived([info, members, leadOverride], ([$info, $members, $override]) => {
    const m = $members[session.participant];
    if (m) return m.lead;
    if ($override !== null) return $override;
    return $info?.me.lead ?? session.lead;
  });

  const saveOutbox = () => {
    const keep: Record<string, { clientId: string; answer: AnswerSubmission }> = {};
    for (const [k, e] of Object.entries(get(outbox))) {
      if (e.state !== 'failed') keep[k] = { clientId: e.clientId, answer: e.answer };
    }
    try {
      if (Object.keys(keep).length === 0) storage?.removeItem(outboxKey);
      else storage?.setItem(outboxKey, JSON.stringify(keep));
    } catch {
      /* the outbox then lasts as long as the page */
    }
  };

  const setEntry = (decision: string, e: OutboxEntry | null) => {
    outbox.update((o) => {
      const next = { ...o };
      if (e) next[decision] = e;
      else delete next[decision];
      return next;
    });
    saveOutbox();
  };

  const isCurrent = (decision: string, clientId: string) => get(outbox)[decision]?.clientId === clientId;

  const useRest = () => {
    const st = socket?.status();
    if (st === 'live') return false;
    return !everLive || now() - notLiveSince >= restAfterMs;
  };

  function send(decision: string) {
    const e = get(outbox)[decision];
    if (!e || destroyed) return;
    const { clientId, answer } = e;
    setEntry(decision, { ...e, state: 'sending', message: '' });
    let p: Promise<Ack>;
    if (useRest() || !socket) {
      p = api.answerRest(session, answer, clientId);
    } else {
      p = socket.request('answer', answerBody(answer), { id: clientId, resend: true });
    }
    p.then(
      () => {
        if (isCurrent(decision, clientId)) setEntry(decision, null);
      },
      (err: unknown) => {
        if (!isCurrent(decision, clientId) || destroyed) return;
        if (err instanceof ConnectionLostError && err.message === 'Cancelled.') return;
        if (transient(err)) {
          setEntry(decision, {
            ...get(outbox)[decision],
            state: 'queued',
            message:
              get(status) === 'live'
                ? 'Not confirmed yet. Trying again shortly.'
                : 'Saved on this device. It will be sent when the connection is back.',
          });
          // Once the stream is live again flushQueued sends it; meanwhile
          // (a slow server, the REST path) try again after a pause.
          setTimeout(() => {
            if (!destroyed && isCurrent(decision, clientId) && get(outbox)[decision].state === 'queued' && (useRest() || get(status) === 'live')) send(decision);
          }, retryMs);
        } else {
          setEntry(decision, { ...get(outbox)[decision], state: 'failed', message: refusal(err) });
        }
      },
    );
  }

  const flushQueued = () => {
    for (const [d, e] of Object.entries(get(outbox))) if (e.state === 'queued') send(d);
  };

  /** Start the clock from the server's reading on the exercise GET. */
  const seed = (c: PlayInfo['clock'], sentMs: number, receivedMs: number) => {
    if (!c) return;
    const serverMs = parseServerTime(c.serverTime);
    if (!Number.isFinite(serverMs)) return;
    clockState = seedClock({ atNs: c.atNs, speed: c.speed, status: c.status, serverMs });
    phaseKnown = true;
    offset = replyOffset(c.serverTime, sentMs, receivedMs);
    updateClock();
  };

  const stop = (reason: EndReason) => {
    stopped.set(reason);
    if (reason === 'ended') status.set('ended');
    socket?.close();
  };

  const onRoster = (f: unknown) => {
    const r = adaptRosterEvent(f);
    if (!r) return;
    members.update((m) => {
      const next = { ...m };
      if (r.kind === 'joined') next[r.participant] = { id: r.participant, name: r.name, lead: r.lead };
      else if (r.kind === 'moved') {
        // The team's lead does not change when someone comes in (they lead
        // only a team without one); a leaving lead's successor follows as
        // lead_changed.
        if (r.team === team) next[r.participant] = { id: r.participant, name: r.name || next[r.participant]?.name || '', lead: r.lead };
        else if (r.from === team) delete next[r.participant];
        if (r.participant === session.participant) leadOverride.set(r.lead);
      }      else if (r.kind === 'lead') {
        for (const k of Object.keys(next)) if (next[k].lead) next[k] = { ...next[k], lead: false };
        next[r.participant] = { ...(next[r.participant] ?? { id: r.participant, name: '' }), lead: true };
        if (r.participant !== session.participant) leadOverride.set(false);
        else leadOverride.set(true);
      } else if (r.kind === 'left' && next[r.participant]) {
        next[r.participant] = { ...next[r.participant], lead: false };
      }
      return next;
    });
  };

  /** One page after another of the log as the (new) team sees it. */
  const loadHistory = async (): Promise<unknown[]> => {
    const out: unknown[] = [];
    let after = 0;
    for (let i = 0; i < MAX_HISTORY_PAGES; i++) {
      const page = await api.teamEvents(session, after);
      out.push(...page.events);
      if (!page.more || page.nextAfter <= after) break;
      after = page.nextAfter;
    }
    return out;
  };

  /**
   * This participant was moved: load the new team's view and its whole
   * history, rebuild the feed and the roster from them, then apply what
   * arrived meanwhile. If it cannot be loaded, the page goes on with what it
   * has and the notice says a reload shows the rest.
   */
  const switchTeam = async (m: RosterEvent) => {
    held = [];
    team = m.team;
    let complete = false;
    for (let attempt = 0; attempt < MOVE_TRIES && !destroyed && !complete; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, retryMs));
      try {
        const [i, history] = await Promise.all([api.playInfo(session), loadHistory()]);
        if (destroyed) return;
        info.set(i);
        feed.reset();
        leadOverride.set(null);
        members.set({ [i.me.id]: { id: i.me.id, name: i.me.name, lead: i.me.lead } });
        feed.load(history);
        // What the new team did in the world (chat, drafts, messages)
        // replaces the old team's, as the feed does.
        world.set(history.reduce(reduceWorld, emptyWorld()));
        for (const f of history) {
          onRoster(f);
          const e = f as { kind?: unknown; seq?: unknown };
          if (e.kind === 'inject_delivered' && typeof e.seq === 'number' && !get(stopped)) receipts.received(e.seq);
        }
        complete = true;
      } catch {
        /* tried again after a pause */
      }
    }
    if (destroyed) return;
    const toName = get(info)?.teams.find((t) => t.id === m.team)?.name || m.team;
    moved.set({ from: m.from, to: m.team, toName, complete });
    const later = held ?? [];
    held = null;
    for (const h of later) onEvent(h.f, h.live);
  };

  const onEvent = (f: ServerFrame, live: boolean) => {
    if (held) {
      held.push({ f, live });
      return;
    }
    const r = adaptRosterEvent(f);
    if (r?.kind === 'moved' && r.participant === session.participant && r.team !== team) {
      // The history load brings this frame too.
      void switchTeam(r);
      return;
    }
    // The backlog after a (re)connect is shown without the "new" highlight.
    if (live) feed.apply(f);
    else feed.load([f]);
    const w = get(world);
    const nw = reduceWorld(w, f);
    if (nw !== w) world.set(nw);
    if (f.kind === 'inject_delivered' && typeof f.seq === 'number' && !get(stopped)) receipts.received(f.seq);
    const c = adaptClockEvent(f);
    if (c) {
      clockState = applyClockEvent(clockState, c);
      phaseKnown = true;
      updateClock();
    }
    onRoster(f);
    if (isEndFrame(f)) {
      ended = true;
      if (socket?.status() === 'live') stop('ended');
    }
  };

  const onFrame = (f: ServerFrame) => {
    if (f.type === 'hello') {
      // The offset measured on the exercise GET allows for the round trip;
      // the hello's only for one way. Take the hello's when there is none,
      // or when the local clock has clearly been set since.
      const o = wallOffset(f['server_time'], now());
      if (o !== null && (offset === null || Math.abs(o - offset) > OFFSET_JUMP_MS)) {
        offset = o;
        updateClock();
      }
    } else if (f.type === 'presence') {
      const b = adaptPresenceFrame(f);
      const n = b?.teams[team];
      if (n !== undefined) teamOnline.set(n);
    } else if (f.type === 'live' && ended) {
      stop('ended');
    }
  };

  const onStatus = (s: string, d: StatusDetail) => {
    statusDetail.set(d);
    if (s === 'live') {
      everLive = true;
      status.set('live');
      flushQueued();
      return;
    }
    // Offline, the count is stale; the server sends a new one once live.
    teamOnline.set(null);
    if (get(status) === 'live') notLiveSince = now();
    if (s === 'closed') {
      if (get(stopped)) return;
      if (d.code === 4502 || d.code === 4401) {
        api.forgetParticipant();
        stopped.set(d.code === 4502 ? 'removed' : 'invalid');
        status.set('offline');
      } else if (ended) {
        stop('ended');
      } else if (!destroyed) {
        status.set('offline');
      }
      return;
    }
    status.set(s === 'connecting' ? 'connecting' : 'reconnecting');
  };

  return {
    feed,
    info,
    fatal,
    status,
    statusDetail,
    stopped,
    clock,
    phase,
    members,
    teamOnline,
    lead,
    outbox,
    moved,
    dismissMove() {
      moved.set(null);
    },
    world,
    async start() {
      try {
        const sent = now();
        const i = await api.playInfo(session);
        if (destroyed) return;
        info.set(i);
        if (i.me.team) team = i.me.team;
        seed(i.clock, sent, now());
        members.update((m) => ({ ...m, [i.me.id]: m[i.me.id] ?? { id: i.me.id, name: i.me.name, lead: i.me.lead } }));
      } catch (err) {
        if (destroyed) return;
        if (err instanceof ApiError && (err.status === 401 || err.status === 403 || err.status === 404)) {
          api.forgetParticipant();
          stopped.set('invalid');
          fatal.set(err.status === 404 ? 'This exercise no longer exists.' : err.message);
          status.set('offline');
          return;
        }
        // Carry on without the team view: the feed still works.
        fatal.set('');
      }
      socket = api.connect(session, {
        lastSeq: () => feed.lastSeq(),
        onEvent,
        onFrame,
        onStatus,
        onReset: () => {
          feed.reset();
          world.set(emptyWorld());
        },
      });
      socket.start();
      // Answers left over from before a reload go out once the stream is live.
    },
    answer(a) {
      if (get(stopped)) return;
      const prev = get(outbox)[a.decision];
      // A newer answer replaces one still waiting, which must then never be sent.
      if (prev) socket?.cancel(prev.clientId);
      setEntry(a.decision, { clientId: newId(), answer: a, state: 'queued', message: '' });
      if (get(status) === 'live' || useRest()) send(a.decision);
      else
        setEntry(a.decision, {
          ...get(outbox)[a.decision],
          message: 'Saved on this device. It will be sent when the connection is back.',
        });
    },
    request(type, body, id) {
      if (!socket || get(stopped)) return Promise.reject(new ConnectionLostError(id ?? '', 'Not connected.'));
      return socket.request(type, body, { id: id ?? newId(), resend: true });
    },
    opened(seq) {
      if (!get(stopped)) receipts.opened(seq);
    },
    retry(decision) {
      if (get(outbox)[decision]) send(decision);
    },
    reconnect() {
      socket?.retryNow();
    },
    presence(active) {
      if (socket?.status() === 'live') socket.request('presence', { status: active ? 'active' : 'idle' }).catch(() => undefined);
    },
    destroy() {
      destroyed = true;
      receipts.stop();
      socket?.close();
    },
  };
}

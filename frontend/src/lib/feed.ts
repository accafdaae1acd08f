// The feed store: every event the page has received for the exercise, in
// sequence order, plus what the events imply for the decision prompts.
//
// Wiring to the live socket is one call per frame: `feed.apply(raw)` with the
// event object exactly as the server sent it (or `feed.load(list)` for the
// catch-up batch after a reconnect). Repeated sequence numbers, which a
// reconnect can replay, are ignored; `feed.lastSeq()` is what the page sends
// when it reconnects.

import { writable, type Readable } from 'svelte/store';
import { adaptEvent, decisionIdOf, type AnswerView, type DecisionView, type FeedEvent, type OutcomeView } from './events';

export type DecisionStatus = 'open' | 'answered' | 'closed' | 'expired';

export interface DecisionState {
  decision: DecisionView;
  status: DecisionStatus;
  /** The team's current (or settled) answer. */
  answer: AnswerView | null;
  openedSeq: number;
  /**
   * The latest extension of its time limit: how much was added, by which
   * event, and whether it arrived live (the prompt then says so briefly).
   */
  extension: { byNs: number; seq: number; fresh: boolean } | null;
  /** A vote: each member's current vote, oldest first (participant ids, or names once mapped). */
  ballots?: { participant: string; option: string }[];
  /** A vote once settled by count: the count per option and whether the top count was shared. */
  result?: { votes: { option: string; count: number }[]; tie: boolean } | null;
  /** Closed with the scenario's default because nobody answered: not the team's decision. */
  byDefault?: boolean;
}

export interface FeedItem {
  ev: FeedEvent;
  /** Arrived live (not in a catch-up batch): highlighted, may beep. */
  fresh: boolean;
}

export interface FeedState {
  /** Events in increasing sequence order. */
  items: FeedItem[];
  lastSeq: number;
  /** Decisions by open order. */
  decisions: DecisionState[];
  outcome: OutcomeView | null;
}

export const emptyFeed: FeedState = { items: [], lastSeq: 0, decisions: [], outcome: null };

function updateDecision(decisions: DecisionState[], ev: FeedEvent, fresh: boolean): DecisionState[] {
  const id = decisionIdOf(ev);
  const idx = decisions.findIndex((d) => d.decision.id === id);
  if (ev.kind === 'decision_opened' && ev.decision) {
    const next: DecisionState = { decision: ev.decision, status: 'open', answer: null, openedSeq: ev.seq, extension: null };
    return idx < 0 ? [...decisions, next] : decisions.map((d, i) => (i === idx ? next : d));
  }
  if (idx < 0) return decisions;
  const cur = decisions[idx];
  let next: DecisionState = cur;
  if (ev.kind === 'decision_answered' && ev.answer) {
    // An answer after the close (a late replay) must not reopen the prompt.
    next = { ...cur, answer: ev.answer, status: cur.status === 'open' || cur.status === 'answered' ? 'answered' : cur.status };
    if (cur.decision.mode === 'vote' && ev.answer.option && (cur.status === 'open' || cur.status === 'answered')) {
      const a = ev.answer;
      next.ballots = [...(cur.ballots ?? []).filter((b) => b.participant !== a.participant), { participant: a.participant, option: a.option }];
    }
  } else if (ev.kind === 'decision_extended' && ev.extension) {
    // Only a decision still open has a deadline to move.
    if (cur.status !== 'open' && cur.status !== 'answered') return decisions;
    const x = ev.extension;
    next = {
      ...cur,
      decision: { ...cur.decision, closesAtNs: x.closesAtNs, timeLimitNs: x.timeLimitNs || cur.decision.timeLimitNs },
      extension: { byNs: x.byNs, seq: ev.seq, fresh },
    };
  } else if (ev.kind === 'decision_closed') {
    const settled = ev.answer && (ev.answer.option || ev.answer.text) ? ev.answer : null;
    const answer = settled ? { ...settled, participant: settled.participant || cur.answer?.participant || '' } : cur.answer;
    next = {
      ...cur,
      decision: ev.decision ?? cur.decision,
      answer: ev.expired ? null : answer,
      status: ev.expired || !answer ? 'expired' : 'closed',
    };
    if (ev.byDefault && next.status === 'closed') next.byDefault = true;
    if (cur.decision.mode === 'vote' && ev.votes.length > 0 && next.answer) {
      // Settled by count: the result is the team's, credited to nobody.
      next.answer = { ...next.answer, participant: '' };
      next.result = { votes: ev.votes, tie: ev.tie };
    }
  }
  return decisions.map((d, i) => (i === idx ? next : d));
}

/**
 * Fold one adapted event into the state. Pure: returns the same object when
 * the event was already seen.
 */
export function reduce(state: FeedState, ev: FeedEvent, fresh: boolean): FeedState {
  const items = state.items;
  // Fast path: the next event in order. Otherwise find its place and drop
  // duplicates (a reconnect replays what the page may already have).
  let at = items.length;
  if (items.length > 0 && ev.seq <= items[items.length - 1].ev.seq) {
    at = items.findIndex((it) => it.ev.seq >= ev.seq);
    if (items[at].ev.seq === ev.seq) return state;
  }
  const item: FeedItem = { ev, fresh };
  const nextItems = at === items.length ? [...items, item] : [...items.slice(0, at), item, ...items.slice(at)];
  let decisions = state.decisions;
  if (ev.kind === 'decision_opened' || ev.kind === 'decision_answered' || ev.kind === 'decision_closed' || ev.kind === 'decision_extended') {
    decisions = updateDecision(decisions, ev, fresh);
  }
  return {
    items: nextItems,
    lastSeq: Math.max(state.lastSeq, ev.seq),
    decisions,
    outcome: ev.kind === 'outcome_reached' && ev.outcome ? ev.outcome : state.outcome,
  };
}

export interface FeedStore extends Readable<FeedState> {
  /** Add one live event as received from the server. Returns whether it was new. */
  apply(raw: unknown): boolean;
  /** Add a catch-up batch (history after a (re)connect): not highlighted. */
  load(raws: unknown[]): void;
  reset(): void;
  lastSeq(): number;
}

export interface FeedOptions {
  /** Called for each new live event, e.g. to beep on an inject. */
  onFresh?: (ev: FeedEvent) => void;
}

export function createFeed(opts: FeedOptions = {}): FeedStore {
  let state = emptyFeed;
  const store = writable(state);
  const set = (s: FeedState) => {
    if (s !== state) {
      state = s;
      store.set(s);
    }
  };
  return {
    subscribe: store.subscribe,
    apply(raw) {
      const ev = adaptEvent(raw);
      if (!ev) return false;
      const next = reduce(state, ev, true);
      if (next === state) return false;
      set(next);
      opts.onFresh?.(ev);
      return true;
    },
    load(raws) {
      let s = state;
      for (const raw of raws) {
        const ev = adaptEvent(raw);
        if (ev) s = reduce(s, ev, false);
      }
      set(s);
    },
    reset() {
      set(emptyFeed);
    },
    lastSeq() {
      return state.lastSeq;
    },
  };
}

/** Injects and messages said in the world (lib/world.ts) for a participant feed, newest first. */
export function injectItems(state: FeedState): FeedItem[] {
  const out: FeedItem[] = [];
  for (let i = state.items.length - 1; i >= 0; i--) {
    const k = state.items[i].ev.kind;
    if (k === 'inject_delivered' || k === 'message_sent') out.push(state.items[i]);
  }
  return out;
}

/**
 * The public timeline: every publication and every inject on a public
 * channel (social posts, news, status pages) the viewer has, oldest first.
 */
export function publicItems(state: FeedState): FeedItem[] {
  return state.items.filter((it) =>
    it.ev.kind === 'message_sent'
      ? it.ev.message?.action === 'publish'
      : it.ev.kind === 'inject_delivered' && !!it.ev.inject && ['social', 'news', 'status'].includes(it.ev.inject.channel),
  );
}

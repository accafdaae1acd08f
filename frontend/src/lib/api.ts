// What the pages need from the server. The live implementation (HTTP +
// WebSocket) is written with the protocol; until then `offlineApi` answers
// every call with a clear "not connected" so the pages can be built and
// reviewed. Pages get the Api from the app context, never import a client.

import type { FeedStore } from './feed';
import type { JoinForm } from './join';

/** A team's answer to a decision, as the prompt submits it. */
export interface AnswerSubmission {
  decision: string;
  option: string;
  text: string;
  confidence: number | null;
  rationale: string;
}

export interface TeamOption {
  id: string;
  name: string;
}

export interface ExerciseInfo {
  title: string;
  teams: TeamOption[];
}

export type ConnectionStatus = 'offline' | 'connecting' | 'live' | 'reconnecting';

export interface Api {
  /** Look up a join code: the exercise title and its teams. */
  lookupCode(code: string): Promise<ExerciseInfo>;
  join(form: JoinForm): Promise<void>;
  /**
   * Stream the participant's events into the feed (feed.load for the
   * catch-up, feed.apply per live frame), resuming after feed.lastSeq().
   * Returns a function that disconnects.
   */
  subscribe(feed: FeedStore, onStatus: (s: ConnectionStatus) => void): () => void;
  answer(a: AnswerSubmission): Promise<void>;
}

export class NotConnectedError extends Error {
  constructor() {
    super('This page is not connected to an exercise server yet.');
    this.name = 'NotConnectedError';
  }
}

export const offlineApi: Api = {
  lookupCode: () => Promise.reject(new NotConnectedError()),
  join: () => Promise.reject(new NotConnectedError()),
  subscribe: (_feed, onStatus) => {
    onStatus('offline');
    return () => undefined;
  },
  answer: () => Promise.reject(new NotConnectedError()),
};

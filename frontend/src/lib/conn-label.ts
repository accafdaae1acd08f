// What the console's connection badge says: the socket's state and, once
// connected, where the exercise is. "Live" only while it runs; connected to
// an exercise that has not started (or is paused) says so.

export type ConnState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'closed';
export type ExercisePhase = 'lobby' | 'running' | 'paused' | 'ended' | '';

export interface ConnBadge {
  /** The words shown; '' shows no badge. */
  text: string;
  /** Class of the badge: 'live' (green) only while the exercise runs. */
  tone: 'live' | 'connected' | 'connecting' | 'reconnecting' | 'closed';
}

export function connBadge(conn: ConnState, phase: ExercisePhase): ConnBadge {
  switch (conn) {
    case 'idle':
      return { text: '', tone: 'connecting' };
    case 'connecting':
      return { text: 'Connecting…', tone: 'connecting' };
    case 'reconnecting':
      return { text: 'Reconnecting…', tone: 'reconnecting' };
    case 'closed':
      return { text: 'Disconnected', tone: 'closed' };
  }
  switch (phase) {
    case 'running':
      return { text: 'Live', tone: 'live' };
    case 'paused':
      return { text: 'Connected · paused', tone: 'connected' };
    case 'ended':
      return { text: 'Connected · ended', tone: 'connected' };
    case 'lobby':
      return { text: 'Connected · not started', tone: 'connected' };
    default:
      return { text: 'Connected', tone: 'connected' };
  }
}

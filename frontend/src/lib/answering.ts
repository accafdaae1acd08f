// Whether a participant may answer now. Pause stops the room: the server
// refuses a participant's answer while the exercise is paused (error code
// `paused`), so the page disables the form and says why instead of letting
// an answer fail.

import type { ClockSync } from './clock';

export const PAUSED_NOTE = 'Paused by the facilitator. You can answer again when the exercise resumes.';

/** The exercise has started and its clock stands still (rate 0). */
export function isPaused(clock: ClockSync | null): boolean {
  return clock !== null && !(clock.rate > 0);
}

/** Why answering is blocked now: '' (it is not), 'paused', or 'lead' (only the team lead may answer). */
export function answerBlock(clock: ClockSync | null, canAnswer: boolean): '' | 'paused' | 'lead' {
  if (isPaused(clock)) return 'paused';
  return canAnswer ? '' : 'lead';
}

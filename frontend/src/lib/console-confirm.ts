// The questions the console asks before an action that cannot be undone.
// Kept apart from the components so the wording is tested on its own.

import type { ConsoleDecision } from './facilitator-console';

/** First line of a Markdown prompt, plain and short, for a question. */
export function promptLine(prompt: string, max = 80): string {
  const line = (prompt.split('\n').find((l) => l.trim() !== '') ?? '').replace(/[*_`#>]/g, '').trim();
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}

/**
 * What "Close now" asks: which decision, for which team, and what closing
 * settles it on (the answer given so far, the default, or nothing).
 */
export function closeDecisionQuestion(d: Pick<ConsoleDecision, 'id' | 'prompt' | 'answers'>, team: string, defaultLabel = ''): string {
  const what = promptLine(d.prompt) || d.id;
  const settles = d.answers.length
    ? 'It settles on the answer given so far and the teams can no longer change it.'
    : defaultLabel
      ? `Nobody has answered: the default “${defaultLabel}” is taken.`
      : 'Nobody has answered: it closes unanswered.';
  return `Close “${what}” for ${team} now? ${settles}`;
}

// What a team is told about a decision's default: the option taken when
// it closes unanswered. Teams see it (the server sends it to them in
// decision_opened): a deadline with a known consequence is part of the
// pressure an exercise puts on a team. An author who wants a silent
// consequence leaves `default` out and writes a rule on
// closed("d") and not answered("d").
import type { DecisionView } from './events';

/** Said under a timed prompt whose first answer settles it (settle: on_answer). */
export const FIRST_ANSWER_NOTE = 'The first answer is final: it cannot be changed.';

/** The sentence shown under the prompt, or '' when there is no default. */
export function defaultNote(d: Pick<DecisionView, 'options' | 'defaultOption' | 'timeLimitNs'>): string {
  if (!d.defaultOption) return '';
  const o = d.options.find((x) => x.id === d.defaultOption);
  if (!o) return '';
  const when = d.timeLimitNs > 0 ? 'when time runs out' : 'when the phase moves on';
  return `No answer ${when}: “${o.label}” is taken.`;
}

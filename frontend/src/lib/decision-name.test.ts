import { describe, expect, it } from 'vitest';
import { decisionName } from './decision-name';

describe('decisionName', () => {
  it.each([
    ['plain', 'Isolate the laptop now?', 'isolate', 'Isolate the laptop now?'],
    ['no prompt', '', 'first_response', 'first_response'],
    ['blank prompt', '  \n ', 'first_response', 'first_response'],
    ['markdown', '**What now?** See [the log](https://x.example) and `sched-bot-2`.', 'd', 'What now? See the log and sched-bot-2.'],
    ['first paragraph only', 'The brand is posting by itself.\nWhat do you do first?\n\nMore context.', 'd', 'The brand is posting by itself. What do you do first?'],
    ['heading and quote', '## Containment\n> who decides?', 'd', 'Containment who decides?'],
    ['snake_case stays', 'Revoke sched_bot_2 now?', 'd', 'Revoke sched_bot_2 now?'],
  ])('%s', (_n, prompt, id, want) => expect(decisionName(prompt, id)).toBe(want));

  it('cuts a long prompt at a word', () => {
    const got = decisionName('The accounts are back, but the crew still posts from the CEO personal account every ten minutes, what now?', 'd', 40);
    expect(got).toBe('The accounts are back, but the crew…');
    expect(Array.from(got).length).toBeLessThanOrEqual(40);
  });
});

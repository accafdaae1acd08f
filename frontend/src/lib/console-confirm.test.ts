import { describe, expect, it } from 'vitest';
import { closeDecisionQuestion, promptLine } from './console-confirm';

describe('closeDecisionQuestion', () => {
  const d = { id: 'first_response', prompt: '**What** do you do\nfirst?', answers: [] };
  it.each([
    ['answered', { ...d, answers: [{}] }, '', 'Close “What do you do” for Comms now? It settles on the answer given so far and the teams can no longer change it.'],
    ['with a default', d, 'Wait', 'Close “What do you do” for Comms now? Nobody has answered: the default “Wait” is taken.'],
    ['without a default', d, '', 'Close “What do you do” for Comms now? Nobody has answered: it closes unanswered.'],
    ['without a prompt', { ...d, prompt: '' }, '', 'Close “first_response” for Comms now? Nobody has answered: it closes unanswered.'],
  ])('%s', (_name, dec, def, want) => {
    expect(closeDecisionQuestion(dec as Parameters<typeof closeDecisionQuestion>[0], 'Comms', def)).toBe(want);
  });

  it('shortens a long prompt line', () => {
    expect(promptLine('x'.repeat(100), 10)).toBe('xxxxxxxxx…');
  });
});

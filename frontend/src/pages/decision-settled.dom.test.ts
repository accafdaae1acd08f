// @vitest-environment jsdom
// What a participant reads once a decision closes: a default the scenario
// took when nobody answered is not the team's decision, and says so.
import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { FakeWS } from '../test/fakews';
import { fakeApi, wire } from '../test/fakeapi';
import { appPage } from '../test/app';

const { at, settle } = appPage({ preload: true });

const opened = (seq: number) =>
  wire.event(seq, 'decision_opened', {
    kind: 'decision_opened',
    decision: 'lock',
    team: 'soc',
    prompt: 'Lock the account?',
    options: [
      { id: 'revoke', label: 'Revoke sessions' },
      { id: 'wait', label: 'Wait' },
    ],
    mode: 'first',
    default: 'wait',
    time_limit: 120e9,
    audience: ['soc'],
  });

const closed = (seq: number, fields: Record<string, unknown>) =>
  wire.event(seq, 'decision_closed', { kind: 'decision_closed', decision: 'lock', team: 'soc', audience: ['soc'], ...fields });

/** The participant page, its socket open; frames sent before (backlog) and after the live marker. */
async function play(backlog: object[], live: object[] = []) {
  const c = at('/play', fakeApi());
  await settle();
  const ws = FakeWS.last();
  ws.open();
  ws.frame(wire.hello());
  for (const f of backlog) ws.frame(f);
  ws.frame(wire.live(backlog.length));
  for (const f of live) ws.frame(f);
  flushSync();
  await settle();
  return { c, ws };
}

/** The decisions shown outside the folded "Earlier decisions". */
const inView = (c: HTMLElement) => [...c.querySelectorAll('section.decision')].filter((s) => !s.closest('details.past'));

describe('a closed decision on the participant page', () => {
  it.each([
    {
      name: 'the default, taken when nobody answered',
      fields: { settled: 'default', close_reason: 'time_limit', option: 'wait', option_label: 'Wait' },
      label: 'Default taken:',
      note: 'Nobody in the team answered: the scenario took its default.',
      not: 'Team decision:',
    },
    {
      name: "the team's own answer",
      fields: { settled: 'answered', close_reason: 'answered', option: 'revoke', option_label: 'Revoke sessions', participant: 'p9' },
      label: 'Team decision:',
      note: 'This decision is closed.',
      not: 'Default taken',
    },
  ])('names $name', async ({ fields, label, note, not }) => {
    const { c } = await play([], [opened(1), closed(2, fields)]);
    const text = c.querySelector('section.decision')?.textContent ?? '';
    expect(text).toContain(label);
    expect(text).toContain(note);
    expect(text).not.toContain(not);
  });
});

describe('a decision that closes while the page is open', () => {
  const answered = { settled: 'answered', option: 'wait', option_label: 'Wait', participant: 'p9' };

  it('stays in view with its result until the participant moves it to the earlier decisions', async () => {
    const { c } = await play([], [opened(1), closed(2, { settled: 'default', close_reason: 'time_limit', option: 'wait', option_label: 'Wait' })]);
    // Not folded away: the team sees at once what was settled.
    const shown = inView(c);
    expect(shown).toHaveLength(1);
    expect(shown[0].textContent).toContain('Default taken:');
    expect(c.querySelector('details.past')).toBeNull();

    const move = [...c.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Move to earlier decisions');
    expect(move).toBeDefined();
    move!.click();
    flushSync();
    expect(inView(c)).toHaveLength(0);
    expect(c.querySelector('details.past summary')?.textContent).toContain('Earlier decisions (1)');
  });

  it('the next decision folds it away', async () => {
    const { c, ws } = await play([], [opened(1), closed(2, answered)]);
    expect(inView(c)).toHaveLength(1);
    ws.frame(wire.event(3, 'decision_opened', { kind: 'decision_opened', decision: 'tell', team: 'soc', prompt: 'Tell the CFO?', options: [{ id: 'yes', label: 'Yes' }], mode: 'first', audience: ['soc'] }));
    flushSync();
    await settle();
    const shown = inView(c);
    expect(shown).toHaveLength(1);
    expect(shown[0].textContent).toContain('Tell the CFO?');
    expect(c.querySelector('details.past summary')?.textContent).toContain('Earlier decisions (1)');
  });

  it('a decision closed before a reload is among the earlier decisions', async () => {
    const { c } = await play([opened(1), closed(2, answered)]);
    expect(inView(c)).toHaveLength(0);
    expect(c.querySelector('details.past summary')?.textContent).toContain('Earlier decisions (1)');
  });
});

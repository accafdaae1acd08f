import { describe, expect, it } from 'vitest';
import { adaptScenario } from './facilitator-scenario';
import { extendNotice, extendWarning, phaseExitNs } from './phase-exit';
import brandHijack from './testdata/brand-hijack.scenario.json';

const MIN = 60e9;
const model = adaptScenario(brandHijack);

describe('phaseExitNs', () => {
  it('is the entry time plus the first timed transition', () => {
    // hijack_begins leaves after 10m (both of its transitions).
    expect(phaseExitNs(model, 'hijack_begins', 0)).toBe(10 * MIN);
    expect(phaseExitNs(model, 'hijack_begins', 3 * MIN)).toBe(13 * MIN);
  });
  it('is null for an unknown state or one without timed transitions', () => {
    expect(phaseExitNs(model, 'nope', 0)).toBeNull();
    const final = model.states.find((s) => s.transitions.length === 0);
    expect(final).toBeDefined();
    expect(phaseExitNs(model, final!.id, 0)).toBeNull();
  });
});

describe('extendNotice', () => {
  const cases: { name: string; exit: number | null; closes: number; by: number; now: number; held: boolean; holds: boolean; text: string }[] = [
    {
      name: 'the issue: +2 min past the exit warns before',
      exit: 10 * MIN,
      closes: 10 * MIN,
      by: 120,
      now: 9 * MIN,
      held: false,
      holds: true,
      text: '+2 min: closes T+12:00. This phase would end at T+10:00; extending to T+12:00 holds the phase until then.',
    },
    { name: 'within the phase', exit: 10 * MIN, closes: 6 * MIN, by: 60, now: 4 * MIN, held: false, holds: false, text: '+1 min: closes T+7:00.' },
    { name: 'up to the exit exactly', exit: 10 * MIN, closes: 8 * MIN, by: 120, now: 4 * MIN, held: false, holds: false, text: '+2 min: closes T+10:00.' },
    { name: 'no timed exit', exit: null, closes: 8 * MIN, by: 300, now: 4 * MIN, held: false, holds: false, text: '+5 min: closes T+13:00.' },
    {
      name: 'already holding the phase',
      exit: 10 * MIN,
      closes: 12 * MIN,
      by: 60,
      now: 11 * MIN,
      held: true,
      holds: true,
      text: '+1 min: closes T+13:00; this decision holds the phase, now until then.',
    },
    { name: 'exit passed, not held', exit: 10 * MIN, closes: 14 * MIN, by: 60, now: 11 * MIN, held: false, holds: false, text: '+1 min: closes T+15:00.' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const n = extendNotice(c.exit, c.closes, c.by, c.now, c.held);
      expect(n.holds).toBe(c.holds);
      expect(n.text).toBe(c.text);
      expect(n.closesAtNs).toBe(c.closes + c.by * 1e9);
    });
  }
});

describe('extendWarning', () => {
  const offers = [60, 120, 300];
  it('names the phase exit and the first offer that passes it', () => {
    expect(extendWarning(10 * MIN, 9.5 * MIN, offers, 5 * MIN, false)).toBe(
      'This phase would end at T+10:00; extending to T+10:30 (+1 min) or more holds the phase until the decision closes.',
    );
    expect(extendWarning(10 * MIN, 6 * MIN, offers, 5 * MIN, false)).toBe(
      'This phase would end at T+10:00; extending to T+11:00 (+5 min) or more holds the phase until the decision closes.',
    );
  });
  it('says nothing when no offer passes the exit, or there is none', () => {
    expect(extendWarning(10 * MIN, 4 * MIN, offers, 1 * MIN, false)).toBeNull();
    expect(extendWarning(null, 4 * MIN, offers, 1 * MIN, false)).toBeNull();
  });
  it('says the decision holds the phase once past the exit', () => {
    expect(extendWarning(10 * MIN, 12 * MIN, offers, 11 * MIN, true)).toBe(
      'This decision holds the phase (its timed exit was T+10:00) until it closes; more time holds it longer.',
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  actionBody,
  actionProblems,
  adaptEvaluation,
  addEvidence,
  aarRows,
  evidenceOf,
  emptyActionForm,
  emptyRatingForm,
  evalView,
  findings,
  formOf,
  initialEval,
  isDate,
  lines,
  milestoneLine,
  newActionId,
  ownRating,
  rateBody,
  ratingProblems,
  reduceEval,
  withBase,
  withdrawBody,
  type EvalState,
} from './evaluation';

// What GET /evaluation answers (server/eval's JSON names).
const wire = {
  objectives: [
    {
      id: 'public_comms',
      title: 'Keep customers informed',
      capability: 'Public Information and Warning',
      met: 'A holding statement is out within 10 minutes',
      measure: { met: true, values: { published: true }, source: 'published("comms","newsroom")' },
      milestones: [{ id: 'holding_10m', title: 'Holding statement within 10 minutes', task: 'holding_statement', met: false, done: 14, due: 10, how: 'published at 14, due 10' }],
      tasks: [{ id: 'holding_statement', title: 'Publish a holding statement', teams: ['comms'], ratings: [] }],
      ratings: [{ seq: 40, rater: 'ob1', rater_name: 'Olga', objective: 'public_comms', rating: 'S', strengths: ['Fast draft'], improvements: ['Approval took long'], evidence: [12], at: '2026-12-06T12:00:00Z' }],
    },
    { id: 'contain', title: 'Contain the breach' },
    { title: 'no id: dropped' },
  ],
  teams: [{ team: 'comms', name: 'Comms', median_response: 3.5, quality: { points: 3, max: 5, count: 2, how: 'sum' }, weighted: {}, alignment: 0.5, how: 'from the log' }],
  plan: [
    { id: 'ca1', version: 2, issue: 'Slow approval', action: 'Pre-approve templates', seq: 50 },
    { id: 'gone', version: 1, issue: 'x', action: 'y', deleted: true, seq: 51 },
  ],
};

const frame = (seq: number, kind: string, payload: Record<string, unknown>) => ({ type: 'event', seq, kind, at: seq * 1e9, wall_time: '2026-12-06T12:00:00Z', payload, audience: [] });
const rating = (seq: number, rater: string, r: string, extra: Record<string, unknown> = {}) =>
  frame(seq, 'rating_submitted', { rater, rater_name: rater === 'facilitator' ? 'Fran' : 'Olga', objective: 'public_comms', rating: r, ...extra });

describe('adaptEvaluation', () => {
  it('reads the wire defensively: ids required, defaults everywhere, deleted actions out', () => {
    const ev = adaptEvaluation(wire);
    expect(ev.objectives.map((o) => o.id)).toEqual(['public_comms', 'contain']);
    const o = ev.objectives[0];
    expect(o.measure?.met).toBe(true);
    expect(o.milestones[0]).toMatchObject({ done: 14, due: 10, met: false });
    expect(o.ratings[0]).toMatchObject({ rater: 'ob1', raterName: 'Olga', rating: 'S', task: '', strengths: ['Fast draft'], evidence: [12] });
    expect(ev.objectives[1]).toMatchObject({ title: 'Contain the breach', measure: null, final: null, tasks: [], ratings: [] });
    expect(ev.teams[0]).toMatchObject({ name: 'Comms', medianResponse: 3.5, alignment: 0.5 });
    expect(ev.plan.map((a) => a.id)).toEqual(['ca1']);
    expect(adaptEvaluation(null)).toEqual({ objectives: [], teams: [], plan: [] });
  });

  it('drops a rating outside the scale', () => {
    const ev = adaptEvaluation({ objectives: [{ id: 'x', ratings: [{ seq: 1, rater: 'a', objective: 'x', rating: 'Q' }] }] });
    expect(ev.objectives[0].ratings).toEqual([]);
  });
});

describe('folding frames', () => {
  const base = adaptEvaluation(wire);

  it.each([
    ['the GET first, then the frames', true],
    ['the frames first, then the GET', false],
  ])('gives the same view with %s', (_, getFirst) => {
    const frames = [rating(60, 'ob1', 'P', { explanation: 'Better now' }), rating(61, 'facilitator', 'M'), rating(62, 'facilitator', 'S', { final: true })];
    let st: EvalState = initialEval();
    if (getFirst) st = withBase(st, base);
    for (const f of frames) st = reduceEval(st, f);
    if (!getFirst) st = withBase(st, base);
    const o = evalView(st).objectives[0];
    expect(o.ratings.map((r) => [r.rater, r.rating])).toEqual([
      ['facilitator', 'S'],
      ['ob1', 'P'],
    ]);
    expect(o.final).toMatchObject({ rater: 'facilitator', rating: 'S', final: true, seq: 62 });
  });

  it('keeps a newer rating from the GET over an older replayed frame', () => {
    let st = withBase(initialEval(), base);
    st = reduceEval(st, rating(30, 'ob1', 'U'));
    expect(evalView(st).objectives[0].ratings[0]).toMatchObject({ rating: 'S', seq: 40 });
  });

  it('withdraws with an empty rating, and a replayed older frame does not bring it back', () => {
    let st = withBase(initialEval(), base);
    st = reduceEval(st, rating(70, 'ob1', ''));
    expect(evalView(st).objectives[0].ratings).toEqual([]);
    st = reduceEval(st, rating(65, 'ob1', 'P'));
    expect(evalView(st).objectives[0].ratings).toEqual([]);
  });

  it('rates a critical task apart from its objective', () => {
    let st = withBase(initialEval(), base);
    st = reduceEval(st, rating(80, 'ob1', 'M', { task: 'holding_statement' }));
    st = reduceEval(st, rating(81, 'facilitator', 'M', { task: 'holding_statement', final: true }));
    const v = evalView(st);
    expect(v.objectives[0].ratings.map((r) => r.seq)).toEqual([40]);
    expect(v.objectives[0].final).toBeNull();
    expect(v.objectives[0].tasks[0].ratings.map((r) => r.rater)).toEqual(['facilitator', 'ob1']);
    expect(v.objectives[0].tasks[0].final?.seq).toBe(81);
    expect(ownRating(v, 'public_comms', 'holding_statement', 'ob1')?.rating).toBe('M');
    expect(ownRating(v, 'public_comms', '', 'ob1')?.rating).toBe('S');
  });

  it('settles as the server does: the facilitator’s latest rating when final', () => {
    let st = withBase(initialEval(), base);
    st = reduceEval(st, rating(62, 'facilitator', 'S', { final: true }));
    expect(evalView(st).objectives[0].final?.seq).toBe(62);
    st = reduceEval(st, rating(63, 'facilitator', 'M'));
    expect(evalView(st).objectives[0].final).toBeNull();
    st = reduceEval(st, rating(64, 'facilitator', 'U', { final: true }));
    st = reduceEval(st, rating(65, 'facilitator', ''));
    expect(evalView(st).objectives[0].final).toBeNull();
    expect(evalView(st).objectives[0].ratings.map((r) => r.rater)).toEqual(['ob1']);
  });

  it('returns the same state for frames it does not fold', () => {
    const st = withBase(initialEval(), base);
    expect(reduceEval(st, frame(5, 'note_added', { text: 'x' }))).toBe(st);
    expect(reduceEval(st, { type: 'presence' })).toBe(st);
    expect(reduceEval(st, rating(0, 'ob1', 'P'))).toBe(st);
  });

  it('keeps each action’s latest save, in the order first seen, and drops deleted ones', () => {
    let st = withBase(initialEval(), base);
    const saved = (seq: number, id: string, version: number, extra: Record<string, unknown> = {}) =>
      frame(seq, 'corrective_action_saved', { id, version, issue: `issue ${id}`, action: `action ${id} v${version}`, ...extra });
    st = reduceEval(st, saved(90, 'ca2', 1));
    st = reduceEval(st, saved(91, 'ca1', 3, { owner: 'Comms' }));
    st = reduceEval(st, saved(92, 'ca3', 1));
    st = reduceEval(st, saved(93, 'ca3', 2, { deleted: true }));
    st = reduceEval(st, saved(89, 'ca2', 0)); // an older replay
    const plan = evalView(st).plan;
    expect(plan.map((a) => [a.id, a.version])).toEqual([
      ['ca1', 3],
      ['ca2', 1],
    ]);
    expect(plan[0].owner).toBe('Comms');
  });
});

describe('evidence', () => {
  it('lists decisions, notes, messages and chat in log order, once each', () => {
    const names = { team: (t: string) => (t === 'comms' ? 'Comms' : t), person: (p: string) => (p === 'p1' ? 'Alice' : ''), decision: (d: string) => (d === 'contain' ? 'Reset every token?' : '') };
    let l = addEvidence([], frame(20, 'note_added', { author: 'Olga', objective: 'public_comms', text: 'Drafted   fast' }), names);
    l = addEvidence(l, frame(12, 'decision_closed', { decision: 'contain', team: 'comms', option: 'reset', option_label: 'Reset all' }), names);
    l = addEvidence(l, frame(25, 'message_sent', { action: 'publish', team: 'comms', participant: 'p1', outlet_name: 'Newsroom', title: 'Holding statement' }), names);
    l = addEvidence(l, frame(26, 'chat_posted', { room: 'team:comms', name: 'Bob', body: 'on it' }), names);
    l = addEvidence(l, frame(27, 'inject_delivered', { inject: 'x' }), names);
    l = addEvidence(l, frame(20, 'note_added', { author: 'Olga', text: 'again' }), names);
    expect(l.map((e) => [e.seq, e.kind])).toEqual([
      [12, 'decision'],
      [20, 'note'],
      [25, 'message'],
      [26, 'chat'],
    ]);
    expect(l[0].label).toBe('Decision “Reset every token?” (Comms): Reset all');
    expect(evidenceOf(frame(13, 'decision_closed', { decision: 'other', settled: 'expired' }))?.label).toBe('Decision “other”: expired');
    expect(l[1]).toMatchObject({ label: 'Note by Olga: Drafted fast', objective: 'public_comms' });
    expect(l[2].label).toBe('Alice (Comms) published on Newsroom: Holding statement');
  });
});

describe('the rating form', () => {
  it('needs a rating and keeps to the limits', () => {
    expect(ratingProblems(emptyRatingForm()).rating).toBeTruthy();
    const ok = { ...emptyRatingForm(), rating: 'P' as const };
    expect(ratingProblems(ok)).toEqual({});
    expect(ratingProblems({ ...ok, explanation: 'é'.repeat(2001) }).explanation).toMatch(/4000/);
    expect(ratingProblems({ ...ok, strengths: Array.from({ length: 21 }, (_, i) => `s${i}`).join('\n') }).strengths).toMatch(/20/);
    expect(ratingProblems({ ...ok, improvements: 'x'.repeat(1001) }).improvements).toMatch(/1000/);
    expect(ratingProblems({ ...ok, evidence: Array.from({ length: 51 }, (_, i) => i + 1) }).evidence).toMatch(/50/);
  });

  it('sends only what is filled, lists one a line, evidence sorted', () => {
    const f = { rating: 'S' as const, explanation: '  fine ', strengths: 'a\n\n b \n', improvements: '', evidence: [9, 3] };
    expect(rateBody('o', '', f)).toEqual({ objective: 'o', rating: 'S', explanation: 'fine', strengths: ['a', 'b'], evidence: [3, 9] });
    expect(rateBody('o', 't', f, true)).toMatchObject({ task: 't', final: true });
    expect(withdrawBody('o', '')).toEqual({ objective: 'o', rating: '' });
    expect(lines(' a \n\nb')).toEqual(['a', 'b']);
  });

  it('fills from the rater’s saved rating', () => {
    const r = adaptEvaluation(wire).objectives[0].ratings[0];
    expect(formOf(r)).toEqual({ rating: 'S', explanation: '', strengths: 'Fast draft', improvements: 'Approval took long', evidence: [12] });
  });
});

describe('the corrective action form', () => {
  it.each([
    ['2026-02-28', true],
    ['2026-02-29', false],
    ['2028-02-29', true],
    ['2026-13-01', false],
    ['26-01-01', false],
    ['2026-1-01', false],
  ])('date %s valid: %s', (d, ok) => {
    expect(isDate(d)).toBe(ok);
  });

  it('needs an issue and an action, real dates in order, a known element', () => {
    expect(Object.keys(actionProblems(emptyActionForm())).sort()).toEqual(['action', 'issue']);
    const f = { ...emptyActionForm(), issue: 'i', action: 'a' };
    expect(actionProblems(f)).toEqual({});
    expect(actionProblems({ ...f, start: '2026-12-10', due: '2026-12-01' }).due).toMatch(/before/);
    expect(actionProblems({ ...f, start: '10/12/2026' }).start).toMatch(/YYYY-MM-DD/);
    expect(actionProblems({ ...f, element: 'budget' }).element).toBeTruthy();
    expect(actionProblems({ ...f, owner: 'x'.repeat(1001) }).owner).toMatch(/1000/);
  });

  it('sends the id and only what is filled', () => {
    const f = { ...emptyActionForm(), issue: ' i ', action: 'a', owner: 'IT', due: '2027-01-31' };
    expect(actionBody(f, 'ca-1')).toEqual({ action_id: 'ca-1', issue: 'i', action: 'a', owner: 'IT', due: '2027-01-31' });
    const id = newActionId(() => 0.5, () => 1_700_000_000_000);
    expect(id).toMatch(/^ca-[a-z0-9]+-[a-z0-9]{6}$/);
    expect(id).toMatch(/^[A-Za-z0-9._:-]{1,64}$/); // what the server accepts
    expect(id.length).toBeLessThanOrEqual(64);
  });
});

describe('the AAR view', () => {
  it('rows objective × capability × final rating, tasks with a final under their objective', () => {
    let st = withBase(initialEval(), adaptEvaluation(wire));
    st = reduceEval(st, rating(62, 'facilitator', 'S', { final: true, strengths: ['Clear lines'], improvements: ['Approval took long'] }));
    st = reduceEval(st, rating(63, 'facilitator', 'M', { task: 'holding_statement', final: true, improvements: ['Templates'] }));
    const v = evalView(st);
    expect(aarRows(v).map((r) => [r.objective, r.task, r.capability, r.final?.rating ?? ''])).toEqual([
      ['public_comms', '', 'Public Information and Warning', 'S'],
      ['public_comms', 'holding_statement', 'Public Information and Warning', 'M'],
      ['contain', '', '', ''],
    ]);
    expect(findings(v.objectives[0])).toEqual({ strengths: ['Clear lines'], improvements: ['Approval took long', 'Templates'] });
    // Without a final rating: every rater's findings.
    expect(findings(adaptEvaluation(wire).objectives[0])).toEqual({ strengths: ['Fast draft'], improvements: ['Approval took long'] });
  });

  it('says when a milestone was done against its deadline', () => {
    const m = adaptEvaluation(wire).objectives[0].milestones[0];
    expect(milestoneLine(m)).toBe('done at minute 14, due by minute 10: missed');
    expect(milestoneLine({ ...m, done: -1, met: false })).toBe('not done, due by minute 10: missed');
  });
});

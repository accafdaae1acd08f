import { describe, expect, it } from 'vitest';
import { buildReport, csvCell, exportName, mdText, toCSV, toJSON, toMarkdown, CSV_COLUMNS } from './report';
import brandHijack from './testdata/brand-hijack.scenario.json';

const MIN = 60e9;

function frame(seq: number, kind: string, atMin: number, payload: Record<string, unknown>, audience: string[] = []) {
  return { type: 'event', seq, kind, at: atMin * MIN, wall_time: `2026-11-23T10:${String(Math.floor(atMin)).padStart(2, '0')}:00Z`, payload, audience };
}

const events = [
  frame(1, 'exercise_created', 0, { title: 'Tuesday drill', scenario: 'brand-hijack' }),
  frame(2, 'participant_joined', 0, { participant: 'p1', team: 'comms', name: 'Ana', lead: true }),
  frame(3, 'participant_joined', 0, { participant: 'p2', team: 'comms', name: '=HYPERLINK("http://evil.example","click")' }),
  frame(4, 'exercise_started', 0, { speed: 1 }),
  frame(5, 'state_entered', 0, { state: 'hijack_begins', title: 'The hijack begins' }, ['*']),
  frame(6, 'inject_delivered', 0.5, { state: 'hijack_begins', inject: 'giveaway_post', channel: 'social', title: '', body: 'x', persona_name: 'Northwind Bank', objectives: ['obj_entry'] }, ['comms']),
  frame(7, 'decision_opened', 1, {
    state: 'hijack_begins',
    decision: 'first_response',
    team: 'comms',
    prompt: 'The post is live.\nWhat now?',
    options: [
      { id: 'delete', label: 'Delete the post' },
      { id: 'wait', label: 'Wait, and see' },
    ],
    time_limit: 6 * MIN,
    closes_at: 7 * MIN,
  }, ['comms']),
  frame(8, 'answer_submitted', 2, { participant: 'p1', team: 'comms', decision: 'first_response', option: 'delete' }, ['comms']),
  frame(9, 'decision_answered', 2, { decision: 'first_response', team: 'comms', option: 'delete', option_label: 'Delete the post', participant: 'p1', confidence: 4, rationale: 'It is "fake",\nobviously' }, ['comms']),
  frame(10, 'decision_answered', 3.5, { decision: 'first_response', team: 'comms', option: 'wait', option_label: 'Wait, and see', participant: 'p2' }, ['comms']),
  frame(11, 'note_added', 4, { author: 'Olga', team: 'comms', objective: 'obj_entry', text: 'Team | argued <b>well</b>' }),
  frame(12, 'note_added', 4.5, { author: 'facilitator:Fran', text: '+cmd|calc' }),
  frame(13, 'decision_closed', 7, { decision: 'first_response', team: 'comms', settled: 'answered', close_reason: 'time_limit', option: 'delete', option_label: 'Delete the post' }, ['comms']),
  frame(14, 'effect_applied', 7, { var: 'reputation', old: 70, new: 62 }, ['*']),
  frame(15, 'transition_taken', 7, { from_state: 'hijack_begins', to_state: 'source_identified', reason: 'when: chose("first_response","delete")' }),
  frame(16, 'state_entered', 7, { state: 'source_identified', title: 'Source identified' }, ['*']),
  frame(17, 'facilitator_end', 9, { reason: 'out of time' }),
  frame(18, 'outcome_reached', 9, { outcome: 'ended', title: 'Ended by the facilitator', reason: 'out of time', debrief: 'Talk about **speed**.' }),
];

const raw = {
  exercise: { id: 'ex_42', title: 'Tuesday drill', status: 'ended', created_at: '2026-11-23T09:58:00Z', started_at: '2026-11-23T10:00:00Z', ended_at: '2026-11-23T10:09:00Z' },
  snapshot: {},
  scenario: brandHijack,
  events,
};

describe('buildReport', () => {
  const r = buildReport(raw);

  it('has the path, the outcome and the duration', () => {
    const title = (id: string) => brandHijack.states.find((s) => s.id === id)!.title;
    expect(r.path.map((p) => [p.state, p.title, p.atNs / MIN])).toEqual([
      ['hijack_begins', title('hijack_begins'), 0],
      ['source_identified', title('source_identified'), 7],
    ]);
    expect(r.outcome?.outcome).toBe('ended');
    expect(r.outcome?.reason).toBe('out of time');
    expect(r.durationNs).toBe(9 * MIN);
  });

  it('lists each decision with who answered what and how fast', () => {
    expect(r.decisions).toHaveLength(1);
    const d = r.decisions[0];
    expect(d.teamName).toBe(brandHijack.teams.find((t) => t.id === 'comms')!.name);
    expect(d.settled).toBe('answered');
    expect(d.optionLabel).toBe('Delete the post');
    expect(d.answers.map((a) => [a.name, a.optionLabel, a.responseNs / MIN, a.confidence])).toEqual([
      ['Ana', 'Delete the post', 1, 4],
      ['=HYPERLINK("http://evil.example","click")', 'Wait, and see', 2.5, null],
    ]);
    // The scenario file links the decision to its objectives.
    expect(d.objectives.length).toBeGreaterThan(0);
  });

  it('links objectives to decisions, injects and notes', () => {
    const entry = r.objectives.find((o) => o.id === 'obj_entry')!;
    expect(entry.injects).toEqual(['giveaway_post']);
    expect(entry.notes.map((n) => n.author)).toEqual(['Olga']);
    for (const ob of r.objectives) for (const d of ob.decisions) expect(r.decisions.some((x) => x.id === d && x.objectives.includes(ob.id))).toBe(true);
    expect(r.notes.find((n) => n.byFacilitator)?.author).toBe('Fran');
  });

  it('summarises every event in the timeline', () => {
    expect(r.timeline).toHaveLength(events.length);
    const byKind = Object.fromEntries(r.timeline.map((t) => [t.kind + t.seq, t.summary]));
    expect(byKind['participant_joined2']).toBe('Ana joined Communications as lead'.replace('Communications', r.decisions[0].teamName));
    expect(byKind['decision_closed13']).toBe('Decision first_response settled: Delete the post (time limit)');
    expect(byKind['effect_applied14']).toBe('reputation: 70 → 62');
    expect(byKind['note_added12']).toBe('Note by Fran (facilitator): +cmd|calc');
  });

  it('survives an empty or malformed response', () => {
    const e = buildReport(null);
    expect(e.timeline).toEqual([]);
    expect(toMarkdown(e)).toContain('No outcome yet');
    expect(toCSV(e)).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
    expect(buildReport({ events: [{ seq: 'x' }, 5, null] }).timeline).toEqual([]);
  });
});

describe('Markdown export', () => {
  const md = toMarkdown(buildReport(raw));

  it('has every section', () => {
    for (const h of ['# After-action report: Tuesday drill', '## Outcome', '## Path taken', '## Decisions', '## Objectives', '## Other notes', '## Timeline']) {
      expect(md).toContain(`${h}\n`);
    }
    expect(md).toMatch(/\n1\. T\+0:00 — Sunday 09:40 [^\n]+\n2\. T\+7:00 — [^\n]+\n\n## Decisions/);
    expect(md).toContain('> The post is live.\n> What now?');
    expect(md).toContain('Talk about **speed**.');
  });

  it('writes the answers table with response times', () => {
    expect(md).toContain('| Ana | Delete the post | 1:00 | 4 | It is "fake", obviously |');
    expect(md).toContain('Opened T+1:00, closed T+7:00 (time limit): **Delete the post**.');
  });

  it('keeps what people typed inert', () => {
    expect(md).toContain('Team \\| argued \\<b\\>well\\</b\\>');
    expect(md).not.toContain('<b>');
    expect(mdText('a*b_c [x](javascript:y) `z` #1\nnext & more')).toBe('a\\*b\\_c \\[x\\](javascript:y) \\`z\\` \\#1 next & more');
  });
});

describe('moves between teams', () => {
  it('says who moved where, and who leads the team they left', () => {
    const r = buildReport({
      ...raw,
      events: [
        ...events.slice(0, 4),
        frame(5, 'participant_moved', 1, { participant: 'p1', name: 'Ana', from: 'comms', to: 'legal' }, ['comms', 'legal']),
        frame(6, 'lead_changed', 1, { participant: 'p2', team: 'comms', name: 'Ben', lead: true }, ['comms']),
        frame(7, 'participant_moved', 2, { participant: 'p2', name: 'Ben', from: 'comms', to: 'soc', lead: true }, ['comms', 'soc']),
      ],
    });
    expect(r.timeline.slice(4).map((t) => t.summary)).toEqual([
      'Ana moved from Comms & Social to Legal & Privacy',
      '=HYPERLINK("http://evil.example","click") is now the lead of Comms & Social',
      '=HYPERLINK("http://evil.example","click") moved from Comms & Social to Security Operations (SOC/IR) as lead',
    ]);
  });
});

describe('extended decisions', () => {
  const extendedRaw = {
    ...raw,
    events: [
      ...events.slice(0, 9),
      frame(10, 'facilitator_extend', 5, { decision: 'first_response', by: 2 * MIN }),
      frame(11, 'decision_extended', 5, { kind: 'decision_extended', decision: 'first_response', team: 'comms', by: 2 * MIN, closes_at: 9 * MIN, time_limit: 8 * MIN }, ['comms']),
      frame(12, 'decision_closed', 9, { decision: 'first_response', team: 'comms', settled: 'answered', close_reason: 'time_limit', option: 'delete', option_label: 'Delete the post' }, ['comms']),
    ],
  };
  const r = buildReport(extendedRaw);
  const comms = r.decisions[0].teamName;

  it('says in words who extended which decision, by how much, and the new deadline', () => {
    const byKind = Object.fromEntries(r.timeline.map((t) => [t.kind, t.summary]));
    expect(byKind['decision_extended']).toBe(`Facilitator extended first_response (${comms}) by 2 min; now closes at T+9:00`);
    expect(byKind['facilitator_extend']).toBe('Facilitator asked to extend first_response by 2 min');
    expect(r.decisions[0].extendedNs).toBe(2 * MIN);
    expect(r.decisions[0].closedAtNs).toBe(9 * MIN);
  });

  it('carries it into every export', () => {
    const md = toMarkdown(r);
    expect(md).toContain('Opened T+1:00, extended by 2 min, closed T+9:00 (time limit): **Delete the post**.');
    expect(md).toContain(`| T+5:00 | Facilitator extended first\\_response (${comms}) by 2 min; now closes at T+9:00 |`);
    // The facilitator's command repeats the sim's event: only the CSV keeps both.
    expect(md).not.toContain('asked to extend');
    const csv = toCSV(r).split('\r\n');
    expect(csv.find((l) => l.startsWith('11,'))).toBe(
      `11,T+5:00,300,2026-11-23T10:05:00Z,,decision_extended,,comms,Facilitator extended first_response (${comms}) by 2 min; now closes at T+9:00`,
    );
    expect(csv.find((l) => l.startsWith('10,'))).toContain(',facilitator_extend,,,Facilitator asked to extend first_response by 2 min');
    const json = JSON.parse(toJSON(r));
    expect(json.decisions[0].extendedNs).toBe(2 * MIN);
    expect(json.timeline.find((t: { kind: string }) => t.kind === 'decision_extended').summary).toContain('by 2 min');
  });
});

describe('JSON export', () => {
  it('round-trips the report without the raw scenario model', () => {
    const r = buildReport(raw);
    const parsed = JSON.parse(toJSON(r));
    expect(parsed.format).toBe('ttx-report');
    expect(parsed.version).toBe(1);
    expect(parsed.model).toBeUndefined();
    expect(parsed.decisions[0].answers[0].responseNs).toBe(MIN);
    expect(parsed.timeline).toHaveLength(events.length);
    expect(parsed.exercise.id).toBe('ex_42');
  });
});

describe('CSV export', () => {
  it('escapes quotes, commas and line breaks', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rlf')).toBe('"cr\rlf"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
  });

  it('neutralises formula injection', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+cmd|calc')).toBe("'+cmd|calc");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=x')).toBe("'\t=x");
    expect(csvCell('=HYPERLINK("u","c")')).toBe(`"'=HYPERLINK(""u"",""c"")"`);
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes one row per event with a header, CRLF line ends', () => {
    const csv = toCSV(buildReport(raw));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('seq,clock,clock_seconds,wall_time,story_time,kind,state,audience,summary');
    expect(lines).toHaveLength(events.length + 2);
    expect(lines[lines.length - 1]).toBe('');
    expect(lines[5]).toBe('5,T+0:00,0,2026-11-23T10:00:00Z,,state_entered,hijack_begins,*,Entered “The hijack begins”');
    // A participant named like a formula: the summary cell starts with the name.
    const joined = lines.find((l) => l.startsWith('3,'))!;
    expect(joined).toContain(`"'=HYPERLINK(""http://evil.example"",""click"") joined`);
    // A rationale with a line break stays inside one quoted cell, so the row count holds.
    expect(lines.find((l) => l.startsWith('12,'))).toContain(',note_added,,,Note by Fran (facilitator): +cmd|calc');
  });

  it('names export files safely', () => {
    const r = buildReport({ ...raw, exercise: { id: '../../etc/passwd' } });
    expect(exportName(r, 'csv')).toBe('ttx-report-______etc_passwd.csv');
  });
});

describe('the report explains the path', () => {
  // A rule step, then an outcome reached by a rule with its values.
  const final = brandHijack.states.find((s) => 'outcome' in s && (s as { outcome?: string }).outcome)!;
  const evs = [
    frame(1, 'exercise_created', 0, { title: 'Drill', scenario: 'brand-hijack' }),
    frame(2, 'state_entered', 0, { state: 'hijack_begins', title: 'x' }, ['*']),
    frame(3, 'transition_taken', 10, { from_state: 'hijack_begins', to_state: 'source_identified', transition: 1, when: 'entry_known', after: 10 * MIN, values: [{ name: 'entry_known', value: true }], reason: 'when: entry_known, after 10m' }),
    frame(4, 'state_entered', 10, { state: 'source_identified', title: 'y' }, ['*']),
    frame(5, 'facilitator_force', 12, { state: final.id }),
    frame(6, 'transition_taken', 12, { from_state: 'source_identified', to_state: final.id, forced: true, reason: 'forced' }),
    frame(7, 'state_entered', 12, { state: final.id, title: 'z' }, ['*']),
    frame(8, 'outcome_reached', 12, { outcome: 'done', title: 'Done' }, ['*']),
  ];
  const r = buildReport({ ...raw, events: evs });

  it('gives every step its real reason and the outcome its cause', () => {
    expect(r.path.map((p) => p.why)).toEqual(['start of the exercise', 'rule: when entry_known (entry_known = true), after 10m', 'forced by the facilitator']);
    expect(r.outcomeCause).toBe('forced by the facilitator');
    expect(r.takenEdges.has('hijack_begins->source_identified#0')).toBe(true);
    expect(r.takenEdges.size).toBe(1);
    const md = toMarkdown(r);
    expect(md).toContain('rule: when entry\\_known (entry\\_known = true), after 10m');
    expect(md).toContain('Why this outcome: forced by the facilitator');
    expect(JSON.parse(toJSON(r)).takenEdges).toEqual(['hijack_begins->source_identified#0']);
  });
});

describe('skipped decisions', () => {
  it('says a decision its condition skipped was not opened, and why', () => {
    const r = buildReport({ ...raw, events: [frame(1, 'decision_skipped', 2, { decision: 'first_response', team: 'comms', reason: 'if: reputation < 50' })] });
    expect(r.timeline[0].summary).toMatch(/^Decision first_response not opened for .+ \(if: reputation < 50\)$/);
  });
});

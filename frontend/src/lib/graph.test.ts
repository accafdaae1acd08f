import { describe, expect, it } from 'vitest';
import { adaptScenario, edgeText, type ScenarioModel } from './facilitator-scenario';
import { backEdges, clipText, depths, EDGE_FONT, EDGE_LINES_MAX, EDGE_TEXT_MAX, estimateWidth, layoutGraph, NODE_FONT, NODE_TEXT_MAX, pathEdgeKeys, wrapText, type GraphLayout } from './graph';
import brandHijack from './testdata/brand-hijack.scenario.json';

// The branch graph of every shipped scenario, as the API sends it (kept
// true to scenarios/*.yaml by a Go test in scenarios/).
const shipped = Object.entries(import.meta.glob<{ default: unknown }>('./testdata/graphs/*.json', { eager: true })).map(([file, mod]) => [file.replace(/.*\//, ''), adaptScenario(mod.default)] as const);

const sample = adaptScenario(brandHijack);

function model(start: string, states: [string, string[]][], extra: Partial<ScenarioModel> = {}): ScenarioModel {
  return adaptScenario({
    id: 't',
    title: 'T',
    start,
    teams: [],
    states: states.map(([id, to]) => ({ id, title: `State ${id}`, transitions: to.map((t) => ({ to: t })) })),
    ...extra,
  });
}

/** Every box drawn: states and edge labels. */
function boxes(l: GraphLayout): { what: string; x: number; y: number; r: number; b: number }[] {
  return [
    ...l.nodes.map((n) => ({ what: `state ${n.id}`, x: n.x, y: n.y, r: n.x + n.w, b: n.y + n.h })),
    ...l.edges.filter((e) => e.lw > 0).map((e) => ({ what: `label ${e.key}`, x: e.lx - e.lw / 2, y: e.ly - e.lh / 2, r: e.lx + e.lw / 2, b: e.ly + e.lh / 2 })),
  ];
}

/** Pairs of boxes on top of each other. */
function overlaps(l: GraphLayout): string[] {
  const bs = boxes(l);
  const out: string[] = [];
  for (let i = 0; i < bs.length; i++) {
    for (let j = i + 1; j < bs.length; j++) {
      const a = bs[i];
      const b = bs[j];
      if (a.x < b.r && b.x < a.r && a.y < b.b && b.y < a.b) out.push(`${a.what} / ${b.what}`);
    }
  }
  return out;
}

/** What lies outside the picture: boxes, and the points of edge paths. */
function outside(l: GraphLayout): string[] {
  const out = boxes(l)
    .filter((b) => b.x < 0 || b.y < 0 || b.r > l.width || b.b > l.height)
    .map((b) => b.what);
  for (const e of l.edges) {
    const nums = [...e.d.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    if (nums.some(([x, y]) => x < 0 || y < 0 || x > l.width || y > l.height)) out.push(`edge ${e.key}`);
  }
  return out;
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

describe.each(shipped)('the branch graph of %s', (_file, m) => {
  const l = layoutGraph(m);

  it('draws every state with its whole title, each line inside its box', () => {
    expect(l.nodes.map((n) => n.id).sort()).toEqual(m.states.map((s) => s.id).sort());
    for (const n of l.nodes) {
      expect(norm(n.lines.join(' ')), n.id).toBe(norm(n.title));
      expect(n.lines.join(' '), n.id).not.toContain('…');
      for (const line of n.lines) expect(estimateWidth(line, NODE_FONT, true), `${n.id}: ${line}`).toBeLessThanOrEqual(n.w - 2 * 10);
      // Wrapped on word boundaries: no line could take the next line's first word.
      for (let i = 0; i + 1 < n.lines.length; i++) {
        expect(estimateWidth(`${n.lines[i]} ${n.lines[i + 1].split(' ')[0]}`, NODE_FONT, true), n.id).toBeGreaterThan(NODE_TEXT_MAX);
      }
    }
  });

  it('draws every transition label whole, inside its box', () => {
    const transitions = m.states.reduce((a, s) => a + s.transitions.length, 0);
    expect(l.edges).toHaveLength(transitions);
    for (const e of l.edges) {
      const t = m.states.find((s) => s.id === e.from)!.transitions.filter((x) => x.to === e.to)[Number(e.key.split('#')[1])];
      expect(e.fullLabel).toBe(edgeText(t));
      expect(norm(e.lines.join(' ')), e.key).toBe(norm(e.fullLabel));
      for (const line of e.lines) expect(estimateWidth(line, EDGE_FONT, true), line).toBeLessThanOrEqual(e.lw);
    }
  });

  it('puts no box on top of another and nothing outside the picture', () => {
    expect(overlaps(l)).toEqual([]);
    expect(outside(l)).toEqual([]);
  });

  it('has the start state alone on top and every edge between states it draws', () => {
    expect(l.layers[0]).toEqual([m.start]);
    const start = l.nodes.find((n) => n.id === m.start)!;
    expect(start.start && start.layer === 0 && start.reachable).toBe(true);
    for (const n of l.nodes) if (n.id !== m.start) expect(n.y, n.id).toBeGreaterThan(start.y);
    const ids = new Set(l.nodes.map((n) => n.id));
    for (const e of l.edges) {
      expect(ids.has(e.from) && ids.has(e.to)).toBe(true);
      expect(e.d).toMatch(/^M[\d.-]+,[\d.-]+ C/);
    }
    expect(new Set(l.edges.map((e) => e.key)).size).toBe(l.edges.length);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(layoutGraph(m))).toBe(JSON.stringify(l));
  });
});

describe('layoutGraph', () => {
  const l = layoutGraph(sample);

  it('marks final states with their rating', () => {
    const finals = l.nodes.filter((n) => n.final).map((n) => [n.id, n.rating]);
    expect(finals.sort()).toEqual([
      ['contained', 'success'],
      ['public_crisis', 'failure'],
      ['recovered_with_scars', 'partial'],
      ['second_wave', 'failure'],
    ]);
  });

  it('goes down as the exercise progresses: a forward edge ends below where it starts', () => {
    const y = (id: string) => l.nodes.find((n) => n.id === id)!.y;
    for (const e of l.edges) if (!e.back) expect(y(e.to), e.key).toBeGreaterThan(y(e.from));
    // Ranks are rows, numbered from the top, and each lists its states left to right.
    for (const n of l.nodes) expect(l.layers[n.layer][n.order]).toBe(n.id);
  });

  it('gives parallel edges distinct curves', () => {
    const par = l.edges.filter((e) => e.from === 'source_identified' && e.to === 'exec_targeted');
    expect(par).toHaveLength(2);
    expect(par[0].d).not.toBe(par[1].d);
    expect(par[0].ly === par[1].ly && par[0].lx === par[1].lx).toBe(false);
  });

  it('highlights the edges of a path', () => {
    const keys = pathEdgeKeys(l, ['hijack_begins', 'source_identified', 'recovery', 'vendor_report', 'contained']);
    expect([...keys]).toEqual(['hijack_begins->source_identified#0', 'source_identified->recovery#0', 'recovery->vendor_report#0', 'vendor_report->contained#0']);
    // A forced jump between states without an edge highlights nothing.
    expect(pathEdgeKeys(l, ['hijack_begins', 'contained']).size).toBe(0);
  });

  it('sizes the boxes to the text as measured', () => {
    const wide = layoutGraph(sample, (s, size, bold) => 1.5 * estimateWidth(s, size, bold));
    const w = (x: GraphLayout) => x.nodes.find((n) => n.id === 'second_wave')!.w;
    expect(w(wide)).toBeGreaterThan(w(l));
    // Narrower text, fewer lines: the measure decides where titles wrap.
    const narrow = layoutGraph(sample, (s, size, bold) => 0.5 * estimateWidth(s, size, bold));
    expect(narrow.nodes.reduce((a, n) => a + n.lines.length, 0)).toBeLessThan(l.nodes.reduce((a, n) => a + n.lines.length, 0));
    expect(overlaps(wide)).toEqual([]);
    expect(overlaps(narrow)).toEqual([]);
  });
});

describe('layoutGraph edge cases', () => {
  it('lays out states the start cannot reach, without overlaps', () => {
    const l = layoutGraph(model('a', [['a', ['b']], ['b', []], ['orphan', ['b']]]));
    const orphan = l.nodes.find((n) => n.id === 'orphan')!;
    expect(orphan.reachable).toBe(false);
    expect(l.edges.find((e) => e.from === 'orphan')!.back).toBe(false);
    expect(overlaps(l)).toEqual([]);
    expect(outside(l)).toEqual([]);
  });

  it('draws loops and edges back to an earlier state as going back, the start still on top', () => {
    const l = layoutGraph(model('a', [['a', ['b', 'a']], ['b', ['c', 'a']], ['c', ['b']]]));
    const back = (from: string, to: string) => l.edges.find((e) => e.from === from && e.to === to)!.back;
    expect([back('a', 'a'), back('b', 'a'), back('c', 'b'), back('a', 'b'), back('b', 'c')]).toEqual([true, true, true, false, false]);
    expect(l.layers[0]).toEqual(['a']);
    expect(overlaps(l)).toEqual([]);
    expect(outside(l)).toEqual([]);
  });

  it('drops edges to unknown states and survives an unknown start', () => {
    const l = layoutGraph(model('zz', [['a', ['nowhere', 'b']], ['b', []]]));
    expect(l.edges.map((e) => e.to)).toEqual(['b']);
    expect(l.nodes.every((n) => !n.reachable)).toBe(true);
    expect(overlaps(l)).toEqual([]);
  });

  it('lays out an empty scenario', () => {
    const l = layoutGraph(model('', []));
    expect(l.nodes).toEqual([]);
    expect(l.width).toBeGreaterThan(0);
  });

  it('orders a rank by its neighbours to avoid crossings', () => {
    // a -> c, b -> d, with d listed first: d goes on b's side.
    const l = layoutGraph(model('s', [['s', ['a', 'b']], ['a', ['c']], ['b', ['d']], ['d', []], ['c', []]]));
    const x = (id: string) => l.nodes.find((n) => n.id === id)!.x;
    expect(Math.sign(x('a') - x('b'))).toBe(Math.sign(x('c') - x('d')));
  });

  it('keeps a wide rank and many labels free of overlaps', () => {
    const many = Array.from({ length: 12 }, (_, i) => `n${i}`);
    const base = model('s', [['s', many], ...many.map((id): [string, string[]] => [id, ['s']])]);
    const labelled = { ...base, states: base.states.map((s) => ({ ...s, transitions: s.transitions.map((t, i) => ({ ...t, label: `a label long enough to wrap onto two lines ${i}` })) })) };
    const l = layoutGraph(labelled);
    expect(overlaps(l)).toEqual([]);
    expect(outside(l)).toEqual([]);
    expect(l.layers[1]).toHaveLength(12);
  });

  it('shortens only a label longer than its lines, keeping the whole of it for focus and hover', () => {
    const long = 'chose("first_response", "capture") && severity >= 3 && reputation < 40 && answered("legal_hold") && !visited("wrong_trail")';
    const base = model('a', [['a', ['b']], ['b', []]]);
    const l = layoutGraph({ ...base, states: base.states.map((s) => ({ ...s, transitions: s.transitions.map((t) => ({ ...t, when: long })) })) });
    const e = l.edges[0];
    expect(e.fullLabel).toBe(long);
    expect(e.lines).toHaveLength(EDGE_LINES_MAX);
    expect(e.lines[EDGE_LINES_MAX - 1].endsWith('…')).toBe(true);
    for (const line of e.lines) expect(estimateWidth(line, EDGE_FONT, true)).toBeLessThanOrEqual(Math.max(EDGE_TEXT_MAX, ...long.split(' ').map((w) => estimateWidth(w, EDGE_FONT, true))));
  });

  it('gives a state with a very long title a box for all of it', () => {
    const title = 'An extraordinarily long state title that keeps going and going, with Supercalifragilisticexpialidociousness in it';
    const base = model('a', [['a', []]]);
    const l = layoutGraph({ ...base, states: base.states.map((s) => ({ ...s, title })) });
    const n = l.nodes[0];
    expect(n.lines.join(' ')).toBe(title);
    for (const line of n.lines) expect(estimateWidth(line, NODE_FONT, true)).toBeLessThan(n.w);
    expect(n.h).toBeGreaterThan(n.lines.length * NODE_FONT);
  });
});

describe('wrapText', () => {
  const chars = (s: string) => Array.from(s).length;
  it.each([
    ['Short', 10, ['Short']],
    ['The hijack begins on the brand account', 20, ['The hijack begins on', 'the brand account']],
    ['  spaces \n and\ttabs  ', 20, ['spaces and tabs']],
    ['a Supercalifragilisticexpialidocious word', 10, ['a', 'Supercalifragilisticexpialidocious', 'word']],
    ['', 10, ['']],
  ])('wraps %j at %s', (text, max, want) => {
    expect(wrapText(text, max, chars)).toEqual(want);
  });
});

describe('backEdges', () => {
  it.each([
    ['a chain', model('a', [['a', ['b']], ['b', ['c']], ['c', []]]), []],
    ['a loop to itself', model('a', [['a', ['a', 'b']], ['b', []]]), ['a->a#0']],
    ['a way back up', model('a', [['a', ['b']], ['b', ['a', 'a']]]), ['b->a#0', 'b->a#1']],
    ['a diamond', model('a', [['a', ['b', 'c']], ['b', ['d']], ['c', ['d']], ['d', []]]), []],
    ['a cycle away from the start', model('s', [['s', ['x']], ['y', ['x']], ['x', ['y']]]), ['y->x#0']],
  ])('in %s', (_name, m, want) => {
    expect([...backEdges(m)].sort()).toEqual(want);
  });
});

describe('edge texts', () => {
  it('uses the label, else the condition and delay', () => {
    expect(edgeText({ to: 'x', when: 'a  &&\n b', afterNs: 0, label: '' })).toBe('a && b');
    expect(edgeText({ to: 'x', when: '', afterNs: 600e9, label: '' })).toBe('after 10m');
    expect(edgeText({ to: 'x', when: 'ok', afterNs: 90e9, label: '' })).toBe('ok · after 1m30s');
    expect(edgeText({ to: 'x', when: 'ok', afterNs: 90e9, label: 'Named' })).toBe('Named');
    expect(clipText('abcdefghij', 5)).toBe('abcd…');
  });

  it('has breadth-first depths from the start', () => {
    const d = depths(sample);
    expect(d.get('hijack_begins')).toBe(0);
    expect(d.get('source_identified')).toBe(1);
    expect(d.get('vendor_report')).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { adaptScenario, edgeText, type ScenarioModel } from './facilitator-scenario';
import { BACK_ROOM, MARGIN, clipText, depths, GAP_X, LABEL_PITCH, labelWidth, layoutGraph, NODE_H, NODE_W, pathEdgeKeys, wrapTitle, type GraphLayout } from './graph';
import brandHijack from './testdata/brand-hijack.scenario.json';

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

function overlaps(l: GraphLayout): string[] {
  const out: string[] = [];
  for (let i = 0; i < l.nodes.length; i++) {
    for (let j = i + 1; j < l.nodes.length; j++) {
      const a = l.nodes[i];
      const b = l.nodes[j];
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) out.push(`${a.id}/${b.id}`);
    }
  }
  return out;
}

describe('layoutGraph on a shipped scenario', () => {
  const l = layoutGraph(sample);

  it('places every state once, the start in the first column', () => {
    expect(l.nodes.map((n) => n.id).sort()).toEqual(sample.states.map((s) => s.id).sort());
    const start = l.nodes.find((n) => n.start)!;
    expect(start.id).toBe('hijack_begins');
    expect(start.layer).toBe(0);
    expect(l.layers[0]).toEqual(['hijack_begins']);
  });

  it('puts states in columns by breadth-first depth', () => {
    const d = depths(sample);
    for (const n of l.nodes) expect(n.layer).toBe(d.get(n.id));
    expect(d.get('source_identified')).toBe(1);
    expect(d.get('wrong_trail')).toBe(1);
    expect(d.get('vendor_report')).toBe(3);
    expect(d.get('contained')).toBe(4);
  });

  it('has no overlapping nodes and keeps them inside the picture', () => {
    expect(overlaps(l)).toEqual([]);
    for (const n of l.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.y).toBeGreaterThanOrEqual(MARGIN);
      expect(n.x + n.w).toBeLessThanOrEqual(l.width);
      expect(n.y + n.h).toBeLessThanOrEqual(l.height);
    }
  });

  it("draws one edge per transition and every edge's endpoints exist", () => {
    const ids = new Set(l.nodes.map((n) => n.id));
    const transitions = sample.states.reduce((a, s) => a + s.transitions.length, 0);
    expect(l.edges).toHaveLength(transitions);
    for (const e of l.edges) {
      expect(ids.has(e.from)).toBe(true);
      expect(ids.has(e.to)).toBe(true);
      expect(e.d).toMatch(/^M[\d.-]+,[\d.-]+ C/);
      expect(Number.isFinite(e.lx) && Number.isFinite(e.ly)).toBe(true);
    }
    expect(new Set(l.edges.map((e) => e.key)).size).toBe(l.edges.length);
  });

  it('marks final states with their rating', () => {
    const finals = l.nodes.filter((n) => n.final).map((n) => [n.id, n.rating]);
    expect(finals.sort()).toEqual([
      ['contained', 'success'],
      ['public_crisis', 'failure'],
      ['recovered_with_scars', 'partial'],
      ['second_wave', 'failure'],
    ]);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(layoutGraph(adaptScenario(brandHijack)))).toBe(JSON.stringify(l));
  });

  it('gives parallel edges distinct curves', () => {
    const par = l.edges.filter((e) => e.from === 'source_identified' && e.to === 'exec_targeted');
    expect(par).toHaveLength(2);
    expect(par[0].d).not.toBe(par[1].d);
  });

  it('highlights the edges of a path', () => {
    const keys = pathEdgeKeys(l, ['hijack_begins', 'source_identified', 'recovery', 'vendor_report', 'contained']);
    expect([...keys]).toEqual([
      'hijack_begins->source_identified#0',
      'source_identified->recovery#0',
      'recovery->vendor_report#0',
      'vendor_report->contained#0',
    ]);
    // A forced jump between states without an edge highlights nothing.
    expect(pathEdgeKeys(l, ['hijack_begins', 'contained']).size).toBe(0);
  });
});

describe('layoutGraph edge cases', () => {
  it('puts unreachable states in an extra last column', () => {
    const l = layoutGraph(model('a', [['a', ['b']], ['b', []], ['orphan', ['b']]]));
    const orphan = l.nodes.find((n) => n.id === 'orphan')!;
    expect(orphan.layer).toBe(2);
    expect(orphan.reachable).toBe(false);
    const back = l.edges.find((e) => e.from === 'orphan')!;
    expect(back.back).toBe(true);
  });

  it('draws loops and back edges as arcs above the columns', () => {
    const l = layoutGraph(model('a', [['a', ['b', 'a']], ['b', ['a']]]));
    const self = l.edges.find((e) => e.from === 'a' && e.to === 'a')!;
    const back = l.edges.find((e) => e.from === 'b' && e.to === 'a')!;
    expect(self.back && back.back).toBe(true);
    expect(back.ly).toBeLessThan(l.nodes.find((n) => n.id === 'a')!.y);
    expect(back.ly).toBeGreaterThan(0);
    // The room for the arcs is there only when some edge needs it.
    expect(Math.min(...l.nodes.map((n) => n.y))).toBeGreaterThanOrEqual(MARGIN + BACK_ROOM);
    expect(Math.min(...layoutGraph(model('a', [['a', ['b']], ['b', []]])).nodes.map((n) => n.y))).toBe(MARGIN);
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

  it('orders a column by its neighbours to avoid crossings', () => {
    // a -> c, b -> d, with d listed first: the sweeps put d beside b.
    const l = layoutGraph(model('s', [['s', ['a', 'b']], ['a', ['c']], ['b', ['d']], ['d', []], ['c', []]]));
    const y = (id: string) => l.nodes.find((n) => n.id === id)!.y;
    expect(Math.sign(y('a') - y('b'))).toBe(Math.sign(y('c') - y('d')));
  });

  it('keeps a wide column free of overlaps', () => {
    const many = Array.from({ length: 12 }, (_, i) => `n${i}`);
    const l = layoutGraph(model('s', [['s', many], ...many.map((id): [string, string[]] => [id, []])]));
    expect(overlaps(l)).toEqual([]);
    expect(l.height).toBeGreaterThanOrEqual(12 * NODE_H);
    expect(l.width).toBeGreaterThanOrEqual(2 * NODE_W);
  });
});

describe('labels', () => {
  it('wraps titles into two clipped lines', () => {
    expect(wrapTitle('Short')).toEqual(['Short']);
    expect(wrapTitle('The hijack begins on the brand account')).toEqual(['The hijack begins on', 'the brand account']);
    const long = wrapTitle('An extraordinarily long state title that keeps going and going');
    expect(long).toHaveLength(2);
    expect(long[1].endsWith('…')).toBe(true);
    expect(Array.from(long[1]).length).toBeLessThanOrEqual(21);
    expect(wrapTitle('Supercalifragilisticexpialidocious')[0].endsWith('…')).toBe(true);
  });

  it('uses the label, else the condition and delay, for edges', () => {
    expect(edgeText({ to: 'x', when: 'a  &&\n b', afterNs: 0, label: '' })).toBe('a && b');
    expect(edgeText({ to: 'x', when: '', afterNs: 600e9, label: '' })).toBe('after 10m');
    expect(edgeText({ to: 'x', when: 'ok', afterNs: 90e9, label: '' })).toBe('ok · after 1m30s');
    expect(edgeText({ to: 'x', when: 'ok', afterNs: 90e9, label: 'Named' })).toBe('Named');
    expect(clipText('abcdefghij', 5)).toBe('abcd…');
  });
});

describe('edge labels', () => {
  it('never overlap within a gap and stay inside the picture', () => {
    for (const m of [sample, model('s', [['s', ['a', 'b', 'c', 'd', 'e', 'f']], ...['a', 'b', 'c', 'd', 'e', 'f'].map((id): [string, string[]] => [id, []])])]) {
      // Give every edge a label so each one is placed.
      const labelled = { ...m, states: m.states.map((s) => ({ ...s, transitions: s.transitions.map((t, i) => ({ ...t, label: t.label || `edge ${i}` })) })) };
      const l = layoutGraph(labelled);
      const fwd = l.edges.filter((e) => !e.back);
      for (let i = 0; i < fwd.length; i++) {
        for (let j = i + 1; j < fwd.length; j++) {
          if (fwd[i].lx === fwd[j].lx) expect(Math.abs(fwd[i].ly - fwd[j].ly)).toBeGreaterThanOrEqual(LABEL_PITCH - 0.11);
        }
      }
      for (const e of l.edges) {
        expect(e.ly).toBeGreaterThan(0);
        expect(e.ly).toBeLessThan(l.height);
        // A forward label sits in the gap after its source column, clear of every box.
        if (!e.back) {
          for (const n of l.nodes) expect(e.lx > n.x && e.lx < n.x + n.w).toBe(false);
          expect(e.lx).toBe(l.nodes.find((n) => n.id === e.from)!.x + NODE_W + GAP_X / 2);
        }
      }
    }
  });
});

describe('edges within one column and over the top', () => {
  it('bows an edge between two states of one column into the gap on the right', () => {
    const l = layoutGraph(model('s', [['s', ['a', 'b']], ['a', ['b']], ['b', []]]));
    const e = l.edges.find((x) => x.from === 'a' && x.to === 'b')!;
    const a = l.nodes.find((n) => n.id === 'a')!;
    expect(e.back).toBe(true);
    expect(e.lx).toBe(a.x + a.w + GAP_X / 2);
    const xs = [...e.d.matchAll(/(-?[\d.]+),/g)].map((m) => Number(m[1]));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(a.x + a.w);
  });

  it('keeps labels of arcs over the top apart', () => {
    const base = model('s', [['s', ['m']], ['m', ['e']], ['e', ['s', 'm', 's']]]);
    const labelled = layoutGraph({
      ...base,
      states: base.states.map((st) => ({
        ...st,
        transitions: st.transitions.map((t, i) => ({ ...t, label: `back edge ${i}` })),
      })),
    });
    const top = labelled.edges.filter((e) => e.back);
    expect(top).toHaveLength(3);
    for (let i = 0; i < top.length; i++) {
      for (let j = i + 1; j < top.length; j++) {
        const apart = Math.abs(top[i].lx - top[j].lx) >= (labelWidth(top[i].label) + labelWidth(top[j].label)) / 2 || Math.abs(top[i].ly - top[j].ly) >= LABEL_PITCH;
        expect(apart).toBe(true);
      }
    }
  });
});

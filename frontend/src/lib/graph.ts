// Layout of a scenario's branch graph, drawn by the browser as SVG.
//
// Every state is a box sized to its whole title, wrapped on word
// boundaries; every transition's label is a box of its own. The boxes are
// placed by dagre (a layered "Sugiyama" layout: ranks from the start state
// downwards as the exercise progresses, few crossings, label boxes given
// room of their own), so no two boxes overlap and nothing is cut. Back
// edges are found by a depth-first walk from the start state in file
// order and laid out as if reversed, so the start state is always on top
// and a loop reads as a way back up. Deterministic: the same scenario and
// the same text widths give the same picture. Pure: no DOM (the component
// passes a measure of text widths from a canvas; tests use the estimate).

import { Graph, layout as dagreLayout } from '@dagrejs/dagre';
import { edgeText, type ScenarioModel } from './facilitator-scenario';

/** Font size of a state's title, px (BranchGraph draws it at this size). */
export const NODE_FONT = 13;
export const NODE_LINE = 17;
/** Font size of a transition's label, px. */
export const EDGE_FONT = 11.5;
export const EDGE_LINE = 15;
/** Longest line of a state's title, px: longer titles wrap. */
export const NODE_TEXT_MAX = 176;
const NODE_PAD_X = 12;
const NODE_PAD_Y = 9;
const NODE_MIN_W = 96;
/** Longest line of a transition's label, px. */
export const EDGE_TEXT_MAX = 170;
/** Lines of a transition's label drawn; the rest is told on focus and hover. */
export const EDGE_LINES_MAX = 3;
const EDGE_PAD_X = 6;
const EDGE_PAD_Y = 3;
export const MARGIN = 16;

/** Width in px of text drawn in the graph's font at a size, bold or not. */
export type Measure = (text: string, size: number, bold: boolean) => number;

// Advance widths in em of a wide sans-serif (DejaVu Sans, the widest of the
// usual system faces), bold: an estimate that errs on the wide side, for
// where no canvas can measure (tests, a browser without canvas).
const NARROW = new Set(" .,:;'|!il()[]{}jf-t\"");
const WIDE = new Set('mwMW@%—…&€');
export const estimateWidth: Measure = (text, size, bold) => {
  let em = 0;
  for (const ch of text) {
    if (NARROW.has(ch)) em += 0.36;
    else if (WIDE.has(ch)) em += 0.98;
    else if (ch >= 'A' && ch <= 'Z') em += 0.76;
    else em += 0.64;
  }
  return em * size * (bold ? 1.08 : 1);
};

export interface GraphNode {
  id: string;
  title: string;
  /** The whole title, wrapped on word boundaries into lines. */
  lines: string[];
  /** Top left corner, width and height of the box. */
  x: number;
  y: number;
  w: number;
  h: number;
  /** Rank (row from the top) and place in it, left to right. */
  layer: number;
  order: number;
  start: boolean;
  final: boolean;
  reachable: boolean;
  rating: string;
  outcome: string;
}

export interface GraphEdge {
  /** from->to#n: n counts parallel edges between the same two states. */
  key: string;
  from: string;
  to: string;
  /** The text drawn (lines joined), shortened only past EDGE_LINES_MAX lines; fullLabel is the whole of it. */
  label: string;
  fullLabel: string;
  /** The label's lines as drawn. */
  lines: string[];
  /** SVG path data. */
  d: string;
  /** Centre, width and height of the label's box (0×0 without a label). */
  lx: number;
  ly: number;
  lw: number;
  lh: number;
  /** Goes back up (a loop to an earlier state) or to itself. */
  back: boolean;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** State ids by rank, each left to right. */
  layers: string[][];
}

/** Cut s to n characters, with an ellipsis when cut. */
export function clipText(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  const chars = Array.from(t);
  return chars.length <= n ? t : `${chars.slice(0, n - 1).join('').trimEnd()}…`;
}

/**
 * Wrap text on word boundaries into lines no wider than max px (a single
 * word wider than that gets a line of its own, never cut). Every word is
 * kept: the lines joined by spaces are the text with its spaces collapsed.
 */
export function wrapText(text: string, max: number, width: (s: string) => number): string[] {
  const words = text.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    const next = cur ? `${cur} ${w}` : w;
    if (!cur || width(next) <= max) {
      cur = next;
      continue;
    }
    lines.push(cur);
    cur = w;
  }
  if (cur || lines.length === 0) lines.push(cur);
  return lines;
}

/** An edge label's lines: wrapped, at most EDGE_LINES_MAX, the last one ending in … when the label goes on. */
function edgeLines(text: string, width: (s: string) => number): string[] {
  if (!text) return [];
  const lines = wrapText(text, EDGE_TEXT_MAX, width);
  if (lines.length <= EDGE_LINES_MAX) return lines;
  const kept = lines.slice(0, EDGE_LINES_MAX);
  let last = `${kept[EDGE_LINES_MAX - 1]} ${lines[EDGE_LINES_MAX]}`;
  while (last.length > 1 && width(`${last}…`) > EDGE_TEXT_MAX) last = last.slice(0, -1).trimEnd();
  kept[EDGE_LINES_MAX - 1] = `${last}…`;
  return kept;
}

/** Breadth-first depth of every state reachable from start; transitions in file order. */
export function depths(model: ScenarioModel): Map<string, number> {
  const ids = new Set(model.states.map((s) => s.id));
  const out = new Map<string, number>();
  if (!ids.has(model.start)) return out;
  const byId = new Map(model.states.map((s) => [s.id, s]));
  out.set(model.start, 0);
  const queue = [model.start];
  for (let qi = 0; qi < queue.length; qi++) {
    const cur = queue[qi];
    const d = out.get(cur)!;
    for (const t of byId.get(cur)?.transitions ?? []) {
      if (ids.has(t.to) && !out.has(t.to)) {
        out.set(t.to, d + 1);
        queue.push(t.to);
      }
    }
  }
  return out;
}

/**
 * The transitions that go back: those reaching a state still on the path
 * of a depth-first walk from the start state (then from every state not
 * yet seen, in file order), transitions in file order. Without them the
 * graph has no cycle. Keys are from->to#n, as GraphEdge.key.
 */
export function backEdges(model: ScenarioModel): Set<string> {
  const byId = new Map(model.states.map((s) => [s.id, s]));
  const state = new Map<string, 1 | 2>(); // 1 on the path, 2 done
  const back = new Set<string>();
  const visit = (root: string) => {
    // Iterative, so a long chain of states cannot overflow the stack.
    const stack: { id: string; i: number; seen: Map<string, number> }[] = [{ id: root, i: 0, seen: new Map() }];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const ts = byId.get(top.id)!.transitions;
      if (top.i >= ts.length) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const to = ts[top.i++].to;
      const n = top.seen.get(to) ?? 0;
      top.seen.set(to, n + 1);
      if (!byId.has(to)) continue;
      const st = state.get(to);
      if (st === 1) back.add(`${top.id}->${to}#${n}`);
      else if (st === undefined) {
        state.set(to, 1);
        stack.push({ id: to, i: 0, seen: new Map() });
      }
    }
  };
  if (byId.has(model.start)) visit(model.start);
  for (const s of model.states) if (!state.has(s.id)) visit(s.id);
  return back;
}

type Pt = { x: number; y: number };

/** Cubic Bézier segments of a Catmull-Rom spline through the points. */
function spline(pts: Pt[]): Pt[][] {
  const out: Pt[][] = [];
  for (let i = 0; i + 1 < pts.length; i++) {
    const p0 = pts[Math.max(0, i - 1)];
    const p1 = pts[i];
    const p2 = pts[i + 1];
    const p3 = pts[Math.min(pts.length - 1, i + 2)];
    out.push([p1, { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 }, { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 }, p2]);
  }
  return out;
}

const r1 = (v: number) => Math.round(v * 10) / 10;

interface DagreNode {
  width: number;
  height: number;
  x?: number;
  y?: number;
}
interface DagreEdge {
  width: number;
  height: number;
  labelpos: 'c';
  minlen: number;
  x?: number;
  y?: number;
  points?: Pt[];
}

export function layoutGraph(model: ScenarioModel, measure: Measure = estimateWidth): GraphLayout {
  const states = model.states.filter((s) => s.id !== '');
  const ids = new Set(states.map((s) => s.id));
  const depth = depths(model);
  const back = backEdges({ ...model, states });
  const nodeWidth = (s: string) => measure(s, NODE_FONT, true);
  const edgeWidth = (s: string) => measure(s, EDGE_FONT, true);

  const g = new Graph<object, DagreNode, DagreEdge>({ multigraph: true, directed: true });
  g.setGraph({ rankdir: 'TB', nodesep: 18, edgesep: 12, ranksep: 22, marginx: 0, marginy: 0 });
  const lines = new Map<string, string[]>();
  // Insertion order is file order with the start state first: dagre's
  // ordering starts from it.
  const order = [...states].sort((a, b) => Number(b.id === model.start) - Number(a.id === model.start));
  for (const s of order) {
    const ls = wrapText(s.title, NODE_TEXT_MAX, nodeWidth);
    lines.set(s.id, ls);
    const w = Math.max(NODE_MIN_W, Math.ceil(Math.max(...ls.map(nodeWidth)) + 2 * NODE_PAD_X));
    g.setNode(s.id, { width: w, height: ls.length * NODE_LINE + 2 * NODE_PAD_Y });
  }
  interface Pending {
    key: string;
    from: string;
    to: string;
    full: string;
    lines: string[];
    lw: number;
    lh: number;
    back: boolean;
    reversed: boolean;
    name: string;
  }
  const pending: Pending[] = [];
  for (const s of states) {
    const seen = new Map<string, number>();
    for (const t of s.transitions) {
      if (!ids.has(t.to)) continue;
      const n = seen.get(t.to) ?? 0;
      seen.set(t.to, n + 1);
      const key = `${s.id}->${t.to}#${n}`;
      const full = edgeText(t);
      const ls = edgeLines(full, edgeWidth);
      const lw = ls.length ? Math.ceil(Math.max(...ls.map(edgeWidth)) + 2 * EDGE_PAD_X) : 0;
      const lh = ls.length ? ls.length * EDGE_LINE + 2 * EDGE_PAD_Y : 0;
      const reversed = back.has(key) && t.to !== s.id;
      const p: Pending = { key, from: s.id, to: t.to, full, lines: ls, lw, lh, back: back.has(key) || t.to === s.id, reversed, name: key };
      pending.push(p);
      const [v, w] = reversed ? [t.to, s.id] : [s.id, t.to];
      g.setEdge(v, w, { width: lw, height: lh, labelpos: 'c', minlen: 1 }, p.name);
    }
  }
  dagreLayout(g);

  // Everything drawn, in dagre's coordinates, then moved to start at MARGIN.
  const segs = new Map<string, Pt[][]>();
  for (const p of pending) {
    const [v, w] = p.reversed ? [p.to, p.from] : [p.from, p.to];
    const e = g.edge(v, w, p.name);
    const pts = (e.points ?? []).map((q) => ({ x: q.x, y: q.y }));
    if (p.reversed) pts.reverse();
    segs.set(p.key, spline(pts));
  }
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const grow = (x0: number, y0: number, x1: number, y1: number) => {
    minX = Math.min(minX, x0);
    minY = Math.min(minY, y0);
    maxX = Math.max(maxX, x1);
    maxY = Math.max(maxY, y1);
  };
  for (const id of g.nodes()) {
    const n = g.node(id);
    grow(n.x! - n.width / 2, n.y! - n.height / 2, n.x! + n.width / 2, n.y! + n.height / 2);
  }
  for (const p of pending) {
    const e = g.edge(p.reversed ? p.to : p.from, p.reversed ? p.from : p.to, p.name);
    if (p.lw) grow(e.x! - p.lw / 2, e.y! - p.lh / 2, e.x! + p.lw / 2, e.y! + p.lh / 2);
    for (const seg of segs.get(p.key)!) for (const q of seg) grow(q.x, q.y, q.x, q.y);
  }
  if (!Number.isFinite(minX)) {
    minX = minY = 0;
    maxX = maxY = 0;
  }
  const dx = MARGIN - minX;
  const dy = MARGIN - minY;

  const byId = new Map(states.map((s) => [s.id, s]));
  const nodes: GraphNode[] = order.map((s) => {
    const n = g.node(s.id);
    return {
      id: s.id,
      title: s.title,
      lines: lines.get(s.id)!,
      x: r1(n.x! - n.width / 2 + dx),
      y: r1(n.y! - n.height / 2 + dy),
      w: n.width,
      h: n.height,
      layer: 0,
      order: 0,
      start: s.id === model.start,
      final: byId.get(s.id)!.outcome !== '',
      reachable: depth.has(s.id),
      rating: s.rating,
      outcome: s.outcome,
    };
  });
  // Ranks are rows: the distinct centre heights, top to bottom.
  const rows = [...new Set(nodes.map((n) => r1(n.y + n.h / 2)))].sort((a, b) => a - b);
  const layers: string[][] = rows.map(() => []);
  nodes.sort((a, b) => a.y + a.h / 2 - (b.y + b.h / 2) || a.x - b.x);
  for (const n of nodes) {
    n.layer = rows.indexOf(r1(n.y + n.h / 2));
    n.order = layers[n.layer].length;
    layers[n.layer].push(n.id);
  }

  const edges: GraphEdge[] = pending.map((p) => {
    const e = g.edge(p.reversed ? p.to : p.from, p.reversed ? p.from : p.to, p.name);
    const s = segs.get(p.key)!;
    const pt = (q: Pt) => `${r1(q.x + dx)},${r1(q.y + dy)}`;
    const d = s.length ? `M${pt(s[0][0])} ${s.map((c) => `C${pt(c[1])} ${pt(c[2])} ${pt(c[3])}`).join(' ')}` : '';
    return {
      key: p.key,
      from: p.from,
      to: p.to,
      label: p.lines.join(' '),
      fullLabel: p.full,
      lines: p.lines,
      d,
      lx: p.lw ? r1(e.x! + dx) : 0,
      ly: p.lw ? r1(e.y! + dy) : 0,
      lw: p.lw,
      lh: p.lh,
      back: p.back,
    };
  });

  return {
    width: Math.ceil(maxX - minX + 2 * MARGIN),
    height: Math.ceil(maxY - minY + 2 * MARGIN),
    nodes,
    edges,
    layers,
  };
}

/**
 * The edges a path of states walked: for each consecutive pair, the first
 * edge between them (a forced jump without an edge highlights nothing).
 */
export function pathEdgeKeys(layout: GraphLayout, path: string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 1; i < path.length; i++) {
    const e = layout.edges.find((x) => x.from === path[i - 1] && x.to === path[i]);
    if (e) out.add(e.key);
  }
  return out;
}

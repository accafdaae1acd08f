// Layered layout of a scenario's branch graph, drawn by the browser as SVG.
//
// States are placed in columns by their breadth-first depth from the start
// state (left to right, as the exercise progresses); states the start cannot
// reach go in one extra column at the end. Within a column, states are
// ordered by a few barycentre sweeps (each state near the average row of its
// neighbours), which keeps edges short and crossings few. Everything is
// deterministic: the same scenario gives the same picture, tie-breaking by
// file order. Pure: no DOM, so it is tested in node.

import { edgeText, type ScenarioModel } from './facilitator-scenario';

export const NODE_W = 156;
export const NODE_H = 54;
export const GAP_X = 132;
export const GAP_Y = 30;
export const MARGIN = 24;
/** Room above the top row for edges that go back (arcs). */
export const BACK_ROOM = 36;
const EDGE_LABEL_MAX = 18;
const LINE_MAX = 21;

export interface GraphNode {
  id: string;
  title: string;
  /** The title wrapped into at most two short lines. */
  lines: string[];
  x: number;
  y: number;
  w: number;
  h: number;
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
  /** Short text for the picture; fullLabel is the whole of it. */
  label: string;
  fullLabel: string;
  /** SVG path data. */
  d: string;
  /** Where the label sits. */
  lx: number;
  ly: number;
  back: boolean;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  layers: string[][];
}

/** Cut s to n characters, with an ellipsis when cut. */
export function clipText(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  const chars = Array.from(t);
  return chars.length <= n ? t : `${chars.slice(0, n - 1).join('').trimEnd()}…`;
}

/** Wrap a title into at most two lines of about `max` characters. */
export function wrapTitle(title: string, max = LINE_MAX): string[] {
  const words = title.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
  const lines: string[] = [];
  let cur = '';
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const next = cur ? `${cur} ${w}` : w;
    if (Array.from(next).length <= max) {
      cur = next;
      continue;
    }
    if (cur) lines.push(cur);
    cur = w;
    if (lines.length === 1) {
      // Second and last line: the rest, clipped.
      cur = words.slice(i).join(' ');
      break;
    }
  }
  if (cur) lines.push(cur);
  if (lines.length === 0) return [''];
  return lines.slice(0, 2).map((l) => clipText(l, max));
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

function midCubic(p0: number, p1: number, p2: number, p3: number): number {
  return 0.125 * p0 + 0.375 * p1 + 0.375 * p2 + 0.125 * p3;
}

function cubicAt(p0: number, p1: number, p2: number, p3: number, t: number): number {
  const u = 1 - t;
  return u * u * u * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * p3;
}

/** The parameter t at which a curve whose x only grows reaches x (bisection). */
function tAtX(x0: number, x1: number, x2: number, x3: number, x: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (cubicAt(x0, x1, x2, x3, mid) < x) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Least vertical distance between the centres of two edge labels. */
export const LABEL_PITCH = 19;

/** About how wide an edge label is drawn (11px sans), with its padding. */
export function labelWidth(label: string): number {
  return Math.min(140, Array.from(label).length * 6.4 + 10);
}

const r1 = (v: number) => Math.round(v * 10) / 10;

export function layoutGraph(model: ScenarioModel): GraphLayout {
  const states = model.states.filter((s) => s.id !== '');
  const fileIndex = new Map(states.map((s, i) => [s.id, i]));
  const depth = depths(model);
  const maxDepth = depth.size ? Math.max(...depth.values()) : -1;
  const layerOf = new Map<string, number>();
  for (const s of states) layerOf.set(s.id, depth.has(s.id) ? depth.get(s.id)! : maxDepth + 1);

  // Columns in BFS discovery order (file order for the unreachable column).
  const nLayers = states.length ? Math.max(...layerOf.values()) + 1 : 0;
  const layers: string[][] = Array.from({ length: nLayers }, () => []);
  const discovered = [...depth.keys()];
  for (const id of discovered) layers[layerOf.get(id)!].push(id);
  for (const s of states) if (!depth.has(s.id)) layers[layerOf.get(s.id)!].push(s.id);

  // Neighbours across columns, for the barycentre sweeps.
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  for (const s of states) {
    for (const t of s.transitions) {
      if (!fileIndex.has(t.to) || t.to === s.id) continue;
      (succs.get(s.id) ?? succs.set(s.id, []).get(s.id)!).push(t.to);
      (preds.get(t.to) ?? preds.set(t.to, []).get(t.to)!).push(s.id);
    }
  }
  const pos = new Map<string, number>();
  const index = () => layers.forEach((l) => l.forEach((id, i) => pos.set(id, i)));
  index();
  const sweep = (li: number, nb: Map<string, string[]>, fromLayer: number) => {
    const l = layers[li];
    const bc = new Map<string, number>();
    for (const id of l) {
      const ns = (nb.get(id) ?? []).filter((x) => layerOf.get(x) === fromLayer);
      bc.set(id, ns.length ? ns.reduce((a, x) => a + pos.get(x)!, 0) / ns.length : pos.get(id)!);
    }
    l.sort((a, b) => bc.get(a)! - bc.get(b)! || pos.get(a)! - pos.get(b)! || fileIndex.get(a)! - fileIndex.get(b)!);
    l.forEach((id, i) => pos.set(id, i));
  };
  for (let it = 0; it < 4; it++) {
    for (let li = 1; li < nLayers; li++) sweep(li, preds, li - 1);
    for (let li = nLayers - 2; li >= 0; li--) sweep(li, succs, li + 1);
  }

  // Room above the columns only when some edge arcs over the top.
  const arcs = states.some((s) => s.transitions.some((t) => fileIndex.has(t.to) && layerOf.get(t.to)! < layerOf.get(s.id)!) || s.transitions.some((t) => t.to === s.id));
  const topRoom = arcs ? BACK_ROOM : 0;
  const tallest = Math.max(0, ...layers.map((l) => l.length));
  const colH = (k: number) => k * NODE_H + Math.max(0, k - 1) * GAP_Y;
  const innerH = colH(tallest);
  const byId = new Map(states.map((s) => [s.id, s]));
  const nodes: GraphNode[] = [];
  const nodeOf = new Map<string, GraphNode>();
  layers.forEach((l, li) => {
    const top = MARGIN + topRoom + (innerH - colH(l.length)) / 2;
    l.forEach((id, i) => {
      const s = byId.get(id)!;
      const node: GraphNode = {
        id,
        title: s.title,
        lines: wrapTitle(s.title),
        x: MARGIN + li * (NODE_W + GAP_X),
        y: r1(top + i * (NODE_H + GAP_Y)),
        w: NODE_W,
        h: NODE_H,
        layer: li,
        order: i,
        start: id === model.start,
        final: s.outcome !== '',
        reachable: depth.has(id),
        rating: s.rating,
        outcome: s.outcome,
      };
      nodes.push(node);
      nodeOf.set(id, node);
    });
  });

  const edges: GraphEdge[] = [];
  // Which labels compete for room: those in the gap after column n, or
  // those of arcs over the top ('top').
  const labelGroup = new Map<GraphEdge, number | 'top'>();
  const parallel = new Map<string, number>();
  for (const s of states) {
    const a = nodeOf.get(s.id)!;
    for (const t of s.transitions) {
      const b = nodeOf.get(t.to);
      if (!b) continue;
      const pair = `${s.id}->${t.to}`;
      const n = parallel.get(pair) ?? 0;
      parallel.set(pair, n + 1);
      const full = edgeText(t);
      const back = b.layer <= a.layer;
      // Parallel edges fan out: 0, +1, -1, +2 ... steps of 14px.
      const fan = n === 0 ? 0 : (n % 2 === 1 ? 1 : -1) * Math.ceil(n / 2) * 14;
      let d: string;
      let lx: number;
      let ly: number;
      if (!back) {
        const x0 = a.x + a.w;
        const y0 = a.y + a.h / 2 + fan / 3;
        const x3 = b.x;
        const y3 = b.y + b.h / 2 + fan / 3;
        const dx = (x3 - x0) / 2;
        const c1x = x0 + dx;
        const c1y = y0 + fan;
        const c2x = x3 - dx;
        const c2y = y3 + fan;
        d = `M${r1(x0)},${r1(y0)} C${r1(c1x)},${r1(c1y)} ${r1(c2x)},${r1(c2y)} ${r1(x3)},${r1(y3)}`;
        // The label sits in the gap right after the source column, where no
        // state box is, even when the edge spans several columns.
        lx = x0 + GAP_X / 2;
        ly = cubicAt(y0, c1y, c2y, y3, tAtX(x0, c1x, c2x, x3, lx));
      } else if (b.layer === a.layer && b !== a) {
        // Between two states of one column: a bow into the gap on the
        // right, whose outermost point (and label) is the gap's middle.
        const x0 = a.x + a.w;
        const y0 = a.y + a.h / 2 + fan / 3;
        const x3 = b.x + b.w;
        const y3 = b.y + b.h / 2 + fan / 3;
        const bow = (GAP_X / 2) * (4 / 3) + Math.abs(fan);
        d = `M${r1(x0)},${r1(y0)} C${r1(x0 + bow)},${r1(y0)} ${r1(x3 + bow)},${r1(y3)} ${r1(x3)},${r1(y3)}`;
        lx = x0 + GAP_X / 2;
        ly = (y0 + y3) / 2;
      } else {
        // Back or self edge: an arc over the top of the columns.
        const x0 = a.x + a.w / 2 + 12;
        const y0 = a.y;
        const x3 = b.x + b.w / 2 - 12;
        const y3 = b.y;
        const lift = BACK_ROOM + MARGIN / 2 + Math.abs(fan);
        const topY = Math.min(y0, y3) - lift;
        const c1x = x0;
        const c2x = x3 === x0 ? x3 - 40 : x3;
        d = `M${r1(x0)},${r1(y0)} C${r1(c1x)},${r1(topY)} ${r1(c2x)},${r1(topY)} ${r1(x3)},${r1(y3)}`;
        lx = midCubic(x0, c1x, c2x, x3);
        ly = midCubic(y0, topY, topY, y3);
      }
      const edge: GraphEdge = { key: `${pair}#${n}`, from: s.id, to: t.to, label: clipText(full, EDGE_LABEL_MAX), fullLabel: full, d, lx: r1(lx), ly: r1(ly), back };
      edges.push(edge);
      labelGroup.set(edge, b.layer > a.layer || (b.layer === a.layer && b !== a) ? a.layer : 'top');
    }
  }

  const width = nLayers ? MARGIN * 2 + nLayers * NODE_W + (nLayers - 1) * GAP_X : MARGIN * 2;
  const height = MARGIN * 2 + topRoom + innerH;

  // Labels in the same gap must not cover each other: push them apart
  // vertically, in order, then lift the group back inside the picture.
  const gaps = new Map<number, GraphEdge[]>();
  const top: GraphEdge[] = [];
  for (const e of edges) {
    if (!e.label) continue;
    const g = labelGroup.get(e)!;
    if (g === 'top') top.push(e);
    else (gaps.get(g) ?? gaps.set(g, []).get(g)!).push(e);
  }
  for (const list of gaps.values()) {
    list.sort((a, b) => a.ly - b.ly || a.key.localeCompare(b.key));
    for (let i = 1; i < list.length; i++) {
      if (list[i].ly < list[i - 1].ly + LABEL_PITCH) list[i].ly = r1(list[i - 1].ly + LABEL_PITCH);
    }
    const over = list[list.length - 1].ly - (height - LABEL_PITCH / 2);
    if (over > 0) for (const e of list) e.ly = r1(Math.max(LABEL_PITCH / 2, e.ly - over));
  }
  // Arcs over the top: a label that would cover an earlier one moves up.
  const placed: GraphEdge[] = [];
  for (const e of top) {
    const w = labelWidth(e.label);
    for (let guard = 0; guard < 20; guard++) {
      const hit = placed.find((p) => Math.abs(p.lx - e.lx) < (labelWidth(p.label) + w) / 2 && Math.abs(p.ly - e.ly) < LABEL_PITCH);
      if (!hit) break;
      e.ly = r1(hit.ly - LABEL_PITCH);
    }
    placed.push(e);
  }

  return {
    width,
    height,
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

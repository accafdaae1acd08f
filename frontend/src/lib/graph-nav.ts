// Moving around the branch graph without a mouse, and sizing it: pure
// helpers for BranchGraph (keyboard focus order, zoom steps, the box that
// holds every node and edge label).

import { labelWidth, type GraphLayout } from './graph';

/** The node to focus after a key press, or null when the key does not move. */
export function nextNode(ids: string[], from: string, key: string): string | null {
  if (ids.length === 0) return null;
  const i = Math.max(0, ids.indexOf(from));
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return ids[Math.min(ids.length - 1, i + 1)];
    case 'ArrowLeft':
    case 'ArrowUp':
      return ids[Math.max(0, i - 1)];
    case 'Home':
      return ids[0];
    case 'End':
      return ids[ids.length - 1];
    default:
      return null;
  }
}

export const ZOOMS = [0.5, 0.67, 0.8, 1, 1.25, 1.5, 2] as const;

/** The next zoom step in a direction (+1 in, -1 out), from any zoom. */
export function stepZoom(zoom: number, dir: 1 | -1): number {
  if (dir > 0) return ZOOMS.find((z) => z > zoom + 1e-9) ?? ZOOMS[ZOOMS.length - 1];
  return [...ZOOMS].reverse().find((z) => z < zoom - 1e-9) ?? ZOOMS[0];
}

/** The zoom at which a drawing of this width fits the box (never above 1). */
export function fitZoom(width: number, box: number): number {
  if (!(width > 0) || !(box > 0)) return 1;
  return Math.min(1, Math.max(0.2, box / width));
}

/** Width and height that hold every node and every edge label. */
export function graphBounds(layout: GraphLayout, pad = 8): { width: number; height: number } {
  let width = layout.width;
  let height = layout.height;
  for (const e of layout.edges) {
    if (!e.label) continue;
    width = Math.max(width, e.lx + labelWidth(e.label) / 2 + pad);
    height = Math.max(height, e.ly + 9 + pad);
  }
  for (const n of layout.nodes) {
    width = Math.max(width, n.x + n.w + pad);
    height = Math.max(height, n.y + n.h + pad);
  }
  return { width: Math.ceil(width), height: Math.ceil(height) };
}

// Moving around the branch graph without a mouse, and sizing it: pure
// helpers for BranchGraph (keyboard focus order, zoom steps, the box that
// holds every node and edge label).

import { estimateWidth, type GraphLayout, type Measure } from './graph';

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

/** Width and height that hold every node, edge label and edge. */
export function graphBounds(layout: GraphLayout, pad = 0): { width: number; height: number } {
  let width = layout.width;
  let height = layout.height;
  for (const e of layout.edges) {
    if (!e.lw) continue;
    width = Math.max(width, e.lx + e.lw / 2 + pad);
    height = Math.max(height, e.ly + e.lh / 2 + pad);
  }
  for (const n of layout.nodes) {
    width = Math.max(width, n.x + n.w + pad);
    height = Math.max(height, n.y + n.h + pad);
  }
  return { width: Math.ceil(width), height: Math.ceil(height) };
}

/**
 * Text widths as this browser draws them in the page's font (--font), from
 * a canvas that is never shown; the estimate where there is none (tests).
 */
export function textMeasure(): Measure {
  if (typeof OffscreenCanvas === 'undefined' || typeof document === 'undefined') return estimateWidth;
  const ctx = new OffscreenCanvas(1, 1).getContext('2d');
  if (!ctx) return estimateWidth;
  const family = getComputedStyle(document.documentElement).getPropertyValue('--font').trim() || 'sans-serif';
  const cache = new Map<string, number>();
  return (text, size, bold) => {
    const key = `${size}|${bold ? 1 : 0}|${text}`;
    let w = cache.get(key);
    if (w === undefined) {
      ctx.font = `${bold ? 700 : 400} ${size}px ${family}`;
      w = ctx.measureText(text).width;
      cache.set(key, w);
    }
    return w;
  };
}

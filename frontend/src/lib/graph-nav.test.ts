import { describe, expect, it } from 'vitest';
import { fitZoom, graphBounds, nextNode, stepZoom, textMeasure } from './graph-nav';
import { estimateWidth, type GraphLayout } from './graph';

describe('nextNode', () => {
  const ids = ['a', 'b', 'c'];
  it.each([
    ['a', 'ArrowRight', 'b'],
    ['b', 'ArrowDown', 'c'],
    ['c', 'ArrowRight', 'c'],
    ['b', 'ArrowLeft', 'a'],
    ['a', 'ArrowUp', 'a'],
    ['b', 'Home', 'a'],
    ['a', 'End', 'c'],
    ['b', 'Enter', null],
    ['zz', 'ArrowRight', 'b'],
  ])('from %s, %s → %s', (from, key, want) => {
    expect(nextNode(ids, from, key)).toBe(want);
  });
  it('has nowhere to go in an empty graph', () => expect(nextNode([], '', 'ArrowRight')).toBeNull());
});

describe('zoom', () => {
  it.each([
    [1, 1, 1.25],
    [1, -1, 0.8],
    [2, 1, 2],
    [0.5, -1, 0.5],
    [0.9, 1, 1],
    [0.9, -1, 0.8],
  ] as const)('from %s step %s → %s', (z, dir, want) => expect(stepZoom(z, dir)).toBe(want));
  it.each([
    [1000, 500, 0.5],
    [400, 800, 1],
    [10000, 100, 0.2],
    [0, 100, 1],
  ])('fits %s into %s at %s', (w, box, want) => expect(fitZoom(w, box)).toBe(want));
});

describe('graphBounds', () => {
  it('holds the edge labels and states that stick out of the layout', () => {
    const layout = {
      width: 300,
      height: 100,
      layers: [],
      nodes: [{ id: 'a', x: 10, y: 10, w: 100, h: 50 }],
      edges: [{ key: 'a->b#0', label: 'a long label sticking out', lx: 290, ly: 120, lw: 150, lh: 36 }],
    } as unknown as GraphLayout;
    expect(graphBounds(layout)).toEqual({ width: 365, height: 138 });
    expect(graphBounds(layout, 8)).toEqual({ width: 373, height: 146 });
  });
});

describe('textMeasure', () => {
  it('falls back to the estimate where there is no canvas', () => {
    expect(textMeasure()).toBe(estimateWidth);
  });
});

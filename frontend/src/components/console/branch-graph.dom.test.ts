// @vitest-environment jsdom
// The branch graph by keyboard, zoom and full labels (issue 16, item 16).
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { adaptScenario } from '../../lib/facilitator-scenario';
import brandHijack from '../../lib/testdata/brand-hijack.scenario.json';
import { render, type Rendered } from '../../test/render';
import BranchGraph from './BranchGraph.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

const model = adaptScenario(brandHijack);
const key = (el: Element, k: string) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));

describe('BranchGraph', { timeout: 20_000 }, () => {
  it('is a focusable region whose states are reached by Tab and arrows and told in full', () => {
    r = render(BranchGraph, { model, current: 'hijack_begins', path: ['hijack_begins'], label: 'Branch graph' });
    const c = r.container;
    const region = c.querySelector<HTMLElement>('.scroll')!;
    expect(region.getAttribute('tabindex')).toBe('0');
    expect(region.getAttribute('role')).toBe('region');
    expect(region.getAttribute('aria-label')).toContain('Branch graph');
    // One state in the tab order: the current one.
    const nodes = [...c.querySelectorAll<SVGGElement>('g.node')];
    expect(nodes.length).toBe(model.states.length);
    expect(nodes.filter((n) => n.getAttribute('tabindex') === '0').map((n) => n.dataset.node)).toEqual(['hijack_begins']);
    expect(nodes.every((n) => n.getAttribute('role') === 'button' && n.getAttribute('aria-label'))).toBe(true);
    // The current state's whole story shows below, with full transition labels.
    const detail = c.querySelector('.detail')!;
    expect(detail.textContent).toContain('current state');
    const fullLabels = model.states.find((s) => s.id === 'hijack_begins')!.transitions.filter((t) => t.label.length > 0).map((t) => t.label);
    for (const l of fullLabels) expect(detail.textContent).toContain(l);
    // Arrow keys move focus to the next state; its details replace the current one's.
    const first = nodes.find((n) => n.dataset.node === 'hijack_begins')!;
    first.focus();
    key(first, 'ArrowRight');
    flushSync();
    const second = document.activeElement as SVGGElement;
    expect(second.dataset.node).toBe(model.states.map((s) => s.id).find((id) => id === nodes[1].dataset.node));
    expect(second.getAttribute('tabindex')).toBe('0');
    expect(first.getAttribute('tabindex')).toBe('-1');
    expect(detail.textContent).toContain(model.states.find((s) => s.id === second.dataset.node)!.title);
    key(second, 'End');
    flushSync();
    expect((document.activeElement as SVGGElement).dataset.node).toBe(nodes[nodes.length - 1].dataset.node);
    // Enter picks a state (it stays told when focus leaves).
    key(document.activeElement!, 'Enter');
    flushSync();
    expect(document.activeElement!.getAttribute('aria-pressed')).toBe('true');
  });

  it('zooms in and out in steps, and draws everything inside its box', () => {
    r = render(BranchGraph, { model, label: 'Branch graph' });
    const c = r.container;
    const svg = c.querySelector('svg')!;
    const w0 = Number(svg.getAttribute('width'));
    const [vbW] = svg.getAttribute('viewBox')!.split(' ').slice(2).map(Number);
    expect(w0).toBe(vbW);
    [...c.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === 'Zoom in')!.click();
    flushSync();
    expect(Number(svg.getAttribute('width'))).toBeCloseTo(w0 * 1.25);
    expect(c.querySelector('.pct')?.textContent).toBe('125%');
    [...c.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === 'Zoom out')!.click();
    [...c.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === 'Zoom out')!.click();
    flushSync();
    expect(c.querySelector('.pct')?.textContent).toBe('80%');
    // Every edge label's box lies inside the drawing (nothing clipped on the right).
    for (const rect of c.querySelectorAll('.elabel rect')) {
      expect(Number(rect.getAttribute('x')) + Number(rect.getAttribute('width'))).toBeLessThanOrEqual(vbW);
    }
  });

  it('in a report (fit) is a figure: no zoom bar, its states no focus stops, its box one (it scrolls on a phone)', () => {
    r = render(BranchGraph, { model, fit: true, label: 'Branch graph' });
    expect(r.container.querySelector('.zoombar')).toBeNull();
    expect([...r.container.querySelectorAll('[tabindex]')].map((e) => e.classList.contains('scroll'))).toEqual([true]);
    expect(r.container.querySelector('g.node[tabindex], g.node[role]')).toBeNull();
  });

  it('draws every title whole, in lines on word boundaries', () => {
    r = render(BranchGraph, { model, label: 'Branch graph' });
    for (const s of model.states) {
      const drawn = [...r.container.querySelectorAll(`.nlabels g[data-for="${s.id}"] text`)].map((t) => t.textContent).join(' ');
      expect(drawn).toBe(s.title.replace(/\s+/g, ' ').trim());
    }
  });
});

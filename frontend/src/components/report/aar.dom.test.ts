// @vitest-environment jsdom
// Issue #19 on the report and in the library: the AAR/IP section (objective
// × capability × final rating, strengths and areas for improvement, the
// plan, team measures with how they were computed), the Documents bar with
// the debrief link (create, copy, revoke after asking), the scenario
// documents and the events-list import.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { preloadPages } from '../../lib/pages';
import App from '../../App.svelte';
import { offlineApi } from '../../lib/api';
import brandHijack from '../../lib/testdata/brand-hijack.scenario.json';
import { fakeServer, type FakeServer } from '../../test/fakeserver';
import { render, type Rendered } from '../../test/render';
import { docHref, yamlName } from '../../lib/documents';

beforeAll(preloadPages, 60_000);

let srv: FakeServer;
let r: Rendered | null = null;

beforeEach(() => {
  srv = fakeServer();
  srv.routes['GET /api/me'] = () => [200, { role: 'facilitator', name: 'fran' }];
});

afterEach(() => {
  r?.destroy();
  r = null;
  vi.unstubAllGlobals();
});

function at(path: string): HTMLElement {
  window.history.replaceState(null, '', path);
  r = render(App, { api: offlineApi });
  return r.container;
}

const final = { seq: 9, rater: 'facilitator', rater_name: 'Fran', objective: 'public_comms', rating: 'S', explanation: 'Out in time, approval slow.', strengths: ['Clear statement'], improvements: ['Approval took 20 minutes'], final: true };

describe('documents', () => {
  it.each([
    ['/api/exercises/ex1', 'aar', 'html', false, '/api/exercises/ex1/docs/aar?format=html'],
    ['/api/scenarios/brand', 'msel', 'csv', true, '/api/scenarios/brand/docs/msel?format=csv&download=1'],
  ] as const)('%s %s %s', (base, doc, f, dl, want) => {
    expect(docHref(base, doc, f, dl)).toBe(want);
  });

  it.each([
    ['events.csv', 'events.yaml'],
    ['My MSEL (v2).CSV', 'My-MSEL-v2.yaml'],
    ['.csv', 'scenario.yaml'],
  ])('names the skeleton of %s %s', (csv, yaml) => {
    expect(yamlName(csv)).toBe(yaml);
  });
});

describe('report: AAR/IP and documents', { timeout: 30_000 }, () => {
  it('shows the final ratings, findings, plan and team measures, and manages the debrief link', async () => {
    srv.routes['GET /api/exercises/ex9/report'] = () => [
      200,
      {
        exercise: { id: 'ex9', title: 'Friday drill', status: 'ended' },
        snapshot: {},
        scenario: brandHijack,
        events: [],
        evaluation: {
          objectives: [
            { id: 'public_comms', title: 'Keep customers informed', capability: 'Public Information and Warning', ratings: [final], final, tasks: [{ id: 'holding', title: 'Publish a holding statement' }] },
            { id: 'contain', title: 'Contain the breach', capability: 'Cybersecurity', ratings: [{ seq: 5, rater: 'ob1', rater_name: 'Olga', objective: 'contain', rating: 'M', improvements: ['<b>Slow</b> reset'] }] },
          ],
          teams: [
            { team: 'comms', name: 'Comms', median_response: 4.5, quality: { points: 3, max: 5, count: 2, expected: 1, of: 2, how: 'Option scores summed.' }, weighted: {}, alignment: 0.75, how: 'From the first answer after each prompt.' },
            { team: 'soc', name: 'SOC', median_response: -1, quality: { how: 'Option scores summed.' }, weighted: {}, alignment: -1, how: 'From the first answer after each prompt.' },
          ],
          plan: [{ id: 'ca1', version: 2, capability: 'Public Information and Warning', issue: 'Approval took 20 minutes', action: 'Pre-approve holding statements', owner: 'Comms', due: '2027-01-31', seq: 12 }],
        },
      },
    ];
    let link: string | null = null;
    srv.routes['GET /api/exercises/ex9/debrief-link'] = () => [200, { url: link }];
    srv.routes['POST /api/exercises/ex9/debrief-link'] = () => ((link = 'http://localhost/debrief/ex9.secret'), [201, { url: link, token: 'ex9.secret' }]);
    srv.routes['DELETE /api/exercises/ex9/debrief-link'] = () => ((link = null), [204, null]);
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });

    const c = at('/report/ex9');
    await vi.waitFor(() => expect(c.querySelector('[aria-labelledby="r-aar"]')).not.toBeNull());
    const aar = c.querySelector<HTMLElement>('[aria-labelledby="r-aar"]')!;
    const row = (o: string) => aar.querySelector(`tr[data-aar-objective="${o}"]:not([data-aar-task])`)!.textContent;
    expect(row('public_comms')).toContain('Public Information and Warning');
    expect(row('public_comms')).toContain('S — Performed with some challenges');
    expect(row('contain')).toContain('not settled');
    const comms = aar.querySelector('[data-aar="public_comms"]')!.textContent!;
    expect(comms).toContain('Clear statement');
    expect(comms).toContain('Approval took 20 minutes');
    // Unsettled: the raters' own findings, typed text inert.
    expect(aar.querySelector('[data-aar="contain"]')!.textContent).toContain('<b>Slow</b> reset');
    expect(aar.querySelector('b')).toBeNull();
    expect(aar.querySelector('tr[data-action="ca1"]')!.textContent).toContain('Pre-approve holding statements');
    expect(aar.textContent).toContain('4.5 min');
    expect(aar.textContent).toContain('1 of 2');
    expect(aar.textContent).toContain('75 %');
    // The same words for every team are said once.
    expect([...aar.querySelectorAll('.how li')].map((li) => li.textContent)).toEqual(['Every team: From the first answer after each prompt. Option scores summed.']);

    // The documents: AAR to print in a new tab, downloads as attachments.
    const docs = c.querySelector<HTMLElement>('[aria-labelledby="docs-h"]')!;
    const aarLink = docs.querySelector<HTMLAnchorElement>('[data-doc="aar"] a[target="_blank"]')!;
    expect(aarLink.getAttribute('href')).toBe('/api/exercises/ex9/docs/aar?format=html');
    expect(aarLink.rel).toBe('noopener');
    expect(docs.querySelector('[data-doc="plan"] a')!.getAttribute('href')).toBe('/api/exercises/ex9/docs/plan?format=csv&download=1');
    expect([...docs.querySelectorAll('li[data-doc]')].map((li) => li.getAttribute('data-doc'))).toEqual(['aar', 'debrief', 'plan', 'msel', 'handbook', 'sitman']);

    // The debrief link: none, then created, copied, revoked after asking.
    const btn = (t: string) => [...docs.querySelectorAll('button')].find((b) => b.textContent === t);
    await vi.waitFor(() => expect(docs.textContent).toContain('No debrief link is shared.'));
    btn('Create a debrief link')!.click();
    await vi.waitFor(() => expect(docs.querySelector<HTMLInputElement>('#debrief-url')?.value).toBe('http://localhost/debrief/ex9.secret'));
    btn('Copy the link')!.click();
    await vi.waitFor(() => expect(writeText).toHaveBeenCalledWith('http://localhost/debrief/ex9.secret'));
    btn('Revoke the link')!.click();
    flushSync();
    expect(srv.calls.some((x) => x.method === 'DELETE')).toBe(false);
    btn('Yes, stop the link')!.click();
    await vi.waitFor(() => expect(docs.querySelector('#debrief-url')).toBeNull());
    expect(srv.calls.filter((x) => x.method === 'DELETE').map((x) => x.url)).toEqual(['/api/exercises/ex9/debrief-link']);
  });
});

describe('library: documents and events-list import', { timeout: 30_000 }, () => {
  it('links each valid scenario’s documents and turns a CSV into a skeleton, showing its problems', async () => {
    srv.routes['GET /api/exercises'] = () => [200, { exercises: [] }];
    srv.routes['GET /api/scenarios'] = () => [200, { scenarios: [{ id: 'good', file: 'good.yaml', origin: 'shipped', valid: true, title: 'Good one', teams: [], parameters: [] }] }];
    let imports = 0;
    srv.routes['POST /api/scenarios/msel-import'] = () =>
      ++imports === 1
        ? [422, { error: { code: 'invalid_msel', message: 'the events list has errors', details: [{ row: 4, col: 2, column: 'time', message: 'not a time: "soon"' }, { row: 6, col: 0, column: '', message: 'no recipient' }] } }]
        : [200, { yaml: 'id: imported\ntitle: Imported\n', problems: [] }];
    srv.routes['POST /api/scenarios'] = () => [201, { entry: { id: 'imported', file: 'msel.yaml', origin: 'uploaded', valid: true, title: 'Imported' } }];
    const c = at('/console');
    await vi.waitFor(() => expect(c.textContent).toContain('Good one'));
    const group = c.querySelector<HTMLElement>('[aria-label="Documents of Good one"]')!;
    expect([...group.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual([
      '/api/scenarios/good/docs/sitman?format=html',
      '/api/scenarios/good/docs/sitman?format=md&download=1',
      '/api/scenarios/good/docs/handbook?format=html',
      '/api/scenarios/good/docs/handbook?format=md&download=1',
      '/api/scenarios/good/docs/msel?format=csv&download=1',
    ]);

    const form = c.querySelector<HTMLFormElement>('form.msel')!;
    form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await vi.waitFor(() => expect(form.textContent).toContain('Choose an events list'));
    const input = form.querySelector<HTMLInputElement>('#msel-file')!;
    Object.defineProperty(input, 'files', { value: [new File(['No.,Time,From\n1,0:05,Reporter\n'], 'msel.csv', { type: 'text/csv' })] });
    input.dispatchEvent(new Event('change', { bubbles: true }));
    form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await vi.waitFor(() => expect(form.textContent).toContain('2 problems in the events list'));
    expect(srv.calls.find((x) => x.url === '/api/scenarios/msel-import')?.body).toBe('No.,Time,From\n1,0:05,Reporter\n');
    expect(form.textContent).toContain('row 4, column time: not a time: "soon"');
    expect(form.textContent).toContain('row 6: no recipient');
    expect(form.querySelector('pre')).toBeNull();
    // Fixed and converted again: the skeleton, to add.
    form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await vi.waitFor(() => expect(form.querySelector('pre')?.textContent).toContain('id: imported'));
    expect(form.textContent).not.toContain('problems in the events list');
    [...form.querySelectorAll('button')].find((b) => b.textContent === 'Add to the library')!.click();
    await vi.waitFor(() => expect(form.textContent).toContain('Added “Imported” to the library.'));
    expect(srv.calls.find((x) => x.method === 'POST' && x.url.startsWith('/api/scenarios?file='))?.url).toBe('/api/scenarios?file=msel.yaml');
  });
});

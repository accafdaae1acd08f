// @vitest-environment jsdom
// The console's ad-hoc inject form offers the scenario's personas with the
// exercise's parameters filled in: a persona's name or org written with
// {{company}} shows the company, never the placeholder.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../App.svelte';
import { preloadPages } from '../../lib/pages';
import { offlineApi } from '../../lib/api';
import { fakeServer, type FakeServer } from '../../test/fakeserver';
import { render, type Rendered } from '../../test/render';

let srv: FakeServer;
let r: Rendered | null = null;
beforeAll(preloadPages, 60_000);
beforeEach(() => {
  srv = fakeServer();
  sessionStorage.clear();
});
afterEach(() => {
  r?.destroy();
  r = null;
  vi.unstubAllGlobals();
});

const scenario = {
  id: 'brand',
  title: '{{company}} hijacked',
  parameters: [
    { id: 'company', label: 'Company name', default: 'Brightloop' },
    { id: 'ceo_name', label: "CEO's name", default: 'Marisol Ferreira' },
  ],
  teams: [{ id: 'comms', name: 'Comms' }],
  personas: [
    { id: 'brand_chirper', name: '{{company}}', handle: '@brightloop', org: '{{company}} (hijacked)', role: 'The hijacked account of {{company}}.' },
    { id: 'ceo', name: '{{ceo_name}}', org: '{{company}}' },
  ],
  states: [],
};

const cases = [
  { name: 'the defaults', params: {}, want: ['No sender', 'Brightloop (Brightloop (hijacked))', 'Marisol Ferreira (Brightloop)', 'Someone else…'] },
  { name: 'the values the exercise was given', params: { company: 'Acme' }, want: ['No sender', 'Acme (Acme (hijacked))', 'Marisol Ferreira (Acme)', 'Someone else…'] },
];

describe('ad-hoc inject senders', () => {
  for (const c of cases) {
    it(`renders persona names and orgs with ${c.name}`, async () => {
      srv.routes['GET /api/me'] = () => [200, { role: 'facilitator', name: 'fran' }];
      srv.routes['GET /api/exercises/ex1'] = () => [
        200,
        {
          exercise: { id: 'ex1', title: 'Drill', status: 'running', params: c.params, join: { code: 'K7QX2MPA', display: 'K7QX-2MPA', url: 'http://localhost:3000/join#K7QX2MPA' } },
          snapshot: { id: 'ex1', status: 'running', speed: 1, clock: 0, last_seq: 0, teams: [], participants: [], decisions: [], sim: {} },
          online: [],
        },
      ];
      srv.routes['GET /api/exercises/ex1/scenario'] = () => [200, { scenario }];
      window.history.replaceState(null, '', '/console/ex1');
      r = render(App, { api: offlineApi });
      const c2 = r.container;
      await vi.waitFor(() => expect(srv.sockets.length).toBe(1));
      const ws = srv.sockets[0];
      ws.open();
      ws.frame({ type: 'hello', after: 0, server_time: '2026-11-23T10:00:00Z' });
      ws.frame({ type: 'live', last_seq: 0 });
      await vi.waitFor(() => expect(c2.querySelector('#ah-from')).not.toBeNull());
      const from = c2.querySelector<HTMLSelectElement>('#ah-from')!;
      expect([...from.options].map((o) => o.textContent)).toEqual(c.want);
      expect(c2.textContent).not.toContain('{{');
    });
  }
});

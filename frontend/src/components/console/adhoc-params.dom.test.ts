// @vitest-environment jsdom
// The console's ad-hoc inject form offers the scenario's personas with the
// exercise's parameters filled in: a persona's name or org written with
// {{company}} shows the company, never the placeholder.
import { describe, expect, it, vi } from 'vitest';
import { exerciseRecord, serverPage } from '../../test/app';

const page = serverPage();

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

const cases: { name: string; params: Record<string, string>; want: string[] }[] = [
  { name: 'the defaults', params: {}, want: ['No sender', 'Brightloop (Brightloop (hijacked))', 'Marisol Ferreira (Brightloop)', 'Someone else…'] },
  { name: 'the values the exercise was given', params: { company: 'Acme' }, want: ['No sender', 'Acme (Acme (hijacked))', 'Marisol Ferreira (Acme)', 'Someone else…'] },
];

describe('ad-hoc inject senders', () => {
  for (const c of cases) {
    it(`renders persona names and orgs with ${c.name}`, async () => {
      const srv = page.srv;
      srv.routes['GET /api/exercises/ex1'] = () => [200, exerciseRecord('running', c.params)];
      srv.routes['GET /api/exercises/ex1/scenario'] = () => [200, { scenario }];
      const view = page.at('/console/ex1');
      await vi.waitFor(() => expect(srv.sockets.length).toBe(1));
      const ws = srv.sockets[0];
      ws.open();
      ws.frame({ type: 'hello', after: 0, server_time: '2026-11-23T10:00:00Z' });
      ws.frame({ type: 'live', last_seq: 0 });
      await vi.waitFor(() => expect(view.querySelector('#ah-from')).not.toBeNull());
      const from = view.querySelector<HTMLSelectElement>('#ah-from')!;
      expect([...from.options].map((o) => o.textContent)).toEqual(c.want);
      expect(view.textContent).not.toContain('{{');
    });
  }
});

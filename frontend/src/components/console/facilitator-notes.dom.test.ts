// @vitest-environment jsdom
// The format's facilitator-only fields reach the facilitator's console
// (issue 16, item 14): state description, decision/option/inject notes,
// persona role.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { preloadPages } from '../../lib/pages';
import App from '../../App.svelte';
import { offlineApi } from '../../lib/api';
import { adaptLogEvent, type LogEvent } from '../../lib/events';
import { adaptScenario } from '../../lib/facilitator-scenario';
import type { ConsoleDecision } from '../../lib/facilitator-console';
import brandHijack from '../../lib/testdata/brand-hijack.scenario.json';
import { eventFrame, fakeServer } from '../../test/fakeserver';
import { render, type Rendered } from '../../test/render';
import DecisionsPanel from './DecisionsPanel.svelte';
import DeliveredFeed from './DeliveredFeed.svelte';

// Staff pages load on demand; tests mount them at once.
beforeAll(preloadPages);

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
  vi.unstubAllGlobals();
});

// The scenario JSON as GET /api/exercises/:id/scenario sends it to the facilitator.
const scenario = {
  id: 'notes',
  title: 'Notes',
  start: 'begin',
  teams: [{ id: 'soc', name: 'SOC' }],
  personas: [{ id: 'ciso', name: 'Dana Reyes', role: 'The CISO, calling from the airport.' }],
  states: [
    {
      id: 'begin',
      title: 'Begin',
      description: 'The brand account posts a scam; **nobody** inside posted it.',
      facilitator_notes: 'Nudge the SOC if they wait.',
      injects: [{ id: 'call', channel: 'phone', from: 'ciso', body: 'Call me.', notes: 'Raise the pressure here.' }],
      decisions: [
        {
          id: 'lock',
          team: 'soc',
          prompt: 'What first?',
          notes: 'Most teams revoke sessions.',
          options: [
            { id: 'revoke', label: 'Revoke sessions', notes: 'The right call.' },
            { id: 'wait', label: 'Wait', notes: 'The account posts again at 5 min.' },
            { id: 'report', label: 'Report' },
          ],
        },
      ],
    },
  ],
};

const open: ConsoleDecision = {
  id: 'lock',
  team: 'soc',
  prompt: 'What first?',
  options: [],
  mode: 'first',
  openedAtNs: 0,
  closesAtNs: null,
  timeLimitNs: 0,
  extendedNs: 0,
  answers: [],
  open: true,
  settled: '',
  option: '',
  optionLabel: '',
  closeReason: '',
  closedAtNs: null,
  state: 'begin',
};

describe('facilitator-only fields on the console', { timeout: 20_000 }, () => {
  it('shows decision and option notes in the decisions panel', () => {
    r = render(DecisionsPanel, { model: adaptScenario(scenario), decisions: [open], nowNs: 0, rate: 1, onclose: () => {} });
    const notes = r.container.querySelector('.fnotes')!;
    expect(notes.textContent).toContain('Most teams revoke sessions.');
    expect([...notes.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['Revoke sessions: The right call.', 'Wait: The account posts again at 5 min.']);
  });

  it('shows inject notes and the persona role in the inject log, not for ad-hoc injects', () => {
    const ev = (seq: number, payload: Record<string, unknown>) => adaptLogEvent(eventFrame(seq, 'inject_delivered', 1, { state: 'begin', channel: 'phone', body: 'Call me.', persona: 'ciso', persona_name: 'Dana Reyes', ...payload }, ['soc'])) as LogEvent;
    const items = [ev(2, { inject: 'call', adhoc: true }), ev(1, { inject: 'call' })];
    r = render(DeliveredFeed, { model: adaptScenario(scenario), items });
    const lis = [...r.container.querySelectorAll('.feed > li')];
    expect(lis).toHaveLength(2);
    expect(lis[0].querySelector('.fnotes')).toBeNull();
    expect(lis[1].querySelector('.fnotes')?.textContent).toContain('Who Dana Reyes is: The CISO, calling from the airport.');
    expect(lis[1].querySelector('.fnotes')?.textContent).toContain('Facilitator notes: Raise the pressure here.');
  });

  it('shows the current state’s description beside its notes', async () => {
    const srv = fakeServer();
    const withDesc = structuredClone(brandHijack) as { states: { id: string; description?: string }[] };
    withDesc.states.find((s) => s.id === 'hijack_begins')!.description = 'The account posts a **scam**.';
    srv.routes['GET /api/me'] = () => [200, { role: 'facilitator', name: 'fran' }];
    srv.routes['GET /api/exercises/ex1'] = () => [
      200,
      {
        exercise: { id: 'ex1', title: 'Drill', status: 'running', params: {} },
        snapshot: { id: 'ex1', status: 'running', speed: 1, clock: 0, last_seq: 0, teams: [], participants: [], decisions: [], sim: {} },
        online: [],
      },
    ];
    srv.routes['GET /api/exercises/ex1/scenario'] = () => [200, { scenario: withDesc }];
    window.history.replaceState(null, '', '/console/ex1');
    r = render(App, { api: offlineApi });
    await vi.waitFor(() => expect(srv.sockets.length).toBe(1));
    const ws = srv.sockets[0];
    ws.open();
    ws.frame({ type: 'hello', protocol: 'ttx.v1', exercise: 'ex1', role: 'facilitator', after: 0, server_time: '2026-11-23T10:00:00Z' });
    ws.frame(eventFrame(1, 'state_entered', 0, { state: 'hijack_begins', title: 'Begins' }, ['*']));
    await vi.waitFor(() => expect(r!.container.querySelector('.now .desc')?.textContent).toContain('The account posts a scam.'));
    expect(r!.container.querySelector('.now .desc strong')?.textContent).toBe('scam');
  });
});

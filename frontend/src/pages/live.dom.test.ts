// @vitest-environment jsdom
// The participant and observer pages over a fake Api whose socket is the real
// client on a FakeWS: the test plays the server.
import { describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { ApiError } from '../lib/api';
import { FakeWS } from '../test/fakews';
import { fakeApi, observerSession, participantSession, playInfo, wire, type FakeApi } from '../test/fakeapi';
import { appPage } from '../test/app';

// The staff pages are loaded on demand; load them first so that App mounts
// them at once, as after their first visit.
const { at, settle } = appPage({ preload: true });

const decision = (seq: number, extra: Record<string, unknown> = {}) =>
  wire.event(seq, 'decision_opened', {
    kind: 'decision_opened',
    decision: 'lock',
    team: 'soc',
    prompt: 'Lock the account?',
    options: [
      { id: 'revoke', label: 'Revoke sessions' },
      { id: 'wait', label: 'Wait' },
    ],
    mode: 'first',
    audience: ['soc'],
    ...extra,
  });

const inject = (seq: number, body: string) =>
  wire.event(seq, 'inject_delivered', { kind: 'inject_delivered', inject: `i${seq}`, channel: 'chat', body, persona_name: 'Priya', audience: ['*'] });

describe('Play', () => {
  it('shows the header, brief, status and live feed, and answers over the socket', async () => {
    const api = fakeApi();
    const c = at('/play', api);
    await settle();
    expect(c.querySelector('main h1')?.textContent).toBe('Hijacked account');
    expect(c.querySelector('.who')?.textContent).toContain('Security Operations');
    expect(c.querySelector('details.brief')?.textContent).toContain('You run the SOC.');
    expect(c.querySelector('[role="status"]')?.textContent?.trim()).toBe('Connecting…');

    const ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    ws.frame(inject(2, 'Old news'));
    ws.frame(wire.live(2));
    ws.frame(inject(3, 'Is this **ours**?'));
    ws.frame(decision(4));
    ws.frame(wire.event(5, 'participant_joined', { participant: 'p9', team: 'soc', name: 'Bo' }));
    flushSync();
    expect(c.querySelector('.conn')?.textContent?.trim()).toBe('Live');
    const cards = Array.from(c.querySelectorAll('ol.feed article'));
    expect(cards).toHaveLength(2);
    expect(cards[0].classList.contains('fresh')).toBe(true); // newest first, highlighted
    expect(cards[1].classList.contains('fresh')).toBe(false); // replayed backlog: not announced as new
    expect(cards[0].textContent).toContain('Is this ours?');
    expect(c.querySelector('ol.feed')?.getAttribute('aria-live')).toBe('polite');

    c.querySelector<HTMLButtonElement>('section[data-status="open"] button.option')!.click();
    flushSync();
    const sent = ws.sentMessages().filter((m) => m.type === 'answer');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ decision: 'lock', option: 'revoke' });
    expect(String(sent[0].id)).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);

    // The team sees the answer and who gave it, by name.
    ws.frame({ type: 'ack', id: sent[0].id, seq: 7 });
    ws.frame(wire.event(8, 'decision_answered', { kind: 'decision_answered', decision: 'lock', team: 'soc', option: 'wait', participant: 'p9', audience: ['soc'] }));
    await settle();
    expect(c.querySelector('.current')?.textContent).toContain('Wait');
    expect(c.querySelector('.current')?.textContent).toContain('by Bo');
  });

  it('shows the reconnect banner and keeps an answer given offline', async () => {
    vi.useFakeTimers();
    try {
      const api = fakeApi();
      const c = at('/play', api);
      await vi.advanceTimersByTimeAsync(0);
      const ws = FakeWS.last();
      ws.open();
      ws.frame(wire.hello());
      ws.frame(decision(4));
      ws.frame(wire.live(4));
      ws.drop(1006);
      flushSync();
      expect(c.querySelector('.conn')?.textContent?.trim()).toBe('Reconnecting…');
      expect(c.querySelector('.banner')?.textContent).toContain('Connection lost');
      c.querySelector<HTMLButtonElement>('section[data-status="open"] button.option')!.click();
      flushSync();
      expect(c.querySelector('.queued')?.textContent).toContain('sent when the connection is back');
      await vi.advanceTimersByTimeAsync(100);
      const ws2 = FakeWS.last();
      expect(ws2).not.toBe(ws);
      ws2.open();
      ws2.frame(wire.hello());
      ws2.frame(wire.live(4));
      expect(ws2.sentMessages().filter((m) => m.type === 'answer')).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows how many of the team are online, and a deadline the facilitator extends', async () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(Date.parse('2026-01-01T10:00:00Z'));
      const api = fakeApi();
      api.playInfo.mockImplementation(() =>
        Promise.resolve({ ...playInfo, clock: { atNs: 100e9, speed: 1, status: 'running', serverTime: '2026-01-01T10:00:00Z' } }),
      );
      const c = at('/play', api);
      await vi.advanceTimersByTimeAsync(0);
      const ws = FakeWS.last();
      ws.open();
      ws.frame(wire.hello());
      ws.frame(decision(4, { time_limit: 300e9, closes_at: 400e9 }));
      ws.frame(wire.live(4));
      flushSync();
      expect(c.querySelector('.who .online')).toBeNull(); // not known yet
      ws.frame({ type: 'presence', teams: { soc: 3 } });
      flushSync();
      const online = c.querySelector('.who .online')!;
      expect(online.querySelector('[aria-hidden="true"]')?.textContent).toBe('3 online');
      expect(online.querySelector('.sr-only')?.textContent).toBe('3 members of Security Operations online');
      ws.frame({ type: 'presence', teams: { soc: 1 } });
      flushSync();
      expect(c.querySelector('.who .online .sr-only')?.textContent).toBe('1 member of Security Operations online');

      // The clock came from the server's reading: 300 s left of the limit.
      const timer = () => c.querySelector('section[data-status="open"] [role="timer"] .left')?.textContent;
      expect(timer()).toBe('5:00');
      const note = () => c.querySelector('section[data-status="open"] [role="status"]');
      expect(note()?.textContent).toBe('');
      ws.frame(wire.event(5, 'decision_extended', { kind: 'decision_extended', decision: 'lock', team: 'soc', by: 120e9, closes_at: 520e9, time_limit: 420e9, audience: ['soc'] }, 100e9));
      flushSync();
      expect(timer()).toBe('7:00');
      expect(note()?.textContent).toBe('Time extended +2 min');
      await vi.advanceTimersByTimeAsync(10_000);
      flushSync();
      expect(note()?.textContent).toBe('');
      expect(timer()).toBe('6:50');
      // Offline, the count goes: it would be stale.
      ws.drop(1006);
      flushSync();
      expect(c.querySelector('.who .online')).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('only the lead may answer a lead decision', async () => {
    const api = fakeApi();
    const c = at('/play', api);
    await settle();
    const ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    ws.frame(decision(4, { mode: 'lead' }));
    ws.frame(wire.live(4));
    flushSync();
    expect(c.querySelector('.lead-note')).not.toBeNull();
    expect(c.querySelector<HTMLButtonElement>('button.option')!.disabled).toBe(true);
    ws.frame(wire.event(5, 'lead_changed', { participant: 'p1', team: 'soc' }));
    flushSync();
    expect(c.querySelector('.lead-note')).toBeNull();
    expect(c.querySelector('.lead-badge')?.textContent).toBe('team lead');
  });

  it('shows the outcome at the end', async () => {
    const api = fakeApi();
    const c = at('/play', api);
    await settle();
    const ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    ws.frame(wire.live(1));
    ws.frame(wire.event(9, 'outcome_reached', { kind: 'outcome_reached', outcome: 'contained', title: 'Contained in time', debrief: '**Good** work', audience: ['*'] }));
    flushSync();
    expect(c.querySelector('.outcome h2')?.textContent).toBe('Contained in time');
    expect(c.querySelector('.outcome')?.textContent).toContain('Good work');
    expect(c.querySelector('.conn')?.textContent?.trim()).toBe('Ended');
  });

  it('asks to join when this device has not', () => {
    const c = at('/play', fakeApi({ participant: null }));
    expect(c.querySelector('main h1')?.textContent).toBe('Not joined');
    expect(c.querySelector('a[href="/join"]')).not.toBeNull();
  });
});

describe('Join', () => {
  function type(input: HTMLInputElement, value: string) {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
  }

  it('looks up a complete code only, then joins and goes to /play', async () => {
    vi.useFakeTimers();
    try {
      const api = fakeApi({ participant: null });
      api.lookupCode.mockImplementation(() =>
        Promise.resolve({ id: 'ex1', title: 'Hijacked account', status: 'lobby', teams: [{ id: 'soc', name: 'SOC' }, { id: 'comms', name: 'Comms' }] }),
      );
      api.join.mockImplementation(() => {
        api.setParticipant(participantSession);
        return Promise.resolve(participantSession);
      });
      const c = at('/join', api);
      const code = c.querySelector<HTMLInputElement>('#j-code')!;
      type(code, 'mqck');
      await vi.advanceTimersByTimeAsync(500);
      expect(api.lookupCode).not.toHaveBeenCalled();
      type(code, 'mqck-svu2');
      await vi.advanceTimersByTimeAsync(500);
      flushSync();
      expect(api.lookupCode).toHaveBeenCalledTimes(1);
      expect(api.lookupCode).toHaveBeenCalledWith('MQCKSVU2');
      expect(c.querySelector('main h1')?.textContent).toBe('Hijacked account');
      type(c.querySelector<HTMLInputElement>('#j-name')!, '  Alice ');
      c.querySelectorAll<HTMLInputElement>('input[name="team"]')[0].click();
      flushSync();
      c.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      await vi.advanceTimersByTimeAsync(0);
      expect(api.join).toHaveBeenCalledWith({ code: 'MQCKSVU2', name: 'Alice', team: 'soc' });
      expect(window.location.pathname).toBe('/play');
      await vi.advanceTimersByTimeAsync(0);
      // Focus follows the navigation to the new page's heading.
      expect(document.activeElement?.tagName).toBe('H1');
      expect(document.activeElement?.textContent).toBe('Hijacked account');
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads the code from the link fragment and keeps it for a reload', async () => {
    const api = fakeApi({ participant: null });
    api.lookupCode.mockImplementation(() => Promise.reject(new ApiError(404, 'bad_code', 'No exercise is open with this code.')));
    const c = at('/join#MQCKSVU2', api);
    expect(c.querySelector<HTMLInputElement>('#j-code')!.value).toBe('MQCKSVU2');
    expect(window.location.hash).toBe('#MQCKSVU2');
    await new Promise((res) => setTimeout(res, 300));
    await settle();
    expect(c.querySelector('#j-code-help')?.textContent?.trim()).toBe('No exercise is open with this code.');
    expect(c.querySelector('#j-code')?.getAttribute('aria-invalid')).toBe('true');
  });

  it('puts a known code into the address as /join/CODE', async () => {
    const api = fakeApi({ participant: null });
    api.lookupCode.mockImplementation(() => Promise.resolve({ id: 'ex1', title: 'T', status: 'lobby', teams: [{ id: 'soc', name: 'SOC' }] }));
    const c = at('/join#mqck-svu2', api);
    expect(c.querySelector<HTMLInputElement>('#j-code')!.value).toBe('MQCKSVU2');
    await new Promise((res) => setTimeout(res, 300));
    await settle();
    expect(window.location.pathname + window.location.hash).toBe('/join/MQCKSVU2');
  });

  it('explains a refused join next to the field, and rate limits as a whole', async () => {
    const api = fakeApi({ participant: null });
    api.lookupCode.mockImplementation(() => Promise.resolve({ id: 'ex1', title: 'T', status: 'lobby', teams: [{ id: 'soc', name: 'SOC' }] }));
    api.join.mockImplementationOnce(() => Promise.reject(new ApiError(400, 'bad_name', 'give a name of 1 to 40 printable characters')));
    api.join.mockImplementationOnce(() => Promise.reject(new ApiError(429, 'rate_limited', 'Too many attempts from this network. Wait 30 seconds and try again.', { retryAfter: 30 })));
    const c = at('/join/MQCKSVU2', api);
    await new Promise((res) => setTimeout(res, 300));
    await settle();
    type(c.querySelector<HTMLInputElement>('#j-name')!, 'Al');
    c.querySelector<HTMLButtonElement>('button[type="submit"]')!.click(); // the only team is preselected
    await settle();
    expect(c.querySelector('#j-name-err')?.textContent).toBe('give a name of 1 to 40 printable characters');
    c.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await settle();
    expect(c.querySelector('[role="alert"]')?.textContent).toContain('Wait 30 seconds');
  });

  it('offers to continue an existing session', () => {
    const c = at('/join', fakeApi());
    expect(c.querySelector('main h1')?.textContent).toBe('You are already in an exercise');
    expect(c.querySelector('a[href="/play"]')).not.toBeNull();
  });
});

describe('Observe', () => {
  function observerApi(): FakeApi {
    const api = fakeApi({ participant: null, observer: null });
    api.observeInfo.mockImplementation(() =>
      Promise.resolve({
        exercise: { id: 'ex1', title: 'Hijacked account', status: 'running', outcome: '' },
        teams: [{ id: 'soc', name: 'Security Operations' }],
        participants: [{ id: 'p9', name: 'Bo', team: 'soc', lead: true }],
        clockNs: 0,
        speed: 1,
      }),
    );
    return api;
  }

  it('takes the token from the link, then streams read-only and adds notes', async () => {
    const api = observerApi();
    const c = at('/observe#token=' + observerSession.token, api);
    expect(window.location.hash).toBe('');
    await settle();
    expect(api.useObserverToken).toHaveBeenCalledWith(observerSession.token);
    expect(c.querySelector('main h1')?.textContent).toBe('Hijacked account');
    const ws = FakeWS.last();
    expect(ws.protocols).toEqual(['ttx.v1', `ttx.token.${observerSession.token}`]);
    ws.open();
    ws.frame(wire.hello());
    ws.frame(decision(3, { objectives: ['recover'] }));
    ws.frame(wire.event(4, 'decision_answered', { kind: 'decision_answered', decision: 'lock', team: 'soc', option: 'revoke', participant: 'p9' }));
    ws.frame(inject(5, 'Hello'));
    ws.frame(wire.event(6, 'note_added', { author: 'Olga', team: 'soc', text: 'Team hesitated' }, 90e9));
    ws.frame(wire.event(7, 'note_added', { author: 'Ned', text: 'Someone else' }, 95e9));
    ws.frame(wire.live(7));
    flushSync();
    expect(c.querySelector('.dec')?.textContent).toContain('Security Operations');
    expect(c.querySelector('.dec')?.textContent).toContain('by Bo');
    ws.frame(wire.event(8, 'decision_extended', { kind: 'decision_extended', decision: 'lock', team: 'soc', by: 300e9, closes_at: 900e9, time_limit: 900e9 }, 100e9));
    flushSync();
    expect(c.querySelector('.dec .ext')?.textContent).toBe('extended +5 min');
    expect(c.querySelectorAll('button.option')).toHaveLength(0); // read-only
    expect(c.querySelector('.to')?.textContent).toBe('To: All teams');
    expect(Array.from(c.querySelectorAll('#o-obj option')).map((o) => o.textContent)).toEqual(['None', 'recover']);
    expect(Array.from(c.querySelectorAll('#o-team option')).map((o) => o.textContent)).toEqual(['All teams / general', 'Security Operations']);
    const notes = c.querySelector('.notes')!;
    expect(notes.textContent).toContain('Your notes (1)');
    expect(notes.textContent).toContain('Team hesitated');
    expect(notes.textContent).toContain("Other observers' notes (1)");

    const ta = c.querySelector<HTMLTextAreaElement>('#o-text')!;
    ta.value = 'Good escalation';
    ta.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    c.querySelector<HTMLButtonElement>('.notes button[type="submit"]')!.click();
    flushSync();
    const sent = ws.sentMessages().filter((m) => m.type === 'note');
    expect(sent).toEqual([{ type: 'note', id: sent[0].id, text: 'Good escalation' }]);
    ws.frame({ type: 'ack', id: sent[0].id, seq: 8 });
    await settle();
    expect(c.querySelector('#o-text-msg')?.textContent?.trim()).toBe('Note saved.');
    expect(ta.value).toBe('');
  });

  it('asks for the observer link when there is none', () => {
    const c = at('/observe', fakeApi({ participant: null }));
    expect(c.querySelector('main h1')?.textContent).toBe('Observer');
    expect(c.querySelector('#o-token')).not.toBeNull();
  });
});

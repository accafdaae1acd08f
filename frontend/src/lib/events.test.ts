import { describe, expect, it } from 'vitest';
import { adaptEvent, avatarInitial, decisionIdOf, EVENT_KINDS } from './events';

const base = { seq: 7, at: 90e9, story_time: '2020-02-08T09:01:30Z', state: 's1', audience: ['comms'] };

describe('adaptEvent', () => {
  it('adapts a full inject_delivered', () => {
    const ev = adaptEvent({
      ...base,
      kind: 'inject_delivered',
      inject: {
        id: 'i1',
        channel: 'social',
        title: 'T',
        body: 'B',
        from: { name: 'Dana W', handle: 'danaw', avatar: '', org: 'Ledger' },
        platform: 'Chirp',
        to: 'x',
        level: 'high',
        ref: 'R-1',
        image: 'a photo',
        engagement: { likes: 1200, reposts: 3.7, replies: -4 },
        teams: ['comms', 7],
      },
    });
    expect(ev).toEqual({
      seq: 7,
      kind: 'inject_delivered',
      atNs: 90e9,
      storyTime: '2020-02-08T09:01:30Z',
      state: 's1',
      audience: ['comms'],
      inject: {
        id: 'i1',
        channel: 'social',
        title: 'T',
        body: 'B',
        from: { name: 'Dana W', handle: 'danaw', avatar: 'D', org: 'Ledger' },
        platform: 'Chirp',
        to: 'x',
        level: 'high',
        ref: 'R-1',
        image: 'a photo',
        engagement: { likes: 1200, reposts: 3, replies: 0 },
        teams: ['comms'],
      },
      decision: null,
      answer: null,
      effect: null,
      transition: null,
      outcome: null,
      extension: null,
      expired: false,
      votes: [],
      tie: false,
      message: null,
    });
  });

  it('fills every optional field of a minimal inject with empty values', () => {
    const ev = adaptEvent({ seq: 1, kind: 'inject_delivered', inject: { channel: 'email', body: 'hi' } });
    expect(ev).not.toBeNull();
    expect(ev!.storyTime).toBeNull();
    expect(ev!.atNs).toBe(0);
    expect(ev!.audience).toEqual([]);
    expect(ev!.inject).toEqual({
      id: '',
      channel: 'email',
      title: '',
      body: 'hi',
      from: null,
      platform: '',
      to: '',
      level: '',
      ref: '',
      image: '',
      engagement: null,
      teams: [],
    });
  });

  it('shows an unknown channel as a sitrep and reads a persona given as a plain name', () => {
    const ev = adaptEvent({ seq: 2, kind: 'inject_delivered', inject: { channel: 'fax', from: 'zoë', body: '' } });
    expect(ev!.inject!.channel).toBe('sitrep');
    expect(ev!.inject!.from).toEqual({ name: 'zoë', handle: '', avatar: 'Z', org: '' });
  });

  it('adapts decision_opened with defaults and a closing time', () => {
    const ev = adaptEvent({
      ...base,
      kind: 'decision_opened',
      decision: {
        id: 'd1',
        team: 'comms',
        prompt: 'P?',
        options: [{ id: 'a', label: 'A' }, { id: 'b' }, 'junk'],
        mode: 'lead',
        time_limit: 300e9,
        closes_at: 390e9,
        free_text: true,
        confidence: true,
        rationale: 'yes',
        default: 'b',
      },
    });
    expect(ev!.decision).toEqual({
      id: 'd1',
      team: 'comms',
      prompt: 'P?',
      options: [
        { id: 'a', label: 'A' },
        { id: 'b', label: 'b' },
      ],
      mode: 'lead',
      timeLimitNs: 300e9,
      closesAtNs: 390e9,
      freeText: true,
      confidence: true,
      rationale: false,
      defaultOption: 'b',
      settleOnAnswer: false,
    });
    expect(decisionIdOf(ev!)).toBe('d1');
  });

  it('defaults an unknown mode to first and a missing closes_at to untimed', () => {
    const ev = adaptEvent({ seq: 3, kind: 'decision_opened', decision: { id: 'd', mode: 'dictator' } });
    expect(ev!.decision!.mode).toBe('first');
    expect(ev!.decision!.closesAtNs).toBeNull();
    expect(ev!.decision!.options).toEqual([]);
  });

  it('adapts decision_answered and bounds the confidence', () => {
    const ok = adaptEvent({
      seq: 4,
      kind: 'decision_answered',
      answer: { decision: 'd1', option: 'a', text: 't', participant: 'Sam', confidence: 4, rationale: 'r' },
    });
    expect(ok!.answer).toEqual({ decision: 'd1', option: 'a', text: 't', participant: 'Sam', confidence: 4, rationale: 'r' });
    const bad = adaptEvent({ seq: 5, kind: 'decision_answered', answer: { decision: 'd1', confidence: 9 } });
    expect(bad!.answer!.confidence).toBeNull();
    expect(bad!.answer!.option).toBe('');
  });

  it('adapts decision_closed with a settled answer, expired, or only an id', () => {
    const settled = adaptEvent({ seq: 6, kind: 'decision_closed', answer: { decision: 'd1', option: 'b' } });
    expect(settled!.answer!.option).toBe('b');
    expect(settled!.expired).toBe(false);
    const expired = adaptEvent({ seq: 7, kind: 'decision_closed', expired: true, decision_id: 'd2' });
    expect(expired!.expired).toBe(true);
    expect(decisionIdOf(expired!)).toBe('d2');
    expect(adaptEvent({ seq: 8, kind: 'decision_closed' })).toBeNull();
  });

  it('adapts effect_applied nested or flat', () => {
    const nested = adaptEvent({ seq: 9, kind: 'effect_applied', effect: { var: 'reputation', value: 55 } });
    expect(nested!.effect).toEqual({ variable: 'reputation', value: 55 });
    const flat = adaptEvent({ seq: 10, kind: 'effect_applied', var: 'locked', value: true });
    expect(flat!.effect).toEqual({ variable: 'locked', value: true });
    const odd = adaptEvent({ seq: 11, kind: 'effect_applied', var: 'x', value: { a: 1 } });
    expect(odd!.effect).toEqual({ variable: 'x', value: null });
    expect(adaptEvent({ seq: 12, kind: 'effect_applied' })).toBeNull();
  });

  it('adapts transition_taken', () => {
    const ev = adaptEvent({ seq: 13, kind: 'transition_taken', from: 's1', to: 's2', label: 'escalate' });
    expect(ev!.transition).toEqual({ from: 's1', to: 's2', label: 'escalate' });
    const minimal = adaptEvent({ seq: 14, kind: 'transition_taken', transition: { to: 's3' } });
    expect(minimal!.transition).toEqual({ from: '', to: 's3', label: '' });
    expect(adaptEvent({ seq: 15, kind: 'transition_taken' })).toBeNull();
  });

  it('adapts outcome_reached', () => {
    const ev = adaptEvent({ seq: 16, kind: 'outcome_reached', outcome: 'contained', rating: 'success', debrief: '**Well** done' });
    expect(ev!.outcome).toEqual({ outcome: 'contained', title: '', rating: 'success', debrief: '**Well** done', reason: '' });
    const nested = adaptEvent({ seq: 17, kind: 'outcome_reached', outcome: { outcome: 'crisis' } });
    expect(nested!.outcome).toEqual({ outcome: 'crisis', title: '', rating: '', debrief: '', reason: '' });
  });

  it('covers every kind it declares', () => {
    const samples: Record<string, unknown> = {
      inject_delivered: { inject: { channel: 'chat' } },
      decision_opened: { decision: { id: 'd' } },
      decision_answered: { answer: { decision: 'd' } },
      decision_closed: { decision_id: 'd' },
      decision_extended: { decision: 'd', closes_at: 1 },
      effect_applied: { var: 'v', value: 1 },
      transition_taken: { to: 's' },
      outcome_reached: { outcome: 'o' },
      message_sent: { action: 'publish', body: 'b' },
    };
    for (const kind of EVENT_KINDS) {
      const ev = adaptEvent({ seq: 1, kind, ...(samples[kind] as object) });
      expect(ev?.kind, kind).toBe(kind);
    }
  });

  it.each([
    ['not an object', 'hello'],
    ['null', null],
    ['an array', [1]],
    ['an unknown kind', { seq: 1, kind: 'timer_fired' }],
    ['a facilitator-only kind the feed does not show', { seq: 1, kind: 'inject_skipped' }],
    ['a zero seq', { seq: 0, kind: 'inject_delivered', inject: { channel: 'chat' } }],
    ['a missing seq', { kind: 'inject_delivered', inject: { channel: 'chat' } }],
    ['a negative seq', { seq: -1, kind: 'inject_delivered', inject: { channel: 'chat' } }],
    ['a fractional seq', { seq: 1.5, kind: 'inject_delivered', inject: { channel: 'chat' } }],
    ['a string seq', { seq: '1', kind: 'inject_delivered', inject: { channel: 'chat' } }],
    ['an inject event without inject', { seq: 1, kind: 'inject_delivered' }],
    ['a decision event without decision', { seq: 1, kind: 'decision_opened', decision: 'd1' }],
    ['an answer event without answer', { seq: 1, kind: 'decision_answered' }],
  ])('rejects %s', (_name, raw) => {
    expect(adaptEvent(raw)).toBeNull();
  });

  it('adapts decision_extended, flat from the server or nested', () => {
    const wire = {
      type: 'event',
      seq: 12,
      kind: 'decision_extended',
      at: 200e9,
      payload: { kind: 'decision_extended', at: 200e9, decision: 'lock', team: 'soc', by: 120e9, closes_at: 520e9, time_limit: 420e9, audience: ['soc'] },
    };
    const ev = adaptEvent(wire)!;
    expect(ev.kind).toBe('decision_extended');
    expect(ev.extension).toEqual({ decision: 'lock', team: 'soc', byNs: 120e9, closesAtNs: 520e9, timeLimitNs: 420e9 });
    expect(ev.audience).toEqual(['soc']);
    expect(decisionIdOf(ev)).toBe('lock');
    const nested = adaptEvent({ seq: 3, kind: 'decision_extended', extension: { decision: 'x', by: 'lots', closes_at: 5e9 } })!;
    expect(nested.extension).toEqual({ decision: 'x', team: '', byNs: 0, closesAtNs: 5e9, timeLimitNs: 0 });
    expect(adaptEvent({ seq: 3, kind: 'decision_extended', decision: 'x' })).toBeNull();
    expect(adaptEvent({ seq: 3, kind: 'decision_extended', closes_at: 5e9 })).toBeNull();
  });

  it('drops a malformed story time and wrong-typed fields', () => {
    const ev = adaptEvent({
      seq: 1,
      kind: 'inject_delivered',
      at: 'soon',
      story_time: '<script>',
      audience: 'everyone',
      inject: { channel: 'news', title: 42, body: ['x'], engagement: 'lots' },
    });
    expect(ev!.atNs).toBe(0);
    expect(ev!.storyTime).toBeNull();
    expect(ev!.audience).toEqual([]);
    expect(ev!.inject!.title).toBe('');
    expect(ev!.inject!.body).toBe('');
    expect(ev!.inject!.engagement).toBeNull();
  });
});

describe('avatarInitial', () => {
  it.each([
    ['', 'dana', 'D'],
    ['PR', 'Priya', 'PR'],
    ['ABC', 'x', 'AB'],
    ['  ', 'élise', 'É'],
    ['', '', '?'],
    ['', '😀 smile', '😀'],
  ])('avatar %j name %j → %j', (avatar, name, want) => {
    expect(avatarInitial(avatar, name)).toBe(want);
  });
});

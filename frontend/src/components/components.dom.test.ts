// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { adaptEvent, CHANNELS, type InjectView } from '../lib/events';
import { createFeed, type DecisionState } from '../lib/feed';
import { sampleClock, sampleDecisions, sampleInjects } from '../lib/sample';
import { dangers, render, type Rendered } from '../test/render';
import InjectCard from './cards/InjectCard.svelte';
import DecisionPrompt from './DecisionPrompt.svelte';
import Gallery from '../pages/Gallery.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

function inject(fields: Partial<InjectView>): InjectView {
  return {
    id: 'i',
    channel: 'social',
    title: '',
    body: '',
    from: null,
    platform: '',
    to: '',
    level: '',
    ref: '',
    image: '',
    engagement: null,
    teams: [],
    ...fields,
  };
}

describe('InjectCard', () => {
  it('draws a social post with handle, time, image alt text and compact counts', () => {
    r = render(InjectCard, {
      inject: inject({
        from: { name: 'Northwind Bank', handle: 'northwindbank', avatar: 'N', org: '' },
        platform: 'Chirp',
        body: 'Free money',
        image: 'A bank card',
        engagement: { likes: 15_400, reposts: 1234, replies: 7 },
      }),
      storyTime: '2020-02-08T09:42:00Z',
    });
    const c = r.container;
    expect(c.querySelector('article')?.getAttribute('aria-label')).toBe('Social post, from Northwind Bank');
    expect(c.textContent).toContain('@northwindbank');
    expect(c.textContent).toContain('09:42');
    expect(c.querySelector('[role="img"]')?.getAttribute('aria-label')).toBe('A bank card');
    const counts = Array.from(c.querySelectorAll('.engagement li span[aria-hidden="true"]')).map((e) => e.textContent);
    expect(counts).toEqual(['7', '1.2K', '15K']);
    expect(c.querySelector('.engagement')?.textContent).toContain('15,400 likes');
  });

  it.each([
    ['email', { title: 'Subject line', to: 'dpo@x.example', from: { name: 'Reg', handle: 'r@x.example', avatar: 'R', org: '' } }, ['Subject line', 'dpo@x.example', '<r@x.example>', '8 Feb 2020, 09:42']],
    ['chat', { platform: '#war-room', from: { name: 'Priya', handle: '', avatar: 'P', org: '' } }, ['war-room', 'Priya', '09:42']],
    ['news', { title: 'Headline', from: { name: 'Dana', handle: '', avatar: 'D', org: 'The Ledger' } }, ['The Ledger', 'Headline', 'By Dana']],
    ['status', { level: 'major outage', title: 'Down', platform: 'status.example' }, ['Major outage', 'Down', 'Posted 8 Feb 2020, 09:42']],
    ['phone', { title: 'Call, 4 min', from: { name: 'Marcus', handle: '+44 1', avatar: 'M', org: 'T&S' } }, ['Call transcript', 'Marcus', 'T&S · +44 1', 'Call, 4 min']],
    ['ticket', { ref: 'INC-1', level: 'P1', title: 'Impossible travel' }, ['INC-1', 'Priority P1', 'Impossible travel']],
    ['sitrep', { title: 'Forty minutes in' }, ['Situation update', 'Forty minutes in']],
  ] as const)('draws a %s card', (channel, fields, texts) => {
    r = render(InjectCard, { inject: inject({ channel, body: 'Body **text**', ...fields }), storyTime: '2020-02-08T09:42:00Z' });
    const art = r.container.querySelector('article')!;
    expect(art.dataset.channel).toBe(channel);
    for (const t of texts) expect(art.textContent).toContain(t);
    expect(art.querySelector('strong')?.textContent).toBe('text');
  });

  it('maps status levels to tones', () => {
    for (const [level, tone] of [
      ['Investigating', 'investigating'],
      ['identified', 'identified'],
      ['monitoring', 'monitoring'],
      ['Resolved', 'resolved'],
      ['major_outage', 'major'],
      ['degraded performance', 'partial'],
      ['whatever', 'neutral'],
    ]) {
      r = render(InjectCard, { inject: inject({ channel: 'status', level }) });
      expect(r.container.querySelector('.banner')?.classList.contains(tone), level).toBe(true);
      r.destroy();
      r = null;
    }
  });

  it('falls back to the exercise clock without story time, and marks fresh cards', () => {
    r = render(InjectCard, { inject: inject({ channel: 'sitrep' }), atNs: 125e9, fresh: true });
    expect(r.container.textContent).toContain('T+2:05');
    expect(r.container.querySelector('article')?.classList.contains('fresh')).toBe(true);
    expect(r.container.textContent).toContain('New');
  });

  it.each(CHANNELS)('keeps hostile text in every field of a %s card inert', (channel) => {
    const evil = '<img src=x onerror=alert(1)><script>alert(1)</script>[x](javascript:alert(1))';
    r = render(InjectCard, {
      inject: inject({
        channel,
        title: evil,
        body: evil,
        from: { name: evil, handle: evil, avatar: '<s', org: evil },
        platform: evil,
        to: evil,
        level: evil,
        ref: evil,
        image: evil,
        engagement: { likes: 1, reposts: 2, replies: 3 },
      }),
      storyTime: evil,
    });
    const art = r.container.querySelector('article')!;
    expect(dangers(art).filter((d) => !d.startsWith('element <svg'))).toEqual([]);
    expect(art.querySelectorAll('script, img, iframe').length).toBe(0);
    expect(art.textContent).toContain('<script>alert(1)</script>');
  });
});

function decisionState(raws: Record<string, unknown>[], id: string): DecisionState {
  const feed = createFeed();
  feed.load(raws);
  let got: DecisionState | undefined;
  feed.subscribe((s) => (got = s.decisions.find((d) => d.decision.id === id)))();
  if (!got) throw new Error(`no decision ${id}`);
  return got;
}

describe('DecisionPrompt', () => {
  const open = (fields: Record<string, unknown> = {}) =>
    decisionState(
      [
        {
          seq: 1,
          kind: 'decision_opened',
          decision: {
            id: 'd1',
            prompt: 'What **now**?',
            options: [
              { id: 'a', label: 'Option A' },
              { id: 'b', label: 'Option B' },
            ],
            mode: 'first',
            time_limit: 300e9,
            closes_at: 400e9,
            ...fields,
          },
        },
      ],
      'd1',
    );
  const clock = { serverNs: 100e9, localMs: 0, rate: 1 };

  it('answers with one tap when there is nothing else to fill in', () => {
    const onanswer = vi.fn();
    r = render(DecisionPrompt, { state: open(), clock, nowMs: 0, onanswer });
    const c = r.container;
    expect(c.querySelector('[role="timer"]')?.textContent).toContain('5:00');
    expect(c.querySelector('.prompt strong')?.textContent).toBe('now');
    const buttons = Array.from(c.querySelectorAll<HTMLButtonElement>('button.option'));
    expect(buttons.map((b) => b.textContent)).toEqual(['Option A', 'Option B']);
    buttons[1].click();
    flushSync();
    expect(onanswer).toHaveBeenCalledWith({ decision: 'd1', option: 'b', text: '', confidence: null, rationale: '' });
  });

  it('collects free text, confidence and rationale before submitting', () => {
    const onanswer = vi.fn();
    r = render(DecisionPrompt, { state: open({ free_text: true, confidence: true, rationale: true }), clock, nowMs: 0, onanswer });
    const c = r.container;
    const submit = c.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    expect(submit.disabled).toBe(true);
    c.querySelectorAll<HTMLButtonElement>('button.option')[0].click();
    flushSync();
    expect(onanswer).not.toHaveBeenCalled();
    const [text, why] = Array.from(c.querySelectorAll('textarea'));
    text.value = ' a comment ';
    text.dispatchEvent(new Event('input'));
    why.value = 'because';
    why.dispatchEvent(new Event('input'));
    const four = c.querySelector<HTMLInputElement>('input[type="radio"][value="4"]')!;
    four.click();
    flushSync();
    // Every control has a label.
    for (const el of Array.from(c.querySelectorAll('textarea, input'))) {
      expect(el.closest('label') ?? c.querySelector(`label[for="${el.id}"]`), el.outerHTML).not.toBeNull();
    }
    expect(submit.disabled).toBe(false);
    submit.click();
    flushSync();
    expect(onanswer).toHaveBeenCalledWith({ decision: 'd1', option: 'a', text: 'a comment', confidence: 4, rationale: 'because' });
  });

  it('tells a member who is not the lead that only the lead answers', () => {
    const onanswer = vi.fn();
    r = render(DecisionPrompt, { state: open({ mode: 'lead' }), canAnswer: false, clock, nowMs: 0, onanswer });
    expect(r.container.textContent).toContain('Only the team lead can answer');
    expect(r.container.textContent).toContain('Team lead answers');
    const b = r.container.querySelector<HTMLButtonElement>('button.option')!;
    expect(b.disabled).toBe(true);
    b.click();
    expect(onanswer).not.toHaveBeenCalled();
  });

  it('shows the current answer and who gave it', () => {
    const s = decisionState(
      [
        { seq: 1, kind: 'decision_opened', decision: { id: 'd1', options: [{ id: 'a', label: 'Option A' }], closes_at: 400e9 } },
        { seq: 2, kind: 'decision_answered', answer: { decision: 'd1', option: 'a', participant: 'Sam', confidence: 3 } },
      ],
      'd1',
    );
    r = render(DecisionPrompt, { state: s, clock, nowMs: 0 });
    const cur = r.container.querySelector('.current')!;
    expect(cur.textContent).toContain('Current answer:');
    expect(cur.textContent).toContain('Option A');
    expect(cur.textContent).toContain('by Sam');
    expect(cur.textContent).toContain('confidence 3/5');
    expect(r.container.querySelector('section')?.dataset.status).toBe('answered');
  });

  it('stops offering the form once the countdown reaches zero', () => {
    r = render(DecisionPrompt, { state: open(), clock, nowMs: 300_000 });
    expect(r.container.querySelector('button.option')).toBeNull();
    expect(r.container.textContent).toContain('Time ran out');
  });

  it('follows an extended deadline, announcing it only when it arrives live', () => {
    const ext = { seq: 2, kind: 'decision_extended', extension: { decision: 'd1', team: 't', by: 60e9, closes_at: 460e9, time_limit: 360e9 } };
    const opened = { seq: 1, kind: 'decision_opened', decision: { id: 'd1', options: [{ id: 'a', label: 'Option A' }], time_limit: 300e9, closes_at: 400e9 } };
    // Replayed (a reload): the countdown is right, and nothing is announced.
    r = render(DecisionPrompt, { state: decisionState([opened, ext], 'd1'), clock, nowMs: 0 });
    expect(r.container.querySelector('[role="timer"] .left')?.textContent).toBe('6:00');
    expect(r.container.querySelector('[role="status"]')?.textContent).toBe('');
    r.destroy();
    // Live: the prompt says so.
    const feed = createFeed();
    feed.load([opened]);
    feed.apply(ext);
    let live: DecisionState | undefined;
    feed.subscribe((st) => (live = st.decisions[0]))();
    r = render(DecisionPrompt, { state: live!, clock, nowMs: 0 });
    expect(r.container.querySelector('[role="timer"] .left')?.textContent).toBe('6:00');
    expect(r.container.querySelector('[role="status"]')?.textContent).toBe('Time extended +1 min');
  });

  it.each([
    ['closed', [{ seq: 2, kind: 'decision_closed', answer: { decision: 'd1', option: 'a', participant: 'Alex' } }], 'This decision is closed.'],
    ['expired', [{ seq: 2, kind: 'decision_closed', expired: true, decision_id: 'd1' }], 'Time ran out before the team answered.'],
  ])('shows a %s decision without controls', (status, extra, note) => {
    const s = decisionState(
      [{ seq: 1, kind: 'decision_opened', decision: { id: 'd1', options: [{ id: 'a', label: 'Option A' }], closes_at: 400e9 } }, ...extra],
      'd1',
    );
    expect(s.status).toBe(status);
    r = render(DecisionPrompt, { state: s, clock, nowMs: 0 });
    expect(r.container.textContent).toContain(note);
    expect(r.container.querySelector('button')).toBeNull();
    expect(r.container.querySelector('[role="timer"]')).toBeNull();
  });
});

describe('Gallery', () => {
  it('renders a card for every channel and every prompt state', () => {
    r = render(Gallery, {});
    const channels = new Set(Array.from(r.container.querySelectorAll<HTMLElement>('article[data-channel]')).map((a) => a.dataset.channel));
    expect([...channels].sort()).toEqual([...CHANNELS].sort());
    const statuses = new Set(Array.from(r.container.querySelectorAll<HTMLElement>('section[data-status]')).map((s) => s.dataset.status));
    expect([...statuses].sort()).toEqual(['answered', 'closed', 'expired', 'open']);
    expect(r.container.querySelector('.feed')?.getAttribute('aria-live')).toBe('polite');
    expect(r.container.querySelectorAll('.timer.paused').length).toBe(1);
    expect(r.container.querySelectorAll('.timer.urgent').length).toBe(1);
    expect(r.container.querySelectorAll('article.fresh').length).toBe(1);
    // The sample data is well-formed: nothing is dropped by the adapter.
    expect([...sampleInjects, ...sampleDecisions].every((e) => adaptEvent(e) !== null)).toBe(true);
    expect(sampleClock.rate).toBe(1);
  });
});

describe('DecisionPrompt while paused', () => {
  const state = (fields: Record<string, unknown> = {}) =>
    decisionState(
      [
        {
          seq: 1,
          kind: 'decision_opened',
          decision: {
            id: 'd1',
            prompt: 'Now?',
            options: [
              { id: 'a', label: 'Option A' },
              { id: 'b', label: 'Option B' },
            ],
            mode: 'first',
            time_limit: 300e9,
            closes_at: 400e9,
            ...fields,
          },
        },
      ],
      'd1',
    );
  const paused = { serverNs: 100e9, localMs: 0, rate: 0 };

  it('says the facilitator paused and sends nothing', () => {
    const onanswer = vi.fn();
    r = render(DecisionPrompt, { state: state(), clock: paused, nowMs: 0, onanswer });
    expect(r.container.querySelector('.paused-note')?.textContent).toBe(
      'Paused by the facilitator. You can answer again when the exercise resumes.',
    );
    const b = r.container.querySelector<HTMLButtonElement>('button.option')!;
    expect(b.disabled).toBe(true);
    b.click();
    flushSync();
    expect(onanswer).not.toHaveBeenCalled();
  });

  it('lets a longer answer be drafted but not sent', () => {
    const onanswer = vi.fn();
    r = render(DecisionPrompt, { state: state({ free_text: true }), clock: paused, nowMs: 0, onanswer });
    const c = r.container;
    c.querySelectorAll<HTMLButtonElement>('button.option')[0].click();
    const text = c.querySelector('textarea')!;
    expect(text.disabled).toBe(false);
    text.value = 'draft';
    text.dispatchEvent(new Event('input'));
    flushSync();
    expect(c.querySelector<HTMLButtonElement>('button[type="submit"]')!.disabled).toBe(true);
    c.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    flushSync();
    expect(onanswer).not.toHaveBeenCalled();
  });

  it('shows no pause note while the clock runs', () => {
    r = render(DecisionPrompt, { state: state(), clock: { ...paused, rate: 1 }, nowMs: 0 });
    expect(r.container.querySelector('.paused-note')).toBeNull();
  });
});

describe('DecisionPrompt for a team vote', () => {
  const frames = (closed: boolean) => [
    {
      seq: 1,
      kind: 'decision_opened',
      decision: {
        id: 'v',
        prompt: 'Vote',
        options: [
          { id: 'a', label: 'Option A' },
          { id: 'b', label: 'Option B' },
        ],
        mode: 'vote',
        time_limit: 300e9,
        closes_at: 400e9,
      },
    },
    { seq: 2, kind: 'decision_answered', answer: { decision: 'v', option: 'a', participant: 'Ines K.' } },
    { seq: 3, kind: 'decision_answered', answer: { decision: 'v', option: 'b', participant: 'Raj' } },
    ...(closed
      ? [
          {
            seq: 4,
            kind: 'decision_closed',
            answer: { decision: 'v', option: 'a', participant: '' },
            votes: [
              { option: 'a', count: 1 },
              { option: 'b', count: 1 },
            ],
            tie: true,
          },
        ]
      : []),
  ];

  it('shows who voted for what while open, and credits no single member', () => {
    r = render(DecisionPrompt, { state: decisionState(frames(false), 'v'), clock: { serverNs: 100e9, localMs: 0, rate: 1 }, nowMs: 0 });
    const rows = Array.from(r.container.querySelectorAll('[aria-label="Vote tally"] li')).map((li) => li.textContent?.replace(/\s+/g, ' ').trim());
    expect(rows).toEqual(['Option A 1 Ines K.', 'Option B 1 Raj']);
    expect(r.container.querySelector('.current .who')).toBeNull();
  });

  it('credits a closed tie to the team', () => {
    r = render(DecisionPrompt, { state: decisionState(frames(true), 'v'), clock: null, nowMs: 0 });
    const text = r.container.textContent ?? '';
    expect(text).toContain('Team vote: tie 1–1: first option listed');
    expect(text).toContain('Team decision:');
    expect(text).not.toContain('by Ines');
    expect(text).not.toContain('by Raj');
  });
});

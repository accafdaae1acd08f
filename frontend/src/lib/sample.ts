// Sample events in the server's wire format, for the gallery page (visual
// review, browser tests) and unit tests. They go through the same adapter as
// live events. Names, outlets and platforms are invented.

import type { ClockSync } from './clock';

const MIN = 60e9;

/** The exercise clock the samples are set at: 12 minutes in, running at ×1. */
export const SAMPLE_NOW_NS = 12 * MIN;
export const sampleClock: ClockSync = { serverNs: SAMPLE_NOW_NS, localMs: 0, rate: 1 };

const personas = {
  brand: { name: 'Northwind Bank', handle: 'northwindbank', avatar: 'N', org: 'Northwind Bank' },
  reporter: { name: 'Dana Whitfield', handle: 'danaw_tech', avatar: 'D', org: 'The Ledger Daily' },
  regulator: { name: 'Office of the Data Regulator', handle: 'breaches@odr.example', avatar: 'O', org: 'ODR' },
  ceo: { name: 'Priya Raman', handle: 'priya', avatar: 'PR', org: 'Northwind Bank' },
  caller: { name: 'Marcus Lee', handle: '+44 20 7946 0321', avatar: 'M', org: 'Platform Trust & Safety' },
  soc: { name: 'SIEM automation', handle: 'siem', avatar: 'S', org: 'SOC' },
};

let seq = 0;
function ev(kind: string, atMin: number, story: string, extra: Record<string, unknown>): Record<string, unknown> {
  seq += 1;
  return {
    seq,
    kind,
    at: Math.round(atMin * MIN),
    story_time: story,
    state: 'account_hijacked',
    audience: ['*'],
    ...extra,
  };
}

function inject(atMin: number, story: string, fields: Record<string, unknown>): Record<string, unknown> {
  return ev('inject_delivered', atMin, story, { inject: { id: `inj_${seq + 1}`, teams: [], ...fields } });
}

export const sampleInjects: Record<string, unknown>[] = [
  inject(0.5, '2020-02-08T09:02:00Z', {
    channel: 'social',
    from: personas.brand,
    platform: 'Chirp',
    body: 'We are giving back! 🎉 Send any amount to our *verified* wallet and get **double** back within the hour.\nOffer ends at noon. https://northwind-giveaway.example/claim',
    image: 'Screenshot of a bank card with the Northwind logo and the words "Double your money"',
    engagement: { likes: 1234, reposts: 15400, replies: 987 },
  }),
  inject(1, '2020-02-08T09:06:00Z', {
    channel: 'social',
    from: personas.reporter,
    platform: 'Chirp',
    body: '@northwindbank is this real? Your account is posting crypto giveaways. Has it been hacked?',
    engagement: { likes: 48, reposts: 12, replies: 3 },
  }),
  inject(2, '2020-02-08T09:10:00Z', {
    channel: 'chat',
    from: personas.ceo,
    platform: '#incident-war-room',
    body: 'I just got three calls from board members.\nWho has the password to our Chirp account? I want it **locked down now**.',
  }),
  inject(3, '2020-02-08T09:15:00Z', {
    channel: 'email',
    from: personas.regulator,
    to: 'dpo@northwind.example',
    title: 'Request for information: suspected account compromise',
    body: 'Dear Data Protection Officer,\n\nWe are aware of reports that an official account of **Northwind Bank** is publishing fraudulent messages. Please tell us by 17:00 today:\n\n1. whether customer data is involved;\n2. the measures taken so far;\n3. a contact for follow-up.\n\nKind regards,  \nBreach notification desk',
  }),
  inject(4, '2020-02-08T09:21:00Z', {
    channel: 'news',
    from: personas.reporter,
    title: 'Northwind Bank account posts crypto scam to 2 million followers',
    body: 'Customers of Northwind Bank were urged to ignore a "double your money" offer posted from the bank\'s official account on Saturday morning.\n\nThe bank has not yet commented. Security researchers said the posts matched a wave of account takeovers this month.',
  }),
  inject(5, '2020-02-08T09:25:00Z', {
    channel: 'status',
    platform: 'status.northwind.example',
    level: 'investigating',
    title: 'Unauthorised posts on our social media account',
    body: 'We are investigating messages posted from our official Chirp account. **Do not** send money in response to any giveaway.',
  }),
  inject(5.5, '2020-02-08T09:40:00Z', {
    channel: 'status',
    platform: 'status.northwind.example',
    level: 'identified',
    title: 'Account access identified',
    body: 'We have identified how the account was accessed and are working with the platform to restore control.',
  }),
  inject(6, '2020-02-08T10:05:00Z', {
    channel: 'status',
    platform: 'status.northwind.example',
    level: 'monitoring',
    title: 'Account restored',
    body: 'The fraudulent posts have been removed. We are monitoring for further activity.',
  }),
  inject(6.5, '2020-02-08T11:30:00Z', {
    channel: 'status',
    platform: 'status.northwind.example',
    level: 'resolved',
    title: 'Resolved',
    body: 'This incident is resolved. No customer accounts were affected.',
  }),
  inject(7, '2020-02-08T09:31:00Z', {
    channel: 'status',
    platform: 'status.northwind.example',
    level: 'major outage',
    title: 'Online banking unavailable',
    body: 'Online banking and the mobile app are unavailable while we reset credentials.',
  }),
  inject(8, '2020-02-08T09:33:00Z', {
    channel: 'phone',
    from: personas.caller,
    to: 'Comms duty phone',
    title: 'Call from the platform, 4 min',
    body: '**Marcus:** This is Marcus from Chirp Trust & Safety. We have locked the account pending verification.\n**You:** How do we get it back?\n**Marcus:** The registered owner must confirm from the recovery email. Who is that?',
  }),
  inject(9, '2020-02-08T09:35:00Z', {
    channel: 'ticket',
    from: personas.soc,
    platform: 'ServiceDesk',
    ref: 'INC-20417',
    level: 'P1',
    to: 'SOC on call',
    title: 'Impossible travel: social media manager login',
    body: 'Sign-in to the social media management tool from two countries 4 minutes apart.\n\n```\nuser: c.morgan  ip: 203.0.113.77  country: ?? \nuser: c.morgan  ip: 198.51.100.12 country: GB\n```',
  }),
  inject(10, '2020-02-08T09:45:00Z', {
    channel: 'sitrep',
    title: 'Forty minutes in',
    body: 'The post has been shared **15,000** times. Two newspapers have called the press office. The platform says it can restore the account within the hour *if* ownership is proven.',
  }),
  inject(11, '2020-02-08T09:50:00Z', {
    channel: 'email',
    from: { name: 'Markdown & safety check', handle: 'author@example.com', avatar: 'M', org: 'Scenario author' },
    to: 'Everyone',
    title: 'How author text is shown',
    body: [
      '## Subset of Markdown',
      '',
      'Paragraphs with *emphasis*, **strong**, `inline code`, a [safe link](https://example.com/guide "Guide"),',
      'an autolink <https://example.org> and a mail link <press@example.com>.',
      '',
      '- bullet one',
      '- bullet two with a nested list:',
      '  1. first',
      '  2. second',
      '',
      '> A quoted statement from the regulator.',
      '',
      '---',
      '',
      'Raw HTML shows as text: <script>alert(1)</script> <img src=x onerror=alert(1)>',
      'and unsafe links stay text: [click me](javascript:alert(1)) [data](data:text/html,hi).',
    ].join('\n'),
  }),
];

/** Raw decision events; each decision id shows one prompt state. */
function decision(id: string, fields: Record<string, unknown>, closesInMin: number | null): Record<string, unknown> {
  return ev('decision_opened', 11, '2020-02-08T09:48:00Z', {
    audience: ['comms'],
    decision: {
      id,
      team: 'comms',
      prompt: 'The hijacked account is still posting. **What do you do first?**',
      options: [
        { id: 'report', label: 'Report the account to the platform' },
        { id: 'statement', label: 'Post a holding statement on other channels' },
        { id: 'wait', label: 'Wait for IT to regain access' },
      ],
      mode: 'first',
      time_limit: 5 * MIN,
      closes_at: closesInMin === null ? undefined : SAMPLE_NOW_NS + closesInMin * MIN,
      ...fields,
    },
  });
}

function answer(id: string, option: string, participant: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return ev('decision_answered', 11.5, '2020-02-08T09:49:00Z', {
    audience: ['comms'],
    answer: { decision: id, option, participant, ...extra },
  });
}

function closed(id: string, settled: Record<string, unknown> | null): Record<string, unknown> {
  return ev('decision_closed', 11.8, '2020-02-08T09:50:00Z', {
    audience: ['comms'],
    ...(settled ? { answer: { decision: id, ...settled } } : { expired: true, decision_id: id }),
  });
}

export const sampleDecisions: Record<string, unknown>[] = [
  decision('d_open', {}, 4 + 5 / 60),
  decision('d_form', {
    prompt: 'Draft the first public statement. Which tone?',
    options: [
      { id: 'factual', label: 'Factual and brief' },
      { id: 'apologetic', label: 'Apologetic' },
      { id: 'reassuring', label: 'Reassuring, with advice for customers' },
    ],
    free_text: true,
    confidence: true,
    rationale: true,
  }, 2.5),
  decision('d_answered', {}, 3),
  answer('d_answered', 'report', 'Sam (Comms lead)', { confidence: 4 }),
  decision('d_lead', { mode: 'lead', prompt: 'Do we **pay** the person who claims they can restore the account?' }, 0.4),
  decision('d_untimed', { mode: 'vote', time_limit: 0, prompt: 'Vote: should the CEO speak to the press today?', options: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }] }, null),
  decision('d_closed', {}, 1),
  answer('d_closed', 'statement', 'Alex'),
  closed('d_closed', { option: 'statement', participant: 'Alex', rationale: 'Customers need to hear from us before the press does.' }),
  decision('d_expired', {}, 1),
  closed('d_expired', null),
];

import { describe, expect, it } from 'vitest';
import { messageLine, worldMarkdown, worldReport } from './report-world';
import { mdText } from './report';

const MIN = 60e9;
const ev = (seq: number, kind: string, atMin: number, payload: Record<string, unknown>, audience: string[] = []) => ({ seq, kind, at: atMin * MIN, payload, audience });

const log = [
  ev(1, 'inject_delivered', 2, { inject: 'hijack_post', channel: 'social', title: 'Hijacked post', persona_name: 'Acme' }, ['*']),
  ev(2, 'inject_delivered', 4, { inject: 'reporter_email', channel: 'email', title: 'Press enquiry', persona_name: 'Dana Reyes' }, ['comms']),
  ev(3, 'message_sent', 7, { message: 'm3', action: 'reply', team: 'comms', participant: 'p1', persona: 'reporter', persona_name: 'Dana Reyes', inject: 'reporter_email', thread: 'reporter_email', body: 'No comment *yet*.' }, ['comms']),
  ev(4, 'message_sent', 9, { message: 'm4', action: 'persona', team: 'comms', persona: 'reporter', persona_name: 'Dana Reyes', thread: 'reporter_email', body: 'Can I quote you?', canned: 'quote' }, ['comms']),
  ev(5, 'message_sent', 12, { message: 'm5', action: 'publish', team: 'comms', participant: 'p1', outlet: 'newsroom', outlet_name: 'Acme newsroom', title: 'Holding | statement', body: '<img src=x onerror=alert(1)>\nWe are aware.', drafted_by: 'p1', approved_by: 'p7' }, ['*']),
  ev(6, 'chat_posted', 3, { room: 'team:comms', participant: 'p1', name: 'Ana', team: 'comms', body: 'Who drafts?' }, ['comms']),
  ev(7, 'chat_posted', 5, { room: 'control:comms', by_facilitator: true, body: 'Legal must approve.' }, ['comms']),
];

const teamName = (t: string) => ({ comms: 'Comms', legal: 'Legal' })[t] ?? t;
const names = new Map([
  ['p1', 'Ana'],
  ['p7', 'Lee'],
]);

describe('world report', () => {
  const r = worldReport(log, teamName, names);

  it('says who wrote what, when, and how long after the inject that prompted it', () => {
    expect(r.messages.map((m) => [m.seq, m.by, m.where, m.prompt?.inject ?? null, m.prompt?.replied ?? null, m.latencyNs])).toEqual([
      [3, 'Ana', 'Dana Reyes', 'reporter_email', true, 3 * MIN],
      [4, 'Dana Reyes (canned)', 'Dana Reyes', '', true, 2 * MIN],
      [5, 'Ana', 'Acme newsroom', 'reporter_email', false, 8 * MIN],
    ]);
    expect(r.messages[2]).toMatchObject({ draftedBy: 'Ana', approvedBy: 'Lee' });
    expect(messageLine(r.messages[2], teamName)).toBe('Ana (Comms) published on Acme newsroom');
    expect(messageLine(r.messages[1], teamName)).toBe('Dana Reyes (canned) answered Comms');
  });

  it('keeps a transcript per room', () => {
    expect(r.chat.map((c) => [c.room, c.label, c.lines.map((l) => `${l.name}: ${l.body}`)])).toEqual([
      ['control:comms', 'Comms ↔ facilitator', ['Facilitator: Legal must approve.']],
      ['team:comms', 'Comms (team room)', ['Ana: Who drafts?']],
    ]);
  });

  it('exports inert Markdown: what people typed never becomes markup', () => {
    const md = worldMarkdown(r, teamName, mdText).join('\n');
    expect(md).toContain('## What teams wrote');
    expect(md).toContain('### T+12:00 — Ana (Comms) published on Acme newsroom');
    expect(md).toContain('Drafted by Ana, approved by Lee. Sent T+12:00, 8:00 after “Press enquiry” (latest inject before it).');
    expect(md).toContain('Sent T+7:00, 3:00 after “Press enquiry”.');
    expect(md).toContain('Sent T+9:00, 2:00 after “Ana’s message”.');
    expect(md).not.toMatch(/(^|[^\\])<img/m);
    expect(md).toContain('> \\<img src=x onerror=alert(1)\\>');
    expect(md).not.toContain('*yet*');
    expect(md).toContain('## Chat');
    expect(md).toContain('- T+3:00 **Ana** (Comms): Who drafts?');
  });
});

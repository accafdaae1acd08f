import { describe, expect, it } from 'vitest';
import type { WorldInfo } from './api';
import { canDecide, canReply, canSend, composeError, draftMessage, formOf, ownOutlets, sendMessage } from './compose';
import type { InjectView } from './events';
import type { Draft } from './world';

const world: WorldInfo = {
  outlets: [
    { id: 'newsroom', name: 'Newsroom', channel: 'news', platform: '', approval: 'legal', teams: ['comms'] },
    { id: 'backup', name: 'Backup account', channel: 'social', platform: 'Chirp', approval: '', teams: ['comms'] },
    { id: 'status', name: 'Status page', channel: 'status', platform: '', approval: 'lead', teams: ['soc'] },
  ],
  personas: [{ id: 'reporter', name: 'Dana', via: 'email' }],
  lines: [],
  replies: ['reporter_email'],
};

const inj = (id: string, extra: Partial<InjectView> = {}): InjectView => ({
  id,
  channel: 'email',
  title: '',
  body: '',
  from: { name: 'Dana', handle: '', avatar: 'D', org: '' },
  platform: '',
  to: '',
  level: '',
  ref: '',
  image: '',
  engagement: null,
  teams: [],
  ...extra,
});

const draft = (extra: Partial<Draft> = {}): Draft => ({
  id: 'd1',
  version: 2,
  action: 'publish',
  team: 'comms',
  participant: 'p1',
  createdBy: 'p1',
  outlet: 'newsroom',
  persona: '',
  inject: '',
  thread: '',
  title: 'T',
  body: 'B',
  status: 'draft',
  approver: '',
  decidedBy: '',
  requestedBy: '',
  comment: '',
  atNs: 0,
  ...extra,
});

describe('compose rules', () => {
  it.each([
    { name: 'listed inject', w: world, i: inj('reporter_email'), want: true },
    { name: 'unlisted inject', w: world, i: inj('other'), want: false },
    { name: 'no world info: a persona’s message', w: { outlets: [], personas: [], lines: [], replies: [] }, i: inj('x'), want: true },
    { name: 'no world info: a sitrep', w: { outlets: [], personas: [], lines: [], replies: [] }, i: inj('x', { channel: 'sitrep' }), want: false },
    { name: 'no world info: no sender', w: { outlets: [], personas: [], lines: [], replies: [] }, i: inj('x', { from: null }), want: false },
    { name: 'the inject names the team', w: world, i: inj('later', { reply: ['comms'] }), want: true },
    { name: 'the inject names another team', w: world, i: inj('reporter_email', { reply: ['soc'] }), want: false },
  ])('canReply: $name', ({ w, i, want }) => {
    expect(canReply(i, w, 'comms')).toBe(want);
  });

  it('lists the team’s own outlets', () => {
    expect(ownOutlets(world, 'comms').map((o) => o.id)).toEqual(['newsroom', 'backup']);
    expect(ownOutlets(world, 'legal')).toEqual([]);
  });

  it.each([
    { name: 'approval needed, not approved', d: draft(), want: false },
    { name: 'approval needed, requested', d: draft({ status: 'requested' }), want: false },
    { name: 'approved', d: draft({ status: 'approved' }), want: true },
    { name: 'no approval on the outlet', d: draft({ outlet: 'backup' }), want: true },
    { name: 'a reply', d: draft({ action: 'reply', outlet: '', inject: 'reporter_email' }), want: true },
  ])('canSend: $name', ({ d, want }) => {
    expect(canSend(d, world)).toBe(want);
  });

  it.each([
    { name: 'approver team member', d: draft({ status: 'requested', approver: 'legal' }), me: { participant: 'p7', team: 'legal', lead: false }, want: true },
    { name: 'drafting team member (team approver)', d: draft({ status: 'requested', approver: 'legal' }), me: { participant: 'p2', team: 'comms', lead: true }, want: false },
    { name: 'not requested', d: draft({ approver: 'legal' }), me: { participant: 'p7', team: 'legal', lead: false }, want: false },
    { name: 'lead of the team', d: draft({ status: 'requested', approver: 'lead', requestedBy: 'p1' }), me: { participant: 'p2', team: 'comms', lead: true }, want: true },
    { name: 'lead who saved the current version', d: draft({ status: 'requested', approver: 'lead', participant: 'p2' }), me: { participant: 'p2', team: 'comms', lead: true }, want: false },
    { name: 'lead who asked but did not save it', d: draft({ status: 'requested', approver: 'lead', participant: 'p1', requestedBy: 'p2' }), me: { participant: 'p2', team: 'comms', lead: true }, want: true },
    { name: 'not the lead', d: draft({ status: 'requested', approver: 'lead', requestedBy: 'p1' }), me: { participant: 'p3', team: 'comms', lead: false }, want: false },
  ])('canDecide: $name', ({ d, me, want }) => {
    expect(canDecide(d, me)).toBe(want);
  });

  it('builds the wire bodies', () => {
    expect(draftMessage({ action: 'publish', outlet: 'newsroom', title: ' Holding ', body: 'We know.' })).toEqual({ action: 'publish', outlet: 'newsroom', title: 'Holding', body: 'We know.' });
    expect(draftMessage({ action: 'reply', inject: 'e', thread: 'e', draft: 'd1', title: '', body: 'x' })).toEqual({ action: 'reply', inject: 'e', thread: 'e', draft: 'd1', body: 'x' });
    expect(sendMessage({ action: 'publish', outlet: 'newsroom', draft: 'd1', title: 'T', body: 'B' })).toEqual({ action: 'publish', outlet: 'newsroom', draft: 'd1' });
    expect(sendMessage({ action: 'compose', persona: 'reporter', title: '', body: 'Hi' })).toEqual({ action: 'compose', persona: 'reporter', body: 'Hi' });
    expect(formOf(draft())).toMatchObject({ action: 'publish', outlet: 'newsroom', draft: 'd1', title: 'T', body: 'B' });
  });

  it('words the composer’s errors', () => {
    expect(composeError('stale_draft', 'x')).toContain('changed this draft');
    expect(composeError('needs_approval', '')).toContain('approval');
    expect(composeError('other', 'Server says no')).toBe('Server says no');
  });
});

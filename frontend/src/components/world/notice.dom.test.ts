// @vitest-environment jsdom
// The Messages tab's one-line notice ("Approval requested.", "Draft
// saved.") speaks of one draft; once that draft moves on (the approver
// returns it, a teammate publishes it) the notice must not keep saying the
// old state next to a card that says the new one.
import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import type { PlayInfo } from '../../lib/api';
import { FakeWS } from '../../test/fakews';
import { fakeApi, participantSession, playInfo, wire } from '../../test/fakeapi';
import { appPage } from '../../test/app';

const { at, settle } = appPage({ preload: true, rounds: 6 });

const commsInfo: PlayInfo = {
  ...playInfo,
  me: { id: 'p1', name: 'Alice', team: 'comms', lead: false },
  team: { id: 'comms', name: 'Communications', brief: '' },
  teams: [
    { id: 'comms', name: 'Communications' },
    { id: 'legal', name: 'Legal' },
  ],
  world: {
    outlets: [{ id: 'newsroom', name: 'Acme newsroom', channel: 'news', platform: '', approval: 'legal', teams: ['comms'] }],
    personas: [],
    lines: ['legal'],
    replies: [],
  },
};

const button = (root: ParentNode, text: string) => Array.from(root.querySelectorAll<HTMLButtonElement>('button')).find((b) => b.textContent?.trim() === text)!;
const type = (el: HTMLInputElement | HTMLTextAreaElement, v: string) => {
  el.value = v;
  el.dispatchEvent(new Event('input'));
  flushSync();
};

const saved = { draft: 'd1', version: 1, action: 'publish', team: 'comms', participant: 'p1', outlet: 'newsroom', title: 'Holding', body: 'We are aware.' };

describe('the Messages notice', () => {
  it.each([
    ['the approver returns the draft', wire.event(4, 'draft_rejected', { draft: 'd1', version: 1, team: 'comms', participant: 'p7', comment: 'Say more' })],
    ['a teammate publishes it', wire.event(4, 'message_sent', { message: 'm1', draft: 'd1', action: 'publish', team: 'comms', participant: 'p2', outlet: 'newsroom', outlet_name: 'Acme newsroom', channel: 'news', title: 'Holding', body: 'We are aware.', drafted_by: 'p1', approved_by: 'p7', audience: ['*'] }, 4)],
    ['a teammate discards it', wire.event(4, 'draft_discarded', { draft: 'd1', team: 'comms', participant: 'p2' })],
  ])('"Approval requested." goes once %s', async (_what, next) => {
    const api = fakeApi({ participant: { ...participantSession, team: 'comms' } });
    api.playInfo.mockResolvedValue(commsInfo);
    const c = at('/play', api);
    await settle();
    const ws = FakeWS.last();
    ws.handshake();
    c.querySelector<HTMLButtonElement>('#pw-tab-messages')!.click();
    flushSync();
    button(c, 'Publish on Acme newsroom').click();
    flushSync();
    const composer = c.querySelector('.composer')!;
    type(composer.querySelector<HTMLInputElement>('input[type="text"]')!, 'Holding');
    type(composer.querySelector('textarea')!, 'We are aware.');
    button(composer, 'Save and ask for approval').click();
    flushSync();
    const d = ws.sentMessages().find((m) => m.type === 'draft')!;
    ws.frame({ type: 'ack', id: d.id, draft: 'd1', version: 1 });
    await settle();
    const req = ws.sentMessages().find((m) => m.type === 'request_approval')!;
    ws.frame({ type: 'ack', id: req.id });
    ws.frame(wire.event(2, 'draft_saved', saved));
    ws.frame(wire.event(3, 'approval_requested', { ...saved, approver: 'legal' }));
    await settle();
    expect(c.querySelector('.msgs .notice')?.textContent).toBe('Approval requested.');

    ws.frame(next);
    await settle();
    expect(c.querySelector('.msgs .notice')).toBeNull();
  });
});

describe('the approver', () => {
  it.each([
    ['Return with changes', 'draft_rejected', 'Returned to Communications with your comment.'],
    ['Approve version 1', 'draft_approved', 'Approved: Communications can publish it now.'],
  ])('is told what "%s" did once the card leaves the list', async (press, kind, said) => {
    const api = fakeApi({ participant: { ...participantSession, participant: 'p7', team: 'legal' } });
    api.playInfo.mockResolvedValue({ ...commsInfo, me: { id: 'p7', name: 'Lee', team: 'legal', lead: false }, team: { id: 'legal', name: 'Legal', brief: '' }, world: { outlets: [], personas: [], lines: ['comms'], replies: [] } });
    const c = at('/play', api);
    await settle();
    const ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    ws.frame(wire.event(3, 'approval_requested', { ...saved, approver: 'legal' }));
    ws.frame(wire.live(3));
    await settle();
    c.querySelector<HTMLButtonElement>('#pw-tab-messages')!.click();
    flushSync();
    const card = c.querySelector('[data-draft="d1"]')!;
    button(card, 'Review for approval').click();
    flushSync();
    type(card.querySelector('textarea')!, 'Say more');
    button(card, press).click();
    flushSync();
    const sent = ws.sentMessages().find((m) => m.type === (kind === 'draft_rejected' ? 'reject' : 'approve'))!;
    ws.frame({ type: 'ack', id: sent.id });
    ws.frame(wire.event(4, kind, { draft: 'd1', version: 1, team: 'comms', participant: 'p7', comment: 'Say more' }));
    await settle();
    expect(c.querySelector('[data-draft="d1"]')).toBeNull();
    expect(c.querySelector('.msgs .notice')?.textContent).toBe(said);
  });
});

describe('a draft card', () => {
  it.each([
    ['draft_rejected', 'version 1 · last edited by you · returned by Legal'],
    ['draft_approved', 'version 1 · last edited by you · approved by Legal'],
  ])('names who decided (%s) by the approving team when the person is not in the roster', async (kind, meta) => {
    const api = fakeApi({ participant: { ...participantSession, team: 'comms' } });
    api.playInfo.mockResolvedValue(commsInfo);
    const c = at('/play', api);
    await settle();
    const ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    ws.frame(wire.event(2, 'draft_saved', saved));
    ws.frame(wire.event(3, 'approval_requested', { ...saved, approver: 'legal' }));
    ws.frame(wire.event(4, kind, { draft: 'd1', version: 1, team: 'comms', participant: 'p7', comment: 'Say more' }));
    ws.frame(wire.live(4));
    await settle();
    c.querySelector<HTMLButtonElement>('#pw-tab-messages')!.click();
    flushSync();
    expect(c.querySelector('[data-draft="d1"] .meta')?.textContent?.trim()).toBe(meta);
  });
});

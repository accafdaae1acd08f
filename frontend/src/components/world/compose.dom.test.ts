// @vitest-environment jsdom
// The composer on the participant page: a draft shared in the team, asking
// Legal to approve, Legal approving, publishing; replying to an email from
// its card; the Markdown preview; unsaved text kept across a reload.
import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import type { PlayInfo, WorldInfo } from '../../lib/api';
import { FakeWS } from '../../test/fakews';
import { fakeApi, participantSession, playInfo, wire } from '../../test/fakeapi';
import { appPage } from '../../test/app';
import { dangers } from '../../test/render';

const { at, settle } = appPage({ preload: true, rounds: 6 });

const world: WorldInfo = {
  outlets: [{ id: 'newsroom', name: 'Acme newsroom', channel: 'news', platform: '', approval: 'legal', teams: ['comms'] }],
  personas: [{ id: 'reporter', name: 'Dana Reyes', via: 'email' }],
  lines: ['legal'],
  replies: ['reporter_email'],
};

const commsInfo: PlayInfo = {
  ...playInfo,
  me: { id: 'p1', name: 'Alice', team: 'comms', lead: false },
  team: { id: 'comms', name: 'Communications', brief: '' },
  teams: [
    { id: 'comms', name: 'Communications' },
    { id: 'legal', name: 'Legal' },
  ],
  world,
};

function commsApi() {
  const api = fakeApi({ participant: { ...participantSession, team: 'comms' } });
  api.playInfo.mockResolvedValue(commsInfo);
  return api;
}

const button = (root: ParentNode, text: string) => Array.from(root.querySelectorAll<HTMLButtonElement>('button')).find((b) => b.textContent?.trim() === text)!;
const type = (el: HTMLInputElement | HTMLTextAreaElement, v: string) => {
  el.value = v;
  el.dispatchEvent(new Event('input'));
  flushSync();
};

describe('composer', () => {
  it('saves a shared draft, asks Legal to approve, and publishes once approved', async () => {
    const c = at('/play', commsApi());
    await settle();
    const ws = FakeWS.last();
    ws.handshake();
    c.querySelector<HTMLButtonElement>('#pw-tab-messages')!.click();
    flushSync();
    button(c, 'Publish on Acme newsroom').click();
    flushSync();
    const composer = c.querySelector('.composer')!;
    expect(composer.querySelector('h3')?.textContent).toBe('Publish on Acme newsroom');
    expect(composer.textContent).toContain('Needs approval by Legal');
    expect(button(composer, 'Publish')).toBeUndefined(); // not before approval
    type(composer.querySelector<HTMLInputElement>('input[type="text"]')!, 'Holding statement');
    type(composer.querySelector('textarea')!, 'We are **aware**. <script>alert(1)</script>');

    // The preview goes through the sanitising Markdown pipeline.
    button(composer, 'Preview').click();
    flushSync();
    const preview = composer.querySelector('[aria-label="Preview"]')!;
    expect(preview.querySelector('strong')?.textContent).toBe('aware');
    expect(dangers(preview)).toEqual([]);
    button(composer, 'Edit').click();
    flushSync();

    button(composer, 'Save and ask for approval').click();
    flushSync();
    const d = ws.sentMessages().find((m) => m.type === 'draft')!;
    expect(d).toMatchObject({ action: 'publish', outlet: 'newsroom', title: 'Holding statement', body: 'We are **aware**. <script>alert(1)</script>' });
    expect(d.draft).toBeUndefined();
    ws.frame({ type: 'ack', id: d.id, draft: 'd1', version: 1 });
    await settle();
    const req = ws.sentMessages().find((m) => m.type === 'request_approval')!;
    expect(req).toMatchObject({ draft: 'd1' });
    ws.frame({ type: 'ack', id: req.id });
    ws.frame(wire.event(2, 'draft_saved', { draft: 'd1', version: 1, action: 'publish', team: 'comms', participant: 'p1', outlet: 'newsroom', title: 'Holding statement', body: 'We are **aware**.' }));
    ws.frame(wire.event(3, 'approval_requested', { draft: 'd1', version: 1, team: 'comms', participant: 'p1', approver: 'legal', title: 'Holding statement', body: 'We are **aware**.', outlet: 'newsroom' }));
    await settle();
    expect(c.querySelector('.composer')).toBeNull();
    const card = c.querySelector('[data-draft="d1"]')!;
    expect(card.getAttribute('data-status')).toBe('requested');
    expect(card.textContent).toContain('Waiting for approval');
    expect(button(card, 'Publish')).toBeUndefined();

    ws.frame(wire.event(4, 'draft_approved', { draft: 'd1', version: 1, team: 'comms', participant: 'p7', comment: 'Fine' }));
    await settle();
    expect(card.textContent).toContain('Approved');
    expect(card.textContent).toContain('“Fine”');
    button(card, 'Publish').click();
    flushSync();
    const send = ws.sentMessages().find((m) => m.type === 'send')!;
    expect(send).toMatchObject({ action: 'publish', outlet: 'newsroom', draft: 'd1' });
    expect(send.body).toBeUndefined();
    ws.frame({ type: 'ack', id: send.id, seq: 5 });
    ws.frame(wire.event(5, 'message_sent', { message: send.id, draft: 'd1', action: 'publish', team: 'comms', participant: 'p1', outlet: 'newsroom', outlet_name: 'Acme newsroom', channel: 'news', title: 'Holding statement', body: 'We are **aware**.', drafted_by: 'p1', approved_by: 'p7', audience: ['*'] }, 5));
    await settle();
    expect(c.querySelector('[data-draft="d1"]')).toBeNull();
    expect(c.querySelector('ol.feed[aria-label="Feed"] .byline')?.textContent).toContain('Published by your team on Acme newsroom · drafted by you · approved');
  });

  it('lets the approver team review a request, and approves that version', async () => {
    const api = fakeApi({ participant: { ...participantSession, participant: 'p7', team: 'legal' } });
    api.playInfo.mockResolvedValue({ ...commsInfo, me: { id: 'p7', name: 'Lee', team: 'legal', lead: false }, team: { id: 'legal', name: 'Legal', brief: '' }, world: { outlets: [], personas: [], lines: ['comms'], replies: [] } });
    const c = at('/play', api);
    await settle();
    const ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    ws.frame(wire.event(3, 'approval_requested', { draft: 'd1', version: 2, team: 'comms', participant: 'p1', approver: 'legal', title: 'Holding statement', body: 'We are aware.', outlet: 'newsroom' }));
    ws.frame(wire.live(3));
    await settle();
    expect(c.querySelector<HTMLButtonElement>('#pw-tab-messages')!.querySelector('.badge')?.textContent).toBe('1');
    c.querySelector<HTMLButtonElement>('#pw-tab-messages')!.click();
    flushSync();
    const card = c.querySelector('[data-draft="d1"]')!;
    expect(card.textContent).toContain('From Communications');
    expect(button(card, 'Edit')).toBeUndefined(); // not theirs to edit
    button(card, 'Review for approval').click();
    flushSync();
    type(card.querySelector('textarea')!, 'OK to publish');
    button(card, 'Approve version 2').click();
    flushSync();
    expect(ws.sentMessages().find((m) => m.type === 'approve')).toMatchObject({ draft: 'd1', version: 2, comment: 'OK to publish' });
  });

  it('replies to an email from its card, and keeps unsaved text across a reload', async () => {
    let c = at('/play', commsApi());
    await settle();
    let ws = FakeWS.last();
    ws.open();
    ws.frame(wire.hello());
    ws.frame(wire.event(1, 'inject_delivered', { inject: 'reporter_email', channel: 'email', title: 'Comment?', body: 'Any comment?', persona: 'reporter', persona_name: 'Dana Reyes', audience: ['comms'] }));
    ws.frame(wire.event(2, 'inject_delivered', { inject: 'other', channel: 'email', title: 'FYI', body: 'No reply wanted', persona_name: 'Bot', audience: ['comms'] }));
    ws.frame(wire.live(2));
    await settle();
    const replies = Array.from(c.querySelectorAll('ol.feed .reply'));
    expect(replies).toHaveLength(1);
    expect(replies[0].textContent).toBe('Reply to Comment?');
    (replies[0] as HTMLButtonElement).click();
    flushSync();
    expect(c.querySelector('#pw-panel-messages')?.hasAttribute('hidden')).toBe(false);
    expect(c.querySelector('.composer h3')?.textContent).toBe('Reply to Comment?');
    type(c.querySelector<HTMLTextAreaElement>('.composer textarea')!, 'Half-written answer');

    // Reload: the page comes back with the text.
    c = at('/play', commsApi());
    await settle();
    ws = FakeWS.last();
    ws.handshake();
    c.querySelector<HTMLButtonElement>('#pw-tab-messages')!.click();
    flushSync();
    expect(c.querySelector<HTMLTextAreaElement>('.composer textarea')?.value).toBe('Half-written answer');
    button(c.querySelector('.composer')!, 'Send').click();
    flushSync();
    expect(ws.sentMessages().find((m) => m.type === 'send')).toMatchObject({ action: 'reply', inject: 'reporter_email', thread: 'reporter_email', body: 'Half-written answer' });
  });

  it('shows a refusal and keeps the text', async () => {
    const c = at('/play', commsApi());
    await settle();
    const ws = FakeWS.last();
    ws.handshake();
    c.querySelector<HTMLButtonElement>('#pw-tab-messages')!.click();
    flushSync();
    button(c, 'Message Dana Reyes').click();
    flushSync();
    type(c.querySelector<HTMLTextAreaElement>('.composer textarea')!, 'Hello Dana');
    button(c.querySelector('.composer')!, 'Send').click();
    flushSync();
    const send = ws.sentMessages().find((m) => m.type === 'send')!;
    expect(send).toMatchObject({ action: 'compose', persona: 'reporter', body: 'Hello Dana' });
    ws.frame({ type: 'error', id: send.id, code: 'not_allowed', message: 'Your team cannot write to this persona.' });
    await settle();
    expect(c.querySelector('.composer [role="alert"]')?.textContent).toBe('Your team cannot write to this persona.');
    expect(c.querySelector<HTMLTextAreaElement>('.composer textarea')?.value).toBe('Hello Dana');
  });
});

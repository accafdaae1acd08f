// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { adaptEvent, senderAddress } from '../../lib/events';
import { render, type Rendered } from '../../test/render';
import InjectCard from './InjectCard.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

// The log payload of an email from the reporter persona, as sim writes it.
const payload = {
  kind: 'inject_delivered',
  at: 480e9,
  inject: 'bh_reporter_email',
  channel: 'email',
  title: 'Request for comment',
  body: 'Are your accounts hijacked?',
  to: 'press@brightloop.example',
  persona: 'reporter',
  persona_name: 'Jordan Pike',
  persona_handle: '@jpike_bytewatch',
  persona_org: 'ByteWatch News',
  persona_avatar: 'JP',
  persona_email: 'jpike@bytewatch.example',
  audience: ['comms'],
};

describe('email sender', () => {
  it('shows the persona address, never the social handle', () => {
    const ev = adaptEvent({ type: 'event', seq: 7, kind: 'inject_delivered', at: 480e9, payload });
    expect(ev?.inject?.from?.email).toBe('jpike@bytewatch.example');
    r = render(InjectCard, { inject: ev!.inject!, storyTime: '' });
    const from = r.container.querySelector('.mail .headers dd')?.textContent ?? '';
    expect(from).toContain('Jordan Pike <jpike@bytewatch.example>');
    expect(from).not.toContain('@jpike_bytewatch');
  });

  it.each([
    [{ name: 'A', handle: '@a_b', avatar: 'A', org: '', email: 'a@x.example' }, 'a@x.example'],
    [{ name: 'A', handle: '@a_b', avatar: 'A', org: '' }, ''],
    [{ name: 'Reg', handle: 'r@x.example', avatar: 'R', org: '' }, 'r@x.example'],
    [null, ''],
  ])('senderAddress(%j) = %j', (p, want) => expect(senderAddress(p)).toBe(want));
});

import { describe, expect, it } from 'vitest';
import { previewOf, senderOf, type AdHocDraft } from './adhoc';

const personas = [{ id: 'ciso', name: 'Dana Reyes', handle: '@dana', org: 'Acme', avatar: 'DR', role: 'The CISO.' }];
const draft: AdHocDraft = { channel: 'chat', teams: ['soc'], persona: 'ciso', fromName: '', title: ' Hi ', body: 'Call me.' };

describe('ad-hoc inject draft', () => {
  it.each([
    ['a persona', draft, 'ciso', { name: 'Dana Reyes', handle: '@dana', avatar: 'DR', org: 'Acme' }],
    ['a typed name', { ...draft, persona: '', fromName: ' night desk ' }, 'night desk', { name: 'night desk', handle: '', avatar: 'N', org: '' }],
    ['nobody', { ...draft, persona: '' }, '', null],
  ])('from %s', (_n, d, sender, from) => {
    expect(senderOf(d)).toBe(sender);
    expect(previewOf(d, personas).from).toEqual(from);
  });

  it('previews the card the teams get, never the role', () => {
    const v = previewOf(draft, personas);
    expect(v).toMatchObject({ channel: 'chat', title: 'Hi', body: 'Call me.', teams: ['soc'] });
    expect(JSON.stringify(v)).not.toContain('The CISO.');
    expect(previewOf({ ...draft, channel: 'bogus' }, personas).channel).toBe('sitrep');
  });
});

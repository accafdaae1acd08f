import { describe, expect, it } from 'vitest';
import { normaliseCode, validateJoin } from './join';
import { avatarTone, levelLabel, priorityTone, statusTone } from './levels';
import { defaultPrefs, loadPrefs, savePrefs } from './prefs';

describe('levels', () => {
  it.each([
    ['Investigating', 'investigating'],
    ['IDENTIFIED', 'identified'],
    ['monitoring', 'monitoring'],
    ['resolved', 'resolved'],
    ['Major outage', 'major'],
    ['major-outage', 'major'],
    ['partial_outage', 'partial'],
    ['Degraded performance', 'partial'],
    ['', 'neutral'],
    ['scheduled maintenance', 'neutral'],
  ])('status %j → %s', (level, tone) => expect(statusTone(level)).toBe(tone));

  it.each([
    ['P1', 'crit'],
    ['p0', 'crit'],
    ['Sev 1', 'crit'],
    ['critical', 'crit'],
    ['P2', 'warn'],
    ['high', 'warn'],
    ['p3', 'info'],
    ['medium', 'info'],
    ['low', 'neutral'],
    ['P4', 'neutral'],
  ])('priority %j → %s', (level, tone) => expect(priorityTone(level)).toBe(tone));

  it('labels and avatar tones', () => {
    expect(levelLabel(' major outage ')).toBe('Major outage');
    expect(levelLabel('')).toBe('');
    expect(avatarTone('Dana')).toBe(avatarTone('Dana'));
    const tones = new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'].map(avatarTone));
    expect(tones.size).toBeGreaterThan(3);
    for (const t of tones) expect(t >= 0 && t < 6).toBe(true);
  });
});

describe('join form', () => {
  it('normalises codes as people type them', () => {
    expect(normaliseCode(' ab-12 cd ')).toBe('AB12CD');
  });

  it.each([
    [{ code: 'AB12', name: 'Sam', team: 'comms' }, {}],
    [{ code: '', name: '', team: '' }, { code: 'Enter the code shown by the facilitator.', name: 'Enter the name your team will see.', team: 'Pick your team.' }],
    [{ code: 'AB!', name: '   ', team: 't' }, { code: 'A code is 4 to 12 letters or digits.', name: 'Enter the name your team will see.' }],
    [{ code: 'abcd-efgh', name: 'x'.repeat(41), team: 't' }, { name: 'Use at most 40 characters.' }],
    [{ code: 'abcd', name: '😀'.repeat(40), team: 't' }, {}],
  ])('%j', (form, want) => expect(validateJoin(form)).toEqual(want));
});

class MemStorage {
  data = new Map<string, string>();
  failWrites = false;
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    if (this.failWrites) throw new Error('QuotaExceededError');
    this.data.set(k, v);
  }
}

describe('prefs', () => {
  it('default to off and survive a round trip', () => {
    const s = new MemStorage() as unknown as Storage;
    expect(loadPrefs(s)).toEqual(defaultPrefs);
    expect(loadPrefs(null)).toEqual({ sound: false, vibrate: false, largeText: false });
    savePrefs(s, { sound: true, vibrate: false, largeText: true });
    expect(loadPrefs(s)).toEqual({ sound: true, vibrate: false, largeText: true });
  });

  it('ignore junk and failing storage', () => {
    const m = new MemStorage();
    const s = m as unknown as Storage;
    m.data.set('ttx.prefs', '{not json');
    expect(loadPrefs(s)).toEqual(defaultPrefs);
    m.data.set('ttx.prefs', '{"sound":"yes","vibrate":1,"largeText":true}');
    expect(loadPrefs(s)).toEqual({ sound: false, vibrate: false, largeText: true });
    m.failWrites = true;
    expect(() => savePrefs(s, defaultPrefs)).not.toThrow();
  });
});

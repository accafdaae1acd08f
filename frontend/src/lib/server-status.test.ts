import { describe, expect, it } from 'vitest';
import { applyServerFrame, diskBanner, serverFine } from './server-status';

describe('server status on the facilitator socket', () => {
  const full = { type: 'status', disk: 'full', since: '2026-03-01T09:14:02Z', message: 'the server’s disk is full' };
  it.each([
    ['a full disk', serverFine, full, { diskFull: true, since: '2026-03-01T09:14:02Z' }],
    ['full without a time', serverFine, { type: 'status', disk: 'full' }, { diskFull: true, since: '' }],
    ['room again', { diskFull: true, since: 'x' }, { type: 'status', disk: 'ok', message: 'room' }, serverFine],
    ['a new connection', { diskFull: true, since: 'x' }, { type: 'hello', role: 'facilitator' }, serverFine],
    ['an unknown disk state', { diskFull: true, since: 'x' }, { type: 'status', disk: 'melting' }, { diskFull: true, since: 'x' }],
    ['another frame', { diskFull: true, since: 'x' }, { type: 'presence', teams: {} }, { diskFull: true, since: 'x' }],
    ['junk', serverFine, null, serverFine],
  ])('%s', (_n, before, frame, want) => {
    expect(applyServerFrame(before, frame)).toEqual(want);
  });

  it('says what it means while full, and nothing otherwise', () => {
    expect(diskBanner(serverFine)).toBe('');
    const text = diskBanner({ diskFull: true, since: '' });
    expect(text).toMatch(/^The server's disk is full: nothing new can be saved/);
    expect(text).toContain('Nothing saved so far is lost');
    expect(diskBanner({ diskFull: true, since: '2026-03-01T09:14:02Z' })).toMatch(/^The server's disk is full \(since \d\d:\d\d\): /);
    expect(diskBanner({ diskFull: true, since: 'not a time' })).toMatch(/^The server's disk is full: /);
  });
});

import { describe, expect, it } from 'vitest';
import { connBadge, type ConnState, type ExercisePhase } from './conn-label';

describe('connBadge', () => {
  it.each([
    ['live', 'lobby', 'Connected · not started', 'connected'],
    ['live', 'running', 'Live', 'live'],
    ['live', 'paused', 'Connected · paused', 'connected'],
    ['live', 'ended', 'Connected · ended', 'connected'],
    ['live', '', 'Connected', 'connected'],
    ['connecting', 'lobby', 'Connecting…', 'connecting'],
    ['connecting', 'running', 'Connecting…', 'connecting'],
    ['reconnecting', 'running', 'Reconnecting…', 'reconnecting'],
    ['closed', 'lobby', 'Disconnected', 'closed'],
    ['idle', 'running', '', 'connecting'],
  ] as [ConnState, ExercisePhase, string, string][])('%s in %j says %j', (conn, phase, text, tone) => {
    expect(connBadge(conn, phase)).toEqual({ text, tone });
  });

  it('says Live only while the exercise runs', () => {
    const phases: ExercisePhase[] = ['lobby', 'running', 'paused', 'ended', ''];
    const states: ConnState[] = ['idle', 'connecting', 'live', 'reconnecting', 'closed'];
    for (const c of states) for (const p of phases) expect(connBadge(c, p).text === 'Live').toBe(c === 'live' && p === 'running');
  });
});

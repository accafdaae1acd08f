// An observer citing a chat line reads the room's name ("Comms (team
// room)", "Comms ↔ facilitator"), not its wire id ("team:comms").
import { describe, expect, it } from 'vitest';
import { evidenceOf } from './evaluation';

const frame = (seq: number, kind: string, payload: Record<string, unknown>) => ({ type: 'event', seq, kind, at: seq * 1e9, wall_time: '2026-12-06T12:00:00Z', payload, audience: [] });

describe('a chat line as evidence', () => {
  it.each([
    ['team:comms', 'Chat in Comms (team room) — Bob: on it'],
    ['control:comms', 'Chat in Comms ↔ facilitator — Bob: on it'],
    ['line:comms:legal', 'Chat in Comms ↔ Legal — Bob: on it'],
  ])('names room %s for people', (room, label) => {
    const names = { team: (t: string) => ({ comms: 'Comms', legal: 'Legal' })[t] ?? t };
    expect(evidenceOf(frame(26, 'chat_posted', { room, name: 'Bob', body: 'on it' }), names)?.label).toBe(label);
  });
});

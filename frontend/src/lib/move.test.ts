import { describe, expect, it } from 'vitest';
import { moveQuestion, moveTargets } from './move';

const teams = [
  { id: 'soc', name: 'SOC' },
  { id: 'comms', name: 'Communications' },
  { id: 'legal', name: 'Legal' },
];

describe('moving a participant', () => {
  it('offers every other team, never the facilitator', () => {
    expect(moveTargets([...teams, { id: 'facilitator', name: 'Facilitator' }], 'comms').map((t) => t.id)).toEqual(['soc', 'legal']);
    expect(moveTargets(teams, 'nowhere')).toHaveLength(3);
  });

  const base = 'Move Mo from SOC to Legal? Their screen switches at once; answers they gave for SOC stay.';
  it.each([
    [{ name: 'Mo', from: 'SOC', to: 'Legal', lead: false, alone: false }, base],
    [{ name: 'Mo', from: 'SOC', to: 'Legal', lead: false, alone: true }, base],
    [{ name: 'Mo', from: 'SOC', to: 'Legal', lead: true, alone: false }, `${base} SOC’s lead passes to the teammate who joined earliest.`],
    [{ name: 'Mo', from: 'SOC', to: 'Legal', lead: true, alone: true }, `${base} SOC is left without a lead.`],
    [{ name: '', from: 'SOC', to: 'Legal', lead: false, alone: true }, base.replace('Move Mo', 'Move this participant')],
  ])('asks before moving (%o)', (o, want) => {
    expect(moveQuestion(o)).toBe(want);
  });
});

import { describe, expect, it } from 'vitest';
import { receiptGroups } from './receipt-groups';
import type { Receipt } from './world';

const rc = (participant: string, team: string, inject: string, injectSeq: number, received: number | null, opened: number | null): Receipt => ({
  participant,
  team,
  inject,
  injectSeq,
  receivedNs: received,
  openedNs: opened,
  receivedWall: '',
  openedWall: '',
});

const of = (...rs: Receipt[]) => Object.fromEntries(rs.map((r) => [`${r.participant}|${r.inject}`, r]));

describe('receiptGroups', () => {
  const cases: {
    name: string;
    receipts: Record<string, Receipt>;
    members?: Record<string, number>;
    want: { inject: string; teams: [string, number, number, boolean][]; opened: number; expected: number; done: boolean }[];
  }[] = [
    { name: 'nothing yet', receipts: {}, want: [] },
    {
      name: 'one inject to three teams is one group with a team each',
      receipts: of(rc('a1', 'comms', 'social', 4, 1, 2), rc('b1', 'soc', 'social', 4, 1, null), rc('c1', 'legal', 'social', 4, 1, 3), rc('c2', 'legal', 'social', 4, 2, null)),
      members: { comms: 1, soc: 2, legal: 2 },
      want: [
        {
          inject: 'social',
          teams: [
            ['comms', 1, 1, true],
            ['legal', 2, 1, false],
            ['soc', 1, 0, false],
          ],
          opened: 2,
          expected: 5,
          done: false,
        },
      ],
    },
    {
      name: 'newest inject first; fully opened ones are done',
      receipts: of(rc('a1', 'comms', 'first', 4, 1, 2), rc('a1', 'comms', 'second', 9, 5, null)),
      members: { comms: 1 },
      want: [
        { inject: 'second', teams: [['comms', 1, 0, false]], opened: 0, expected: 1, done: false },
        { inject: 'first', teams: [['comms', 1, 1, true]], opened: 1, expected: 1, done: true },
      ],
    },
    {
      name: 'members not known: everyone who received it must open it',
      receipts: of(rc('a1', 'comms', 'x', 4, 1, 2), rc('a2', 'comms', 'x', 4, 1, null)),
      want: [{ inject: 'x', teams: [['comms', 2, 1, false]], opened: 1, expected: 2, done: false }],
    },
    {
      name: 'a member who left since still counts as having opened it',
      receipts: of(rc('a1', 'comms', 'x', 4, 1, 2), rc('a2', 'comms', 'x', 4, 1, 3)),
      members: { comms: 1 },
      want: [{ inject: 'x', teams: [['comms', 2, 2, true]], opened: 2, expected: 2, done: true }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = receiptGroups(c.receipts, c.members).map((g) => ({
        inject: g.inject,
        teams: g.teams.map((t) => [t.team, t.received.length, t.opened.length, t.done]),
        opened: g.opened,
        expected: g.expected,
        done: g.done,
      }));
      expect(got).toEqual(c.want);
    });
  }
});

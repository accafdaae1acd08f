// @vitest-environment jsdom
// The one improvement-plan table: the console's editor shows versions and
// Edit/Delete per action; the report's AAR/IP the same columns, read-only.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import PlanTable from './PlanTable.svelte';
import { adaptEvaluation } from '../../lib/evaluation';
import { render, type Rendered } from '../../test/render';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

const ev = adaptEvaluation({
  objectives: [{ id: 'comms', title: 'Keep customers informed' }],
  teams: [],
  plan: [
    { id: 'ca1', version: 2, objective: 'comms', capability: 'Public Information and Warning', issue: 'Approval took long', action: 'Pre-approve holding statements', owner: 'Comms', due: '2027-01-31' },
  ],
});

const heads = (c: HTMLElement) => [...c.querySelectorAll('th')].map((th) => th.textContent);
const cells = (c: HTMLElement) => [...c.querySelectorAll('tr[data-action="ca1"] td[data-label]')].map((td) => `${td.getAttribute('data-label')}=${td.textContent}`);

describe('plan table', () => {
  it('is read-only for the report: no versions, no buttons, — for what is missing', () => {
    r = render(PlanTable, { ev });
    const c = r.container;
    expect(heads(c)).toEqual(['Capability', 'Issue', 'Corrective action', 'Element', 'Responsible', 'Contact', 'Start', 'Due']);
    expect(cells(c)).toEqual([
      'Capability=Public Information and WarningKeep customers informed',
      'Issue=Approval took long',
      'Corrective action=Pre-approve holding statements',
      'Element=—',
      'Responsible=Comms',
      'Contact=—',
      'Start=—',
      'Due=2027-01-31',
    ]);
    expect(c.querySelector('button')).toBeNull();
  });

  it('shows versions and Edit/Delete in the editor', () => {
    const onedit = vi.fn();
    const onremove = vi.fn();
    r = render(PlanTable, { ev, versions: true, onedit, onremove, confirming: '' });
    const c = r.container;
    expect(heads(c).slice(-2)).toEqual(['Version', 'Change']);
    expect(c.querySelector('td[data-label="Version"]')!.textContent).toBe('v2');
    const [edit, del] = [...c.querySelectorAll<HTMLButtonElement>('tr[data-action="ca1"] button')];
    expect([edit.getAttribute('aria-label'), del.getAttribute('aria-label')]).toEqual(['Edit: Pre-approve holding statements', 'Delete: Pre-approve holding statements']);
    edit.click();
    del.click();
    flushSync();
    expect(onedit).toHaveBeenCalledWith(ev.plan[0]);
    expect(onremove).toHaveBeenCalledWith(ev.plan[0]);
  });
});

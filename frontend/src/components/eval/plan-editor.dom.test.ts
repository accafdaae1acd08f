// @vitest-environment jsdom
// The improvement plan's "New corrective action" form stays folded behind
// a button: the button opens it with focus on its first field, Cancel or
// Escape folds it back (focus returns to the button), a save folds it and
// says so; a row's Edit opens it with that action.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, tick } from 'svelte';
import PlanEditor from './PlanEditor.svelte';
import { adaptEvaluation } from '../../lib/evaluation';
import { render, type Rendered } from '../../test/render';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

const ev = adaptEvaluation({
  objectives: [{ id: 'entry', title: 'Find and close the way in', capability: 'Cybersecurity' }],
  teams: [],
  plan: [{ id: 'ca-1', version: 2, objective: 'entry', capability: 'Cybersecurity', issue: 'Grant found late', action: 'Review grants', owner: 'SecOps' }],
});

function typeInto(el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, v: string) {
  el.value = v;
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
}

const settle = async () => {
  flushSync();
  await tick();
  await tick();
};

const mount = (onsave = vi.fn(async (_body: Record<string, unknown>) => undefined)) => {
  r = render(PlanEditor, { ev, onsave });
  const c = r.container;
  const newBtn = () => c.querySelector<HTMLButtonElement>('button[data-new-action]');
  const button = (text: string) => [...c.querySelectorAll('button')].find((b) => b.textContent?.trim() === text);
  return { c, onsave, newBtn, button, form: () => c.querySelector('form') };
};

describe('plan editor', () => {
  it('keeps the form folded until New corrective action, focuses its first field, and folds back on Cancel or Escape', async () => {
    const { c, newBtn, button, form } = mount();
    expect(form()).toBeNull();
    expect(newBtn()!.textContent).toBe('New corrective action');
    expect(c.querySelector('tr[data-action="ca-1"]')).not.toBeNull();

    newBtn()!.click();
    await settle();
    expect(form()).not.toBeNull();
    expect(newBtn()).toBeNull();
    expect(document.activeElement).toBe(form()!.querySelector('select[name="objective"]'));
    expect(form()!.getAttribute('aria-labelledby')).toBeTruthy();
    expect(document.getElementById(form()!.getAttribute('aria-labelledby')!)!.textContent).toBe('New corrective action');

    typeInto(form()!.querySelector<HTMLInputElement>('input[name="issue"]')!, 'Draft');
    button('Cancel')!.click();
    await settle();
    expect(form()).toBeNull();
    expect(document.activeElement).toBe(newBtn());

    // Cancel starts the next one afresh; Escape folds it too.
    newBtn()!.click();
    await settle();
    expect(form()!.querySelector<HTMLInputElement>('input[name="issue"]')!.value).toBe('');
    form()!.querySelector('input[name="issue"]')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await settle();
    expect(form()).toBeNull();
    expect(document.activeElement).toBe(newBtn());
  });

  it('folds the form after Add to the plan and says so; keeps it open with the problems when invalid', async () => {
    const { c, onsave, newBtn, button, form } = mount();
    newBtn()!.click();
    await settle();
    button('Add to the plan')!.click();
    await settle();
    expect(onsave).not.toHaveBeenCalled();
    expect(form()!.textContent).toContain('Say what needs improving');

    typeInto(form()!.querySelector<HTMLSelectElement>('select[name="objective"]')!, 'entry');
    typeInto(form()!.querySelector<HTMLInputElement>('input[name="issue"]')!, 'Approval took long');
    typeInto(form()!.querySelector<HTMLTextAreaElement>('textarea[name="action"]')!, 'Pre-approve statements');
    typeInto(form()!.querySelector<HTMLInputElement>('input[name="owner"]')!, 'Comms');
    flushSync();
    button('Add to the plan')!.click();
    await vi.waitFor(() => expect(onsave).toHaveBeenCalledTimes(1));
    expect(onsave.mock.calls[0][0]).toMatchObject({ objective: 'entry', capability: 'Cybersecurity', issue: 'Approval took long', action: 'Pre-approve statements', owner: 'Comms' });
    await vi.waitFor(() => expect(form()).toBeNull());
    expect(c.querySelector('[role="status"]')!.textContent).toBe('Corrective action added to the plan.');
    expect(document.activeElement).toBe(newBtn());
  });

  it('opens the form with the action a row’s Edit names, and Cancel the change folds it', async () => {
    const { c, newBtn, button, form } = mount();
    c.querySelector<HTMLElement>('tr[data-action="ca-1"]')!.querySelector<HTMLButtonElement>('button')!.click();
    await settle();
    expect(form()).not.toBeNull();
    expect(form()!.querySelector<HTMLInputElement>('input[name="issue"]')!.value).toBe('Grant found late');
    expect(form()!.textContent).toContain('Change the corrective action (next: version 3)');
    expect(document.activeElement).toBe(form()!.querySelector('select[name="objective"]'));
    button('Cancel the change')!.click();
    await settle();
    expect(form()).toBeNull();
    expect(document.activeElement).toBe(newBtn());
  });
});

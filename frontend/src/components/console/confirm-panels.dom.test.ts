// @vitest-environment jsdom
// Forcing a transition, replacing the join code and revoking an observer ask
// first in the page (ConfirmAction), never with the browser's confirm(),
// which the browser harness refuses and the rest of the console never uses.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { adaptScenario } from '../../lib/facilitator-scenario';
import type { ExerciseInfo, FacilitatorApi, ObserverInfo } from '../../lib/facilitator';
import brandHijack from '../../lib/testdata/brand-hijack.scenario.json';
import { render, type Rendered } from '../../test/render';
import ForcePanel from './ForcePanel.svelte';
import InvitePanel from './InvitePanel.svelte';

let r: Rendered | null = null;
const dialog = vi.fn(() => true);
beforeEach(() => {
  dialog.mockClear();
  vi.stubGlobal('confirm', dialog);
});
afterEach(() => {
  r?.destroy();
  r = null;
  vi.unstubAllGlobals();
});

const button = (root: Element, text: string) => [...root.querySelectorAll('button')].find((b) => b.textContent?.trim().startsWith(text));
const model = adaptScenario(brandHijack);

describe('Force a transition', { timeout: 20_000 }, () => {
  it('asks in place where the exercise goes, and moves only on the explicit yes', async () => {
    const onforce = vi.fn();
    r = render(ForcePanel, { model, current: 'hijack_begins', onforce });
    const c = r.container;
    expect(button(c, 'Force transition')!.disabled).toBe(true);
    const select = c.querySelector<HTMLSelectElement>('#force-state')!;
    select.value = 'contained';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    button(c, 'Force transition')!.click();
    flushSync();
    expect(c.querySelector('.confirm .q')?.textContent).toBe('Move the exercise to “Contained and accounted for” now? Open decisions of the current state close.');
    await vi.waitFor(() => expect(document.activeElement?.textContent).toBe('Move now'));
    button(c, 'Keep this state')!.click();
    flushSync();
    expect(onforce).not.toHaveBeenCalled();
    button(c, 'Force transition')!.click();
    flushSync();
    button(c, 'Move now')!.click();
    expect(onforce.mock.calls).toEqual([['contained']]);
    expect(dialog).not.toHaveBeenCalled();
  });
});

describe('Invite panel', { timeout: 20_000 }, () => {
  function fakeFac() {
    let observers: ObserverInfo[] = [{ id: 'o1', name: 'Olu', createdAt: '', revoked: false }];
    const fac = {
      observers: vi.fn(async () => observers),
      rotateJoinCode: vi.fn(async () => ({ code: 'NEWCODE2', display: 'NEWC-ODE2', url: '/join/NEWCODE2' })),
      revokeObserver: vi.fn(async (_id: string, o: string) => {
        observers = observers.map((x) => (x.id === o ? { ...x, revoked: true } : x));
      }),
      addObserver: vi.fn(),
    };
    return fac;
  }
  const exercise: ExerciseInfo = { id: 'ex1', title: 'Drill', status: 'running', outcome: '', params: {}, join: { code: 'OLDCODE2', display: 'OLDC-ODE2', url: '/join/OLDCODE2' }, createdAt: '', startedAt: '', endedAt: '', archived: false };

  it('replaces the join code and revokes an observer only after asking in place', async () => {
    const fac = fakeFac();
    r = render(InvitePanel, { fac: fac as unknown as FacilitatorApi, exercise, qrSize: 120 });
    const c = r.container;
    await vi.waitFor(() => expect(button(c, 'Revoke')).toBeTruthy());

    button(c, 'New code')!.click();
    flushSync();
    expect(c.querySelector('.joinbox .confirm .q')?.textContent).toBe('Replace the join code? People who already joined stay in; the old code stops working.');
    button(c, 'Keep this code')!.click();
    flushSync();
    expect(fac.rotateJoinCode).not.toHaveBeenCalled();
    button(c, 'New code')!.click();
    flushSync();
    button(c, 'Replace it')!.click();
    await vi.waitFor(() => expect(c.querySelector('.code')?.textContent).toBe('NEWC-ODE2'));
    expect(fac.rotateJoinCode.mock.calls).toEqual([['ex1']]);

    button(c, 'Revoke')!.click();
    flushSync();
    expect(c.querySelector('.observers .confirm .q')?.textContent).toBe("Revoke Olu's observer link? It stops working at once.");
    expect(fac.revokeObserver).not.toHaveBeenCalled();
    button(c, 'Revoke it')!.click();
    await vi.waitFor(() => expect(c.querySelector('.observers')?.textContent).toContain('revoked'));
    expect(fac.revokeObserver.mock.calls).toEqual([['ex1', 'o1']]);
    expect(dialog).not.toHaveBeenCalled();
  });
});

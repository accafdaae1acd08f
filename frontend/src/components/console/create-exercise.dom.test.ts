// @vitest-environment jsdom
// The create-exercise form gives typed parameters their inputs and shows
// what is wrong beside the field: its own checks, and the server's.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { ApiError, adaptEntry, type FacilitatorApi } from '../../lib/facilitator';
import { render, type Rendered } from '../../test/render';
import CreateExercise from './CreateExercise.svelte';

let r: Rendered | null = null;
afterEach(() => {
  r?.destroy();
  r = null;
});

const entry = adaptEntry({
  id: 'fraud',
  title: 'Fraud',
  parameters: [
    { id: 'limit', label: 'Loss limit', default: '500', type: 'number', min: 0 },
    { id: 'insured', label: 'Insured', default: 'no', type: 'bool' },
    { id: 'region', label: 'Region', default: 'EU', type: 'string', choices: ['EU', 'US'] },
    { id: 'ref', label: 'Case', default: 'IR-0001', type: 'string', pattern: 'IR-[0-9]{4}' },
  ],
});

function mount(create: FacilitatorApi['create']) {
  const oncreated = vi.fn();
  r = render(CreateExercise, { fac: { create } as FacilitatorApi, entry, oncancel: () => {}, oncreated });
  return oncreated;
}

const $ = <T extends Element>(sel: string) => r!.container.querySelector<T>(sel)!;
const submit = () => {
  $<HTMLFormElement>('form').requestSubmit();
  flushSync();
};
const set = (sel: string, v: string) => {
  const el = $<HTMLInputElement>(sel);
  el.value = v;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
};

describe('create exercise: typed parameters', () => {
  it('gives each type its input', () => {
    mount(vi.fn());
    expect($<HTMLInputElement>('#par-limit').type).toBe('number');
    expect($<HTMLInputElement>('#par-insured').type).toBe('checkbox');
    expect($<HTMLInputElement>('#par-insured').checked).toBe(false);
    expect($('#par-region').tagName).toBe('SELECT');
    expect($<HTMLInputElement>('#par-ref').type).toBe('text');
  });

  it('refuses a value beside its field without sending', () => {
    const create = vi.fn();
    mount(create);
    set('#par-ref', 'case 7');
    submit();
    expect(create).not.toHaveBeenCalled();
    expect($('#par-ref-e').textContent).toBe('Case does not match the pattern IR-[0-9]{4}');
    expect($('#par-ref').getAttribute('aria-invalid')).toBe('true');
  });

  it('sends typed values, yes/no as yes or no, and shows the server refusal at its field', async () => {
    const create = vi.fn().mockRejectedValue(new ApiError(400, 'bad_param', 'parameter "limit" is more than 1000', { details: { param: 'limit' } }));
    mount(create);
    set('#par-limit', '5000');
    $<HTMLInputElement>('#par-insured').click();
    flushSync();
    submit();
    await vi.waitFor(() => expect($('#par-limit-e')?.textContent).toBe('Loss limit is more than 1000'));
    expect(create).toHaveBeenCalledWith('fraud', { limit: '5000', insured: 'yes' }, 'Fraud');
    expect(r!.container.querySelector('p.error')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { adaptEntry, ApiError, type ParamInfo } from './facilitator';
import { checkParam, isYes, paramInput, paramOfError } from './param-form';

const p = (extra: Partial<ParamInfo>): ParamInfo => ({ id: 'x', label: 'X', default: '', description: '', type: 'string', ...extra });

describe('typed parameters in the create form', () => {
  it('reads the type and constraints from the library entry', () => {
    const e = adaptEntry({ parameters: [{ id: 'limit', label: 'Limit', default: '5', type: 'number', min: 0, max: 10 }, { id: 'co', default: 'Acme' }] });
    expect(e.params[0]).toMatchObject({ type: 'number', min: 0, max: 10, choices: [] });
    expect(e.params[1]).toMatchObject({ type: 'string', min: null, pattern: '' });
  });

  it.each([
    ['number', p({ type: 'number', min: 0 }), { kind: 'number', min: 0, max: null }],
    ['yes/no', p({ type: 'bool' }), { kind: 'checkbox' }],
    ['choices', p({ choices: ['EU', 'US'] }), { kind: 'select', options: ['EU', 'US'] }],
    ['text', p({ pattern: '[A-Z]+' }), { kind: 'text', pattern: '[A-Z]+' }],
  ])('gives a %s parameter its input', (_n, par, want) => {
    expect(paramInput(par)).toEqual(want);
  });

  it.each([
    [p({ type: 'number', min: 0, max: 100 }), '50', ''],
    [p({ type: 'number', min: 0, max: 100 }), 'lots', 'is not a number'],
    [p({ type: 'number', min: 0, max: 100 }), '', 'is not a number'],
    [p({ type: 'number', min: 0, max: 100 }), '-1', 'is less than 0'],
    [p({ type: 'number', min: 0, max: 100 }), '101', 'is more than 100'],
    [p({ type: 'number', choices: ['1', '2'] }), '2.0', ''],
    [p({ type: 'number', choices: ['1', '2'] }), '3', 'is not one of: 1, 2'],
    [p({ type: 'bool' }), 'yes', ''],
    [p({ type: 'bool' }), 'maybe', 'is not yes or no'],
    [p({ pattern: 'IR-[0-9]{4}' }), 'IR-0042', ''],
    [p({ pattern: 'IR-[0-9]{4}' }), 'IR-0042x', 'does not match the pattern IR-[0-9]{4}'],
    [p({ pattern: '(?P<n>x)' }), 'anything', ''], // Go syntax this browser cannot read: left to the server
    [p({ choices: ['EU', 'US'] }), 'APAC', 'is not one of: EU, US'],
  ])('checks %j with %s', (par, v, want) => {
    expect(checkParam(par, v)).toBe(want);
  });

  it('reads yes/no defaults and the parameter a refusal names', () => {
    expect([isYes('yes'), isYes('TRUE'), isYes('no')]).toEqual([true, true, false]);
    expect(paramOfError(new ApiError(400, 'bad_param', 'parameter "limit" is not a number', { details: { param: 'limit' } }))).toBe('limit');
    expect(paramOfError(new ApiError(400, 'invalid', 'x'))).toBe('');
  });
});

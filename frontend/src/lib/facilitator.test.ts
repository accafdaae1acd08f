import { describe, expect, it } from 'vitest';
import { adaptEntry, ApiError, commandBody, createFacilitatorApi, formatProblem, joinLink, safeNext } from './facilitator';
import { adaptScenario, paramValues, renderText, withParams } from './facilitator-scenario';

interface Call {
  url: string;
  init: RequestInit;
}

function fakeFetch(responses: Record<string, [number, unknown]>) {
  const calls: Call[] = [];
  const fn = async (url: string, init: RequestInit = {}) => {
    calls.push({ url, init });
    const key = `${init.method ?? 'GET'} ${url.split('?')[0]}`;
    const [status, body] = responses[key] ?? [404, { error: { code: 'not_found', message: 'route not found' } }];
    return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  };
  return { fn, calls };
}

describe('facilitator client', () => {
  it('sends same-origin JSON with the session cookie and adapts answers', async () => {
    const f = fakeFetch({
      'POST /api/auth/login': [200, { role: 'facilitator', name: 'admin', must_change_password: true }],
      'GET /api/scenarios': [200, { scenarios: [{ id: 'x', file: 'x.yaml', origin: 'shipped', valid: false, errors: [{ file: 'x.yaml', line: 3, col: 5, message: 'bad', hint: 'fix it' }] }] }],
    });
    const api = createFacilitatorApi(f.fn);
    const me = await api.login('admin', 'pw');
    expect(me).toEqual({ role: 'facilitator', name: 'admin', mustChangePassword: true });
    expect(f.calls[0].init.credentials).toBe('same-origin');
    expect(f.calls[0].init.method).toBe('POST');
    expect((f.calls[0].init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(JSON.parse(String(f.calls[0].init.body))).toEqual({ name: 'admin', password: 'pw' });
    const list = await api.scenarios();
    expect(list[0].problems.map(formatProblem)).toEqual(['x.yaml:3:5: bad — fix it']);
  });

  it('turns error bodies into ApiError with positioned details', async () => {
    const f = fakeFetch({
      'POST /api/scenarios/validate': [422, { error: { code: 'invalid_scenario', message: 'the scenario has errors', details: [{ file: 'up.yaml', line: 1, col: 1, message: 'm' }] } }],
    });
    const api = createFacilitatorApi(f.fn);
    const err = await api.validate('up.yaml', 'id: x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(422);
    expect((err as ApiError).code).toBe('invalid_scenario');
    expect(f.calls[0].url).toBe('/api/scenarios/validate?file=up.yaml');
    expect(f.calls[0].init.body).toBe('id: x');
  });

  it('posts commands to their REST routes with their fields only', async () => {
    const f = fakeFetch({ 'POST /api/exercises/e%201/close-decision': [200, { ok: true }], 'POST /api/exercises/e%201/end': [200, { ok: true }] });
    const api = createFacilitatorApi(f.fn);
    await api.command('e 1', { type: 'close-decision', decision: 'd1' });
    await api.command('e 1', { type: 'end', reason: '  ' });
    expect(JSON.parse(String(f.calls[0].init.body))).toEqual({ decision: 'd1' });
    expect(JSON.parse(String(f.calls[1].init.body))).toEqual({});
    expect(commandBody({ type: 'inject', inject: { channel: 'email', teams: [], from: ' ', title: 'T', body: 'B' } })).toEqual({ inject: { channel: 'email', body: 'B', title: 'T' } });
    expect(commandBody({ type: 'speed', speed: 5 })).toEqual({ speed: 5 });
  });
});

describe('small helpers', () => {
  it('only returns to same-origin app paths after sign-in', () => {
    expect(safeNext('/console/ex1')).toBe('/console/ex1');
    expect(safeNext('//evil.example/x')).toBe('/console');
    expect(safeNext('/\\evil.example')).toBe('/console');
    expect(safeNext('https://evil.example')).toBe('/console');
    expect(safeNext('/api/auth/logout')).toBe('/console');
    expect(safeNext(null)).toBe('/console');
  });

  it('prefers the server join link, else builds one on this origin', () => {
    expect(joinLink({ code: 'AB12', display: 'AB-12', url: 'https://ttx.example.org/join#AB12' }, 'http://localhost')).toBe('https://ttx.example.org/join#AB12');
    expect(joinLink({ code: 'AB12', display: 'AB-12', url: '' }, 'http://localhost:8080')).toBe('http://localhost:8080/join/AB12');
    expect(joinLink({ code: 'AB12', display: 'AB-12', url: 'javascript:alert(1)' }, 'http://h')).toBe('http://h/join/AB12');
  });

  it('fills parameters like the server does', () => {
    expect(renderText('Hi {{ company }}, {{unknown}} {{tool}}!', { company: 'Acme', tool: 'X' })).toBe('Hi Acme, {{unknown}} X!');
    expect(renderText('open {{company', { company: 'A' })).toBe('open {{company');
    const m = adaptScenario({
      id: 's',
      start: 'a',
      parameters: [{ id: 'company', label: 'Company', default: 'Northwind' }],
      states: [{ id: 'a', title: '{{company}} is hacked', decisions: [{ id: 'd', prompt: 'Tell {{company}}', options: [{ id: 'o', label: 'Call {{company}}' }] }] }],
    });
    expect(paramValues(m, { company: 'Acme' })).toEqual({ company: 'Acme' });
    const r = withParams(m, {});
    expect(r.states[0].title).toBe('Northwind is hacked');
    expect(withParams(m, { company: 'Acme' }).states[0].decisions[0].options[0].label).toBe('Call Acme');
  });

  it('adapts library entries defensively', () => {
    const e = adaptEntry({ id: 5, valid: 'yes', teams: [{ id: 't' }, 7], duration_minutes: 45, parameters: [{ id: 'p', default: 'd' }] });
    expect(e.id).toBe('');
    expect(e.valid).toBe(false);
    expect(e.teams).toEqual([{ id: 't', name: 't' }]);
    expect(e.params[0]).toEqual({ id: 'p', label: '', default: 'd', description: '', type: 'string', min: null, max: null, pattern: '', choices: [] });
  });
});

describe('evaluation and documents calls', () => {
  it('posts ratings and plan lines, reads the debrief link (none: null), and reads the problems of an events list', async () => {
    const f = fakeFetch({
      'GET /api/exercises/ex1/evaluation': [200, { evaluation: { objectives: [] } }],
      'POST /api/exercises/ex1/ratings': [200, { client_id: '', seq: 3, duplicate: false }],
      'POST /api/exercises/ex1/corrective-actions': [200, { client_id: '', seq: 4, duplicate: false, version: 1 }],
      'GET /api/exercises/ex1/debrief-link': [200, { url: null }],
      'POST /api/exercises/ex1/debrief-link': [201, { url: 'http://h/debrief/ex1.s', token: 'ex1.s' }],
      'DELETE /api/exercises/ex1/debrief-link': [204, null],
      'POST /api/scenarios/msel-import': [422, { error: { code: 'invalid_msel', message: 'bad', details: [{ row: 3, col: 2, column: 'time', message: 'not a time' }, { row: 5, col: 0, column: '', message: 'empty row' }] } }],
    });
    const api = createFacilitatorApi(f.fn);
    expect(await api.evaluation('ex1')).toEqual({ objectives: [] });
    await api.rate('ex1', { objective: 'o', rating: 'S', final: true });
    await api.correctiveAction('ex1', { action_id: 'ca-1', issue: 'i', action: 'a' });
    expect(await api.debriefLink('ex1')).toBeNull();
    // A 404 is the exercise, not the link, missing: the caller shows an error.
    await expect(api.debriefLink('gone')).rejects.toMatchObject({ status: 404 });
    expect(await api.createDebriefLink('ex1')).toBe('http://h/debrief/ex1.s');
    await api.revokeDebriefLink('ex1');
    expect(await api.mselImport('a,b\n')).toEqual({ yaml: '', problems: ['row 3, column time: not a time', 'row 5: empty row'] });
    const posts = f.calls.filter((c) => c.init.method === 'POST');
    expect(posts.map((c) => c.url)).toEqual(['/api/exercises/ex1/ratings', '/api/exercises/ex1/corrective-actions', '/api/exercises/ex1/debrief-link', '/api/scenarios/msel-import']);
    expect(JSON.parse(String(posts[0].init.body))).toEqual({ objective: 'o', rating: 'S', final: true });
    expect(JSON.parse(String(posts[1].init.body))).toEqual({ action_id: 'ca-1', issue: 'i', action: 'a' });
    expect(posts[3].init.body).toBe('a,b\n');
    expect((posts[3].init.headers as Record<string, string>)['Content-Type']).toBe('text/csv');
  });
});


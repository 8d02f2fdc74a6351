import { createRouter, stripVersionPrefix } from './router';
import type { PreparedOperation } from '../openapi/prepare';

const op = (method: string, path: string, iid: string) => ({ method, path, iid, responses: [] }) as unknown as PreparedOperation;

const router = createRouter([
  op('get', '/models', 'listModels'),
  op('get', '/models/{model}', 'retrieveModel'),
  op('delete', '/models/{model}', 'deleteModel'),
  op('post', '/responses', 'createResponse'),
  op('post', '/responses?beta=true', 'beta_createResponse'),
  op('get', '/responses/{response_id}', 'getResponse'),
  op('post', '/responses/compact', 'compact'),
  op('get', '/files/{file_id}/content', 'downloadFile'),
  op('get', '/threads/{thread_id}/runs/{run_id}/steps/{step_id}', 'getRunStep'),
  op('get', '/beta-only?beta=true', 'betaOnly'),
]);

const match = (method: string, path: string, query = '') => router.match(method, path, new URLSearchParams(query));

describe('createRouter', () => {
  test('matches literal paths and reports the template', () => {
    expect(match('GET', '/models')).toMatchObject({ template: '/models', params: {} });
    expect(match('GET', '/models')!.operation.iid).toBe('listModels');
  });

  test('fills path parameters by name, in order', () => {
    const found = match('GET', '/threads/t_1/runs/r_2/steps/s_3')!;
    expect(found.operation.iid).toBe('getRunStep');
    expect(found.params).toEqual({ thread_id: 't_1', run_id: 'r_2', step_id: 's_3' });
  });

  test('chooses the operation by method', () => {
    expect(match('DELETE', '/models/gpt-4o')!.operation.iid).toBe('deleteModel');
    expect(match('get', '/models/gpt-4o')!.operation.iid).toBe('retrieveModel');
    expect(match('PUT', '/models/gpt-4o')).toBeUndefined();
  });

  test('prefers a literal segment, and falls back to a parameter when the literal has no such method', () => {
    expect(match('POST', '/responses/compact')!.operation.iid).toBe('compact');
    const byId = match('GET', '/responses/compact')!;
    expect(byId.operation.iid).toBe('getResponse');
    expect(byId.params).toEqual({ response_id: 'compact' });
  });

  test('picks the ?beta=true variant only when asked, and the beta-only path either way', () => {
    expect(match('POST', '/responses')!.operation.iid).toBe('createResponse');
    expect(match('POST', '/responses', 'beta=true')!.operation.iid).toBe('beta_createResponse');
    expect(match('POST', '/responses', 'beta=false')!.operation.iid).toBe('createResponse');
    expect(match('GET', '/beta-only')!.operation.iid).toBe('betaOnly');
    expect(match('GET', '/beta-only', 'beta=true')!.template).toBe('/beta-only?beta=true');
  });

  test('decodes parameters, and keeps what cannot be decoded as sent', () => {
    expect(match('GET', '/models/ft%3Agpt-4o%3Aorg')!.params.model).toBe('ft:gpt-4o:org');
    expect(match('GET', '/models/bad%E0%A4%A')!.params.model).toBe('bad%E0%A4%A');
  });

  test('rejects unknown paths, extra segments and empty parameters', () => {
    expect(match('GET', '/nope')).toBeUndefined();
    expect(match('GET', '/files/f_1/content/extra')).toBeUndefined();
    expect(match('GET', '/files//content')).toBeUndefined();
    expect(match('GET', '/')).toBeUndefined();
  });

  test('ignores leading and trailing slashes', () => {
    expect(match('GET', '/models/')!.operation.iid).toBe('listModels');
    expect(match('GET', 'models')!.operation.iid).toBe('listModels');
  });

  test('asked again, a path without parameters finds the same operation, each time with params of its own', () => {
    const first = match('GET', '/models')!;
    first.params.added = 'x';
    const again = match('GET', '/models')!;
    expect(again.operation.iid).toBe('listModels');
    expect(again.params).toEqual({});
    expect(match('POST', '/responses', 'beta=true')!.operation.iid).toBe('beta_createResponse');
    expect(match('POST', '/responses')!.operation.iid).toBe('createResponse');
    expect(match('POST', '/responses', 'beta=true')!.operation.iid).toBe('beta_createResponse');
    expect(match('GET', '/models/a')!.params.model).toBe('a');
    expect(match('GET', '/models/b')!.params.model).toBe('b');
  });

  test('counts its operations', () => {
    expect(router.size).toBe(10);
  });
});

describe('stripVersionPrefix', () => {
  test.each([
    ['/v1/models', '/models'],
    ['/v1', '/'],
    ['/v1/', '/'],
    ['/models', '/models'],
    ['/v10/models', '/v10/models'],
    ['/v2/models', '/v2/models'],
  ])('%s -> %s', (path, expected) => {
    expect(stripVersionPrefix(path)).toBe(expected);
  });
});

/**
 * Browser-safe defaults: a page from another site can neither read nor cause answers, pages
 * served from this machine and configured origins can, credentials only when configured, the
 * admin API answers no other origin, and a request by a name that is not the mock's (DNS
 * rebinding) is refused. Raw HTTP, since `fetch` sets Host and Origin itself.
 */
import type { MockServer } from '../../src';
import { parseCliArgs } from '../../src/cli/args';
import { startMock } from '../helpers/server';
import { expectOpenAIError, post, request } from './support';

const AUTH = { authorization: 'Bearer sk-cors' };
const chat = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };
let mock: MockServer;
let configured: MockServer;
let served = 0;

beforeAll(async () => {
  // Counts the requests that reach the pipeline: a refused one must not.
  const counter = async (exchange: any, next: any) => {
    served++;
    return next(exchange);
  };
  mock = await startMock({ steps: [counter] });
  configured = await startMock({ cors: { origins: ['https://app.example.test'], credentials: true } });
});
afterAll(async () => {
  await mock?.close();
  await configured?.close();
});

const preflight = (server: MockServer, origin: string, path = '/v1/chat/completions') =>
  request(server.url, 'OPTIONS', path, {
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-stainless-os, x-evil' },
  });

test('a foreign origin: preflight and request refused with 403 before any work, no CORS headers', async () => {
  const before = served;
  const pre = await preflight(mock, 'https://evil.example');
  expectOpenAIError(pre, 403, 'cors_origin_not_allowed');
  expect(pre.headers['access-control-allow-origin']).toBeUndefined();
  // A "simple" request needs no preflight: it must not be answered either.
  const simple = await post(mock.url, '/v1/chat/completions', chat, { ...AUTH, origin: 'https://evil.example' });
  expect(expectOpenAIError(simple, 403, 'cors_origin_not_allowed').message).toContain('https://evil.example');
  expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  const opaque = await post(mock.url, '/v1/chat/completions', chat, { ...AUTH, origin: 'null' });
  expectOpenAIError(opaque, 403, 'cors_origin_not_allowed');
  expect(served).toBe(before);
});

test('a loopback origin: allowed, only the API\'s request headers, no credentials', async () => {
  for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000', 'http://[::1]:8080', 'http://app.localhost:4000']) {
    const pre = await preflight(mock, origin);
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(origin);
    expect(pre.headers['access-control-allow-headers']).toBe('authorization, content-type, x-stainless-os');
    expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
  }
  const answer = await post(mock.url, '/v1/chat/completions', chat, { ...AUTH, origin: 'http://localhost:5173' });
  expect(answer.status).toBe(200);
  expect(answer.headers['access-control-allow-origin']).toBe('http://localhost:5173');
  expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
});

test('a configured origin (cors.origins, --cors-origin): allowed, with credentials when configured', async () => {
  const pre = await preflight(configured, 'https://app.example.test');
  expect(pre.status).toBe(204);
  expect(pre.headers['access-control-allow-credentials']).toBe('true');
  const answer = await post(configured.url, '/v1/chat/completions', chat, { ...AUTH, origin: 'https://app.example.test' });
  expect(answer.status).toBe(200);
  expect(answer.headers['access-control-allow-origin']).toBe('https://app.example.test');
  expectOpenAIError(await preflight(mock, 'https://app.example.test'), 403, 'cors_origin_not_allowed');
  expect(parseCliArgs(['--cors-origin', 'https://a.test', '--cors-origin', 'http://b.test:8080']).given.corsOrigins).toEqual(['https://a.test', 'http://b.test:8080']);
});

test('the admin API answers no other origin, loopback ones included', async () => {
  for (const origin of ['http://localhost:5173', 'https://evil.example']) {
    const pre = await preflight(mock, origin, '/__admin/health');
    expect(expectOpenAIError(pre, 403, 'cors_origin_not_allowed').message).toContain('admin API');
    const get = await request(mock.url, 'GET', '/__admin/health', { headers: { origin } });
    expectOpenAIError(get, 403, 'cors_origin_not_allowed');
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  }
  // Its own origin (a page the mock serves) and no origin (curl, tests) pass the check.
  const own = await request(mock.url, 'GET', '/__admin/health', { headers: { origin: mock.url } });
  expect(own.status).not.toBe(403);
  const plain = await request(mock.url, 'GET', '/__admin/health');
  expect(plain.status).not.toBe(403);
});

test('a rebinding Host (a name that is not the mock\'s) is refused; loopback names and the bound address are not', async () => {
  const port = new URL(mock.url).port;
  const before = served;
  const rebound = await post(mock.url, '/v1/chat/completions', chat, { ...AUTH, host: `attacker.example:${port}` });
  expect(expectOpenAIError(rebound, 403, 'invalid_host')).toMatchObject({ param: 'Host' });
  const other = await request(mock.url, 'GET', '/v1/models', { headers: { ...AUTH, host: `10.1.2.3:${port}` } });
  expectOpenAIError(other, 403, 'invalid_host');
  expect(served).toBe(before);
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `dev.localhost:${port}`, 'devbox']) {
    const answer = await request(mock.url, 'GET', '/v1/models', { headers: { ...AUTH, host } });
    expect(answer.status).toBe(200);
  }
  // A configured origin's name is the mock's too.
  const named = await request(configured.url, 'GET', '/v1/models', { headers: { ...AUTH, host: `app.example.test:${new URL(configured.url).port}` } });
  expect(named.status).toBe(200);
});

/**
 * A web app in a browser (the SDK with `dangerouslyAllowBrowser`) calling the mock: the preflight
 * is answered and the answer names the page's origin; `cors: false` turns both off.
 */
import type { MockServer } from '../../src';
import { startMock } from '../helpers/server';

const ORIGIN = 'http://localhost:5173';
let mock: MockServer;
let closed: MockServer;

beforeAll(async () => {
  mock = await startMock();
  closed = await startMock({ cors: false });
});
afterAll(async () => {
  await mock?.close();
  await closed?.close();
});

const preflight = (server: MockServer) =>
  fetch(`${server.url}/v1/chat/completions`, {
    method: 'OPTIONS',
    headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-stainless-os' },
  });

test('a preflight gets 204 with the origin, methods and the headers asked for', async () => {
  const response = await preflight(mock);
  expect(response.status).toBe(204);
  expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  expect(response.headers.get('access-control-allow-headers')).toBe('authorization, content-type, x-stainless-os');
});

test('answers, errors included, name the origin and expose the headers the SDK reads', async () => {
  const ok = await fetch(`${mock.url}/v1/models`, { headers: { origin: ORIGIN, authorization: 'Bearer sk-test' } });
  expect(ok.status).toBe(200);
  expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  expect(ok.headers.get('access-control-expose-headers')).toBe('*');
  const unauthenticated = await fetch(`${mock.url}/v1/models`, { headers: { origin: ORIGIN } });
  expect(unauthenticated.status).toBe(401);
  expect(unauthenticated.headers.get('access-control-allow-origin')).toBe(ORIGIN);
});

test('without an Origin there are no CORS headers; with cors: false a preflight is an unknown route', async () => {
  const plain = await fetch(`${mock.url}/v1/models`, { headers: { authorization: 'Bearer sk-test' } });
  expect(plain.headers.get('access-control-allow-origin')).toBeNull();
  const refused = await preflight(closed);
  expect(refused.status).toBe(404);
  expect((await refused.json()).error.message).toBe('Invalid URL (OPTIONS /v1/chat/completions)');
  expect(refused.headers.get('access-control-allow-origin')).toBeNull();
});

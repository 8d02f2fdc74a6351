/**
 * HEAD over raw HTTP: answered as the GET of the same path (status and headers, no body), checked
 * the same way (routes, auth), and leaving the connection fit for the next request.
 */
import http from 'node:http';
import type { MockServer } from '../../src';
import { startMock } from '../helpers/server';

let mock: MockServer;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  // Seeded, so that the GET and the HEAD of a path have bodies of the same length.
  mock = await startMock({ seed: 'head-test' });
});

afterAll(async () => {
  agent.destroy();
  await mock?.close();
});

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The socket it came on, to tell whether the next request reuses it. */
  socket: unknown;
}

function send(method: string, path: string, headers: Record<string, string> = { authorization: 'Bearer sk-test' }): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, mock.url);
    const request = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent, timeout: 10_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks), socket: request.socket }));
    });
    request.on('timeout', () => request.destroy(new Error(`${method} ${path}: no answer`)));
    request.on('error', reject);
    request.end();
  });
}

/** What a GET and its HEAD must share: all but the per-request id and the date. */
const lasting = (headers: http.IncomingHttpHeaders) => {
  const { 'x-request-id': _id, date: _date, ...rest } = headers;
  return rest;
};

test.each(['/v1/models', '/v1/models/gpt-4o', '/models'])('HEAD %s answers as its GET does, without the body', async (path) => {
  const get = await send('GET', path);
  const head = await send('HEAD', path);
  expect(get.status).toBe(200);
  expect(head.status).toBe(200);
  expect(get.body.length).toBeGreaterThan(0);
  expect(head.body.length).toBe(0);
  expect(head.headers['content-type']).toMatch(/^application\/json/);
  expect(Number(head.headers['content-length'])).toBe(get.body.length);
  expect(lasting(head.headers)).toEqual(lasting(get.headers));
  expect(head.headers['x-request-id']).toMatch(/^req_/);
});

test('HEAD is checked as GET is: no Authorization is 401, an unknown path 404', async () => {
  expect((await send('HEAD', '/v1/models', {})).status).toBe(401);
  const unknown = await send('HEAD', '/v1/nope');
  expect(unknown.status).toBe(404);
  expect(unknown.body.length).toBe(0);
  // A path with no GET has nothing to answer HEAD with.
  expect((await send('HEAD', '/v1/embeddings')).status).toBe(404);
});

test('after a HEAD the kept-alive connection serves the next request', async () => {
  const head = await send('HEAD', '/v1/models');
  const get = await send('GET', '/v1/models');
  expect(get.socket).toBe(head.socket);
  expect(JSON.parse(get.body.toString('utf8')).object).toBe('list');
});

/**
 * `createMockServer({ tls: true })` in a test suite: the https URL and the CA to trust, the SDK
 * through an undici Agent, and what HTTP/2 must do like HTTP/1.1 (cancelled streams cleaned up,
 * no connection headers, close() with sessions open).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import OpenAI from 'openai';
import { Agent } from 'undici';
import type { MockServer, Step } from '../../src';
import { startMock } from '../helpers/server';
import { CHAT, CONNECTION_SPECIFIC, h2Request } from './support';

let dir: string;
const savedDataHome = process.env.XDG_DATA_HOME;
let mock: MockServer;
/** Resolves when the slow stream's generator has been closed (by the client going away). */
let released: Promise<void>;
let release: () => void;
const seenHeaders: Record<string, unknown>[] = [];

const slowStream: Step = async (exchange, next) => {
  if (exchange.request.path.endsWith('/models')) seenHeaders.push({ ...exchange.request.headers });
  if (exchange.request.query.slow === undefined) return next(exchange);
  async function* events() {
    try {
      for (let i = 0; ; i++) {
        yield `data: {"n":${i}}\n\n`;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      release();
    }
  }
  return { status: 200, headers: { 'content-type': 'text/event-stream' }, body: events() };
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openai-mock-tls-lib-'));
  process.env.XDG_DATA_HOME = dir;
  mock = await startMock({ tls: true, bodyLimit: 1000, steps: [slowStream] });
});

afterAll(async () => {
  await mock?.close();
  if (savedDataHome === undefined) delete process.env.XDG_DATA_HOME;
  else process.env.XDG_DATA_HOME = savedDataHome;
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  released = new Promise((resolve) => (release = resolve));
});

test('tls: true gives an https url, the CA as PEM and its file; http is served on the same port', async () => {
  expect(mock.url).toBe(`https://127.0.0.1:${mock.port}`);
  expect(mock.urls).toEqual([`http://127.0.0.1:${mock.port}`, `https://127.0.0.1:${mock.port}`]);
  expect(mock.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
  expect(mock.caFile).toBe(path.join(dir, 'openai-mock', 'tls', 'ca.pem'));
  const plain = await fetch(`http://127.0.0.1:${mock.port}/v1/models`, { headers: { authorization: 'Bearer sk-test' } });
  expect(plain.status).toBe(200);
});

test('the SDK over HTTPS with an undici Agent trusting mock.ca: plain and streamed', async () => {
  const dispatcher = new Agent({ connect: { ca: mock.ca } });
  try {
    const client = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'sk-test', maxRetries: 0, fetchOptions: { dispatcher } as never });
    const completion = await client.chat.completions.create(CHAT);
    expect(completion.object).toBe('chat.completion');
    const stream = await client.chat.completions.create({ ...CHAT, stream: true });
    let chunks = 0;
    for await (const chunk of stream) if (chunk.object === 'chat.completion.chunk') chunks++;
    expect(chunks).toBeGreaterThan(2);
  } finally {
    await dispatcher.close();
  }
});

test('an https.Agent with mock.ca', async () => {
  const agent = new https.Agent({ ca: mock.ca });
  const status = await new Promise<number>((resolve, reject) => {
    https.get(`${mock.url}/v1/models`, { agent, headers: { authorization: 'Bearer sk-test' } }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    }).on('error', reject);
  });
  agent.destroy();
  expect(status).toBe(200);
});

test('over HTTP/2 the steps see the request headers without pseudo-headers, and the host from :authority', async () => {
  const session = http2.connect(mock.url, { ca: mock.ca });
  try {
    seenHeaders.length = 0;
    expect((await h2Request(session, '/v1/models', undefined, { 'x-probe': 'yes' })).status).toBe(200);
    expect(seenHeaders[0]).toMatchObject({ host: `127.0.0.1:${mock.port}`, 'x-probe': 'yes', authorization: 'Bearer sk-test' });
    expect(Object.keys(seenHeaders[0]!).filter((name) => name.startsWith(':'))).toEqual([]);
  } finally {
    session.close();
  }
});

test('over h2c the same checks and choices as over HTTP/1.1: a bad body is a 400 naming the field, Prefer picks a documented status', async () => {
  const session = http2.connect(mock.urls[0]!);
  try {
    const invalid = await h2Request(session, '/v1/chat/completions', { ...CHAT, messages: 'hello' });
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.text).error).toMatchObject({ type: 'invalid_request_error', param: 'messages' });
    const limited = await h2Request(session, '/v1/chat/completions', CHAT, { prefer: 'code=429' });
    expect(limited.status).toBe(429);
    const missingKey = await h2Request(session, '/v1/models', undefined, { authorization: '' });
    expect([missingKey.status, JSON.parse(missingKey.text).error.type]).toEqual([401, 'invalid_request_error']);
  } finally {
    session.close();
  }
});

test('a body too large over HTTP/2: 413 at the limit, then the stream alone ends (NO_ERROR) while the client is still sending', async () => {
  const session = http2.connect(mock.url, { ca: mock.ca });
  try {
    const stream = session.request({ ':method': 'POST', ':path': '/v1/chat/completions', authorization: 'Bearer sk-test', 'content-type': 'application/json' });
    // More than the limit (1000 bytes), and never ended: only the server can close this stream.
    stream.write('{"model":"gpt-4o-mini","user":"' + 'x'.repeat(3000));
    let status = 0;
    let text = '';
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    await new Promise((resolve) => stream.on('close', resolve));
    expect(status).toBe(413);
    expect(JSON.parse(text).error.message).toMatch(/too large/);
    expect(stream.rstCode).toBe(http2.constants.NGHTTP2_NO_ERROR);
    expect((await h2Request(session, '/v1/models')).status).toBe(200);
  } finally {
    session.close();
  }
});

test('a stream reset by the client (RST_STREAM) stops the answer being written, as a closed HTTP/1.1 socket does', async () => {
  const session = http2.connect(mock.url, { ca: mock.ca });
  try {
    const stream = session.request({ ':method': 'POST', ':path': '/v1/chat/completions?slow', authorization: 'Bearer sk-test', 'content-type': 'application/json' });
    stream.end(JSON.stringify({ ...CHAT, stream: true }));
    stream.on('error', () => undefined);
    await new Promise((resolve) => stream.once('data', resolve));
    stream.close(http2.constants.NGHTTP2_CANCEL);
    // Without the cleanup, the generator would run for ever and this would time out.
    await released;
    expect((await h2Request(session, '/v1/models')).status).toBe(200);
  } finally {
    session.close();
  }
});

test('HTTP/2 answers carry no connection-specific headers, even where HTTP/1.1 closes the connection (413), and Node warns of none', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  const session = http2.connect(mock.url, { ca: mock.ca });
  try {
    const tooLarge = await h2Request(session, '/v1/chat/completions', { ...CHAT, user: 'x'.repeat(2000) });
    const expectation = await h2Request(session, '/v1/chat/completions', CHAT, { expect: 'something-else' });
    const ok = await h2Request(session, '/v1/chat/completions', CHAT);
    expect([tooLarge.status, expectation.status, ok.status]).toEqual([413, 417, 200]);
    for (const answer of [tooLarge, expectation, ok]) for (const name of CONNECTION_SPECIFIC) expect(answer.headers[name]).toBeUndefined();
    expect(JSON.parse(tooLarge.text).error.message).toMatch(/too large/);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([]);
  } finally {
    process.off('warning', onWarning);
    session.close();
  }
});

test('HTTP/1.1 over TLS: CONNECT and an unknown Expect are answered in words, as in clear', async () => {
  const exchange = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: mock.port, servername: 'localhost', ca: mock.ca, ALPNProtocols: ['http/1.1'] }, () => socket.write(text));
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  const connect = await exchange('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
  expect(connect).toMatch(/^HTTP\/1\.1 405 /);
  expect(connect).toContain('this server does not open tunnels');
  const expectation = await exchange('POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nExpect: something-else\r\nContent-Length: 2\r\n\r\n{}');
  expect(expectation).toMatch(/^HTTP\/1\.1 417 /);
  expect(expectation).toMatch(/\r\nconnection: close\r\n/i);
});

test('the headers timeout holds over TLS and through the sniffing front: a stalled HTTP/1.1 client gets 408', async () => {
  const strict = await startMock({ tls: true, headersTimeout: 300 });
  try {
    const stall = (secure: boolean) =>
      new Promise<string>((resolve, reject) => {
        const options = { host: '127.0.0.1', port: strict.port };
        const socket = secure ? tls.connect({ ...options, servername: 'localhost', ca: strict.ca, ALPNProtocols: ['http/1.1'] }) : net.connect(options);
        socket.once(secure ? 'secureConnect' : 'connect', () => socket.write('GET /v1/models HTTP/1.1\r\nHost: localhost\r\n'));
        let answer = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (answer += chunk));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
      });
    for (const answer of await Promise.all([stall(true), stall(false)])) expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  } finally {
    await strict.close();
  }
});

test('a request that arrived while the event loop was held up past the headers timeout is answered, not cut', async () => {
  const strict = await startMock({ headersTimeout: 300 });
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: strict.port });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      // Long enough for the server to accept and start waiting for the first bytes; then the
      // request goes out and this process (the server's too) is busy past the timeout. From a
      // setImmediate: the loop's next turn then runs its timers before it reads the request.
      socket.once('connect', () =>
        setTimeout(
          () =>
            setImmediate(() => {
              socket.write('GET /v1/models HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer sk-test\r\nConnection: close\r\n\r\n');
              const until = Date.now() + 700;
              while (Date.now() < until);
            }),
          100,
        ),
      );
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  } finally {
    await strict.close();
  }
});

test('close() ends open HTTP/2 sessions (an idle one and one with a stream in flight) instead of waiting on them', async () => {
  const other = await startMock({ tls: true, steps: [slowStream] });
  const idle = http2.connect(other.url, { ca: other.ca });
  const busy = http2.connect(other.urls[0]!);
  expect((await h2Request(idle, '/v1/models')).status).toBe(200);
  const stream = busy.request({ ':method': 'POST', ':path': '/v1/chat/completions?slow', authorization: 'Bearer sk-test', 'content-type': 'application/json' });
  stream.on('error', () => undefined);
  stream.end(JSON.stringify({ ...CHAT, stream: true }));
  await new Promise((resolve) => stream.once('data', resolve));
  const closed = Promise.all([idle, busy].map((session) => new Promise((resolve) => session.once('close', resolve))));
  idle.on('error', () => undefined);
  busy.on('error', () => undefined);
  await other.close();
  await closed;
  await released;
});

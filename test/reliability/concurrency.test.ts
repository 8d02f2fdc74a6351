/**
 * Hundreds of requests at once, streamed and not, through raw HTTP and the official SDK, with
 * clients that vanish mid-request and mid-stream. Nothing may fail, reject unhandled, log an
 * error, or leave a socket or timer behind once the server is closed.
 */
import http from 'node:http';
import { SOCKETS_PER_PORT, startMock, sdk } from '../helpers/server';
import { activeResources, captureLogger, leakedSince, settledResources, trapUnhandled, waitForNoLeaks } from './helpers/process-state';
import { createRandom, seedFromEnv } from './helpers/prng';

const SEED = seedFromEnv();
const AUTH = 'Bearer sk-concurrency';
const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Tell me a story' }] };

type Outcome = { kind: string; status?: number; events?: number; done?: boolean; cut?: boolean; error?: string };

/** One request over its own connection; `cutAfter` destroys it after that many body bytes (0: right after sending). */
function request(port: number, kind: string, method: string, path: string, body: unknown, cutAfter?: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, headers: { authorization: AUTH, 'content-type': 'application/json', accept: 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (cutAfter !== undefined && text.length >= cutAfter) {
          req.destroy();
          resolve({ kind, status: res.statusCode, cut: true });
        }
      });
      res.on('end', () =>
        resolve({ kind, status: res.statusCode, events: (text.match(/^data: /gm) ?? []).length, done: text.includes('data: [DONE]') }),
      );
      res.on('error', () => resolve({ kind, status: res.statusCode, cut: true }));
    });
    req.on('error', (error) => resolve({ kind, error: error.message, cut: cutAfter !== undefined }));
    req.end(payload);
    if (cutAfter === 0) setImmediate(() => (req.destroy(), resolve({ kind, cut: true })));
  });
}

test(`hundreds of parallel requests and vanishing clients leave no failure and nothing open behind (seed ${SEED})`, async () => {
  const before = await settledResources();
  const unhandled = trapUnhandled();
  const log = captureLogger('debug');
  // Paced streams, so that a client can leave while one is under way.
  const mock = await startMock({ logger: log.logger, stream: { intervalMs: 2 } });
  const random = createRandom(SEED);
  try {
    const jobs: Promise<Outcome>[] = [];
    for (let i = 0; i < 400; i++) {
      const roll = random.int(0, 9);
      if (roll === 0) jobs.push(request(mock.port, 'models', 'GET', '/v1/models', undefined));
      else if (roll === 1) jobs.push(request(mock.port, 'chat', 'POST', '/v1/chat/completions', CHAT));
      else if (roll === 2) jobs.push(request(mock.port, 'embeddings', 'POST', '/v1/embeddings', { model: 'text-embedding-3-small', input: 'x' }));
      else if (roll === 3) jobs.push(request(mock.port, 'invalid', 'POST', '/v1/chat/completions', { model: 'gpt-4o-mini', messages: 'x' }));
      else if (roll <= 5) jobs.push(request(mock.port, 'stream', 'POST', '/v1/chat/completions', { ...CHAT, stream: true }));
      else if (roll <= 7) jobs.push(request(mock.port, 'stream-cut', 'POST', '/v1/chat/completions', { ...CHAT, stream: true }, random.int(1, 400)));
      else if (roll === 8) jobs.push(request(mock.port, 'gone-before-answer', 'POST', '/v1/chat/completions', CHAT, 0));
      else jobs.push(request(mock.port, 'responses-stream-cut', 'POST', '/v1/responses', { model: 'gpt-4o-mini', input: 'hi', stream: true }, random.int(1, 800)));
    }
    // The SDK too: its streams, some abandoned half-way.
    const client = sdk(mock);
    const sdkJobs = Array.from({ length: 40 }, async (_, i) => {
      const stream = await client.chat.completions.create({ ...CHAT, messages: [{ role: 'user', content: `n${i}` }], stream: true });
      let chunks = 0;
      for await (const chunk of stream) {
        expect(chunk.object).toBe('chat.completion.chunk');
        if (++chunks === 3 && i % 2 === 0) {
          stream.controller.abort();
          break;
        }
      }
      return chunks;
    });
    const outcomes = await Promise.all(jobs);
    const sdkChunks = await Promise.all(sdkJobs);

    const wrong = outcomes.filter((o) => {
      if (o.cut) return false;
      if (o.error) return true;
      if (o.kind === 'invalid') return o.status !== 400;
      if (o.kind === 'stream') return o.status !== 200 || !o.done || (o.events ?? 0) < 3;
      return o.status !== 200;
    });
    expect(wrong).toEqual([]);
    expect(outcomes.filter((o) => o.kind.includes('cut') && o.cut).length).toBeGreaterThan(50);
    expect(sdkChunks.every((n) => n >= 3)).toBe(true);

    // Still answering after it all.
    const models = await client.models.list();
    expect(models.data.length).toBeGreaterThan(0);
    // The check below sees the server's own handles while it runs.
    expect(leakedSince(before).TCPServerWrap).toBe(SOCKETS_PER_PORT);
    expect(activeResources().TCPSocketWrap ?? 0).toBeGreaterThan(before.TCPSocketWrap ?? 0);
  } finally {
    await mock.close();
    unhandled.stop();
  }
  expect(await waitForNoLeaks(before)).toEqual({});
  expect(unhandled.seen).toEqual([]);
  expect(log.lines.filter((line) => line.startsWith('error: '))).toEqual([]);
});

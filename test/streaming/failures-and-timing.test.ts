/**
 * What a stream can be told to do wrong, and how fast: error events the SDK raises, connections
 * cut mid-stream, plain JSON errors before a stream starts, pacing from the server's options and
 * from the response, and clients that leave mid-stream.
 */
import http from 'node:http';
import { APIError, RateLimitError } from 'openai';
import type { StreamControl } from '../../src';
import { sdk, startMock } from '../helpers/server';
import { CHAT_TEXT, chatBody, MESSAGE_ITEM, parseEventStream, postJson, responseBody, rewriteStep, rewritingMock, withBody } from './support';

const logLines: string[] = [];
const env = rewritingMock({
  logLevel: 'info',
  logger: { level: 'info', info: (line) => logLines.push(line), warn: () => {}, error: (line) => logLines.push(`ERROR ${line}`), debug: () => {} },
});
const { rewrites } = env;

const ask = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Hi' }] };
const overloaded = { message: 'The model is overloaded, try again later.', type: 'server_error', code: 'overloaded' };

async function collect<T>(iterable: AsyncIterable<T>): Promise<{ items: T[]; error?: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of iterable) items.push(item);
    return { items };
  } catch (error) {
    return { items, error };
  }
}

async function waitFor(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('errors in mid-stream, raised by the SDK', () => {
  test('chat: the error event after `errorAfter` chunks', async () => {
    rewrites.createChatCompletion = withBody(chatBody({ content: CHAT_TEXT }), { errorAfter: 2, error: overloaded });
    const { items, error } = await collect(await env.client.chat.completions.create({ ...ask, stream: true }));
    expect(items).toHaveLength(2);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain(overloaded.message);
    expect((error as APIError).code).toBe('overloaded');
    expect((error as APIError).type).toBe('server_error');

    await expect(env.client.chat.completions.stream(ask).finalChatCompletion()).rejects.toThrow(overloaded.message);
  });

  test('responses: an `error` event; responses.stream() rejects too', async () => {
    rewrites.createResponse = withBody(responseBody([MESSAGE_ITEM]), { errorAfter: 5, error: overloaded });
    const { items, error } = await collect(await env.client.responses.create({ model: 'gpt-4o', input: 'Hi', stream: true }));
    expect(items.map((e) => e.type).slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(items).toHaveLength(5);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain(overloaded.message);

    await expect(env.client.responses.stream({ model: 'gpt-4o', input: 'Hi' }).finalResponse()).rejects.toThrow(overloaded.message);
  });

  test('assistants: the run stream rejects with the error', async () => {
    rewrites.createRun = (_request, response) => ({ body: response.body, stream: { errorAfter: 3, error: overloaded } });
    await expect(env.client.beta.threads.runs.stream('thread_abc', { assistant_id: 'asst_abc' }).finalRun()).rejects.toThrow(overloaded.message);
  });

  test('images: the error event ends the stream', async () => {
    rewrites.createImage = (_request, response) => ({ body: response.body, stream: { errorAfter: 1, error: overloaded } });
    const { items, error } = await collect(await env.client.images.generate({ model: 'gpt-image-1', prompt: 'A cat', stream: true, partial_images: 2 }));
    expect(items).toHaveLength(1);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain(overloaded.message);
  });

  test('`error` alone: the error comes midway; `errorAfter` alone: a default server_error', async () => {
    rewrites.createChatCompletion = withBody(chatBody({ content: CHAT_TEXT }));
    const full = parseEventStream(await (await postJson(`${env.mock.url}/v1/chat/completions`, { ...ask, stream: true })).text());
    const chunks = full.length - 1; // without [DONE]

    rewrites.createChatCompletion = withBody(chatBody({ content: CHAT_TEXT }), { error: overloaded });
    const midway = parseEventStream(await (await postJson(`${env.mock.url}/v1/chat/completions`, { ...ask, stream: true })).text());
    expect(midway).toHaveLength(Math.floor(chunks / 2) + 1);
    expect(JSON.parse(midway.at(-1)!.data)).toEqual({ error: { ...overloaded, param: null } });

    rewrites.createChatCompletion = withBody(chatBody({ content: CHAT_TEXT }), { errorAfter: 10_000 });
    const late = parseEventStream(await (await postJson(`${env.mock.url}/v1/chat/completions`, { ...ask, stream: true })).text());
    // Past the end: every chunk, then the error in place of [DONE].
    expect(late).toHaveLength(chunks + 1);
    expect(JSON.parse(late.at(-1)!.data).error).toMatchObject({ type: 'server_error', code: null });
  });
});

describe('connections cut mid-stream', () => {
  test('chat: the SDK sees the stream fail after `cutAfter` chunks, and the server goes on', async () => {
    rewrites.createChatCompletion = withBody(chatBody({ content: CHAT_TEXT }), { cutAfter: 3 });
    const { items, error } = await collect(await env.client.chat.completions.create({ ...ask, stream: true }));
    expect(items).toHaveLength(3);
    // undici's own TypeError ("terminated"), from outside the test's realm: checked by name and message.
    expect(error).toMatchObject({ name: 'TypeError', message: 'terminated' });

    await expect(env.client.chat.completions.stream(ask).finalChatCompletion()).rejects.toThrow(/terminated/);
    delete rewrites.createChatCompletion;
    const after = await env.client.chat.completions.create(ask);
    expect(after.object).toBe('chat.completion');
    expect(logLines.some((line) => line.startsWith('ERROR'))).toBe(false);
  });

  test('responses: finalResponse() rejects when the connection is cut', async () => {
    rewrites.createResponse = withBody(responseBody([MESSAGE_ITEM]), { cutAfter: 4 });
    await expect(env.client.responses.stream({ model: 'gpt-4o', input: 'Hi' }).finalResponse()).rejects.toThrow(/terminated/);
  });

  test('raw HTTP: the chunked body never ends properly', async () => {
    rewrites.createChatCompletion = withBody(chatBody({ content: CHAT_TEXT }), { cutAfter: 2 });
    const response = await postJson(`${env.mock.url}/v1/chat/completions`, { ...ask, stream: true });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });
});

describe('failures before a stream starts are plain JSON errors', () => {
  test('a 429 from an override reaches the SDK as a RateLimitError', async () => {
    rewrites.createChatCompletion = () => ({
      status: 429,
      headers: { 'content-type': 'application/json' },
      body: { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
    });
    await expect(env.client.chat.completions.create({ ...ask, stream: true })).rejects.toBeInstanceOf(RateLimitError);

    const raw = await postJson(`${env.mock.url}/v1/chat/completions`, { ...ask, stream: true });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await raw.json()).error.code).toBe('rate_limit_exceeded');
  });

  test('an invalid streaming request gets the 400, not a stream', async () => {
    const raw = await postJson(`${env.mock.url}/v1/chat/completions`, { model: 'gpt-4o', messages: 'hi', stream: true });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('pacing', () => {
  test('firstEventDelayMs holds the first chunk back; intervalMs spaces the rest (lower bounds only)', async () => {
    rewrites.createChatCompletion = withBody(chatBody({ content: 'One two three four five.' }), { firstEventDelayMs: 150, intervalMs: 25 });
    const started = performance.now();
    const stream = await env.client.chat.completions.create({ ...ask, stream: true });
    const arrivals: number[] = [];
    for await (const _chunk of stream) arrivals.push(performance.now() - started);
    expect(arrivals[0]).toBeGreaterThanOrEqual(140);
    // Each later chunk waited its interval; [DONE] waited one more.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(25 * (arrivals.length - 1) - 5);
  });

  test("the server's `stream` option is the default; a response's own control wins field by field", async () => {
    const paced = await startMock({ stream: { errorAfter: 1, error: overloaded }, steps: [rewriteStep(rewrites)] });
    try {
      const pacedClient = sdk(paced);
      rewrites.createChatCompletion = withBody(chatBody({ content: CHAT_TEXT }));
      const byDefault = await collect(await pacedClient.chat.completions.create({ ...ask, stream: true }));
      expect(byDefault.items).toHaveLength(1);
      expect((byDefault.error as APIError).message).toContain(overloaded.message);

      const own: StreamControl = { errorAfter: 4 };
      rewrites.createChatCompletion = withBody(chatBody({ content: CHAT_TEXT }), own);
      const overridden = await collect(await pacedClient.chat.completions.create({ ...ask, stream: true }));
      expect(overridden.items).toHaveLength(4);
      // The default's error text is kept: the response only moved it.
      expect((overridden.error as APIError).message).toContain(overloaded.message);
    } finally {
      await paced.close();
    }
  });
});

describe('a client that leaves mid-stream', () => {
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

  test('stops the stream at once: no timer left behind, the server still answers, close() is prompt', async () => {
    rewrites.createChatCompletion = withBody(chatBody({ content: CHAT_TEXT }), { intervalMs: 60_000 });
    const before = timers();
    const logged = logLines.length;

    // A raw client that reads the first event, then hangs up while the server waits a minute.
    await new Promise<void>((resolve, reject) => {
      const request = http.request(`${env.mock.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' } });
      request.on('response', (response) => {
        response.once('data', (chunk: Buffer) => {
          expect(chunk.toString()).toMatch(/^data: /);
          request.destroy();
          resolve();
        });
      });
      request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
      request.end(JSON.stringify({ ...ask, stream: true }));
    });

    // The server logs a request once its stream is over: it is, long before the minute is up.
    await waitFor(() => logLines.slice(logged).some((line) => line.includes('POST /v1/chat/completions 200')), 'the stream to end');
    await waitFor(() => timers() <= before, 'the interval timer to be cleared');

    delete rewrites.createChatCompletion;
    expect((await env.client.chat.completions.create(ask)).object).toBe('chat.completion');

    const own = await startMock({ steps: [rewriteStep({ createChatCompletion: withBody(chatBody({ content: CHAT_TEXT }), { intervalMs: 60_000 }) })] });
    const response = await postJson(`${own.url}/v1/chat/completions`, { ...ask, stream: true });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    const closing = performance.now();
    await own.close();
    // Without the hang-up reaching the stream, close() would wait for its one-second cut-off.
    expect(performance.now() - closing).toBeLessThan(1000);
  });
});

/**
 * Scripted failures through the real SDK: retries on 429 and 5xx seen in the journal, the API's
 * error bodies, streams paced, cut or failed after N events, connections closed unanswered.
 */
import OpenAI from 'openai';
import { type MockServer } from '../../src';
import { startMock } from '../helpers/server';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());
afterEach(() => {
  mock.resetScripts();
  mock.journal.clear();
});

const retrying = (retries: number, timeout = 20_000) => new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'sk-test-key', maxRetries: retries, timeout });
const ask = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Hi' }] };

test('the SDK retries a scripted 429 (retry-after-ms honoured), as the journal shows', async () => {
  mock.on('createChatCompletion').times(2).fail({ status: 429, retryAfter: 0.01 });
  const completion = await retrying(2).chat.completions.create(ask);
  expect(completion.choices[0]!.message.content).toEqual(expect.any(String));

  const entries = mock.journal.requests({ operation: 'createChatCompletion' });
  expect(entries.map((e) => e.response.status)).toEqual([429, 429, 200]);
  expect(entries.map((e) => e.headers['x-stainless-retry-count'])).toEqual(['0', '1', '2']);
  expect(entries[0]!.response.headers).toMatchObject({ 'retry-after': '0.01', 'retry-after-ms': '10' });
  expect(entries[0]!.response.body).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
  mock.assertAllUsed();
});

test('retries give up after maxRetries: RateLimitError, every attempt in the journal', async () => {
  mock.on('createChatCompletion').fail({ status: 429, retryAfter: 0.01 });
  await expect(retrying(1).chat.completions.create(ask)).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  expect(mock.journal.requests().map((e) => e.response.status)).toEqual([429, 429]);
});

test.each([
  [500, undefined, OpenAI.InternalServerError, 'server_error'],
  [503, undefined, OpenAI.InternalServerError, 'server_error'],
  [400, 'context_length_exceeded', OpenAI.BadRequestError, 'invalid_request_error'],
  [400, 'content_filter', OpenAI.BadRequestError, 'invalid_request_error'],
])('fail %i %s: the API error body, the SDK error class', async (status, code, ErrorClass, type) => {
  mock.on('createChatCompletion').replyOnce('never reached, the failure is first');
  mock.resetScripts();
  mock.on('createChatCompletion').times(1).fail({ status, code });
  const error = await retrying(0).chat.completions.create(ask).catch((e) => e);
  expect(error).toBeInstanceOf(ErrorClass);
  expect(error.status).toBe(status);
  expect(error.error).toMatchObject({ type, code: code ?? null });
  expect(typeof error.error.message).toBe('string');
  if (code === 'context_length_exceeded') expect(error.error.param).toBe('messages');
  // Used up: the next request gets the default answer.
  await expect(retrying(0).chat.completions.create(ask)).resolves.toMatchObject({ object: 'chat.completion' });
});

test('a 5xx then success: the SDK retries it', async () => {
  mock.on('createChatCompletion').times(1).fail({ status: 503, retryAfter: 0.01 });
  mock.on('createChatCompletion').replyOnce('recovered');
  const completion = await retrying(2).chat.completions.create(ask);
  expect(completion.choices[0]!.message.content).toBe('recovered');
  expect(mock.journal.requests().map((e) => [e.response.status, e.script !== undefined])).toEqual([[503, true], [200, true]]);
});

test('delay before headers: a client with a shorter timeout gives up, and the journal says so', async () => {
  mock.on('createChatCompletion').times(1).delay(3000).reply('late');
  await expect(retrying(0, 200).chat.completions.create(ask)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  // The server learns of it when the socket closes: the entry comes then.
  while (!mock.journal.last()) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(mock.journal.last()!.response).toMatchObject({ status: 499, interrupted: 'client went away before the answer' });
});

test('closing the connection without an answer: the SDK sees a connection error and retries', async () => {
  mock.on('createChatCompletion').times(1).close();
  const completion = await retrying(1).chat.completions.create(ask);
  expect(completion.object).toBe('chat.completion');
  const [dropped, answered] = mock.journal.requests();
  expect(dropped!.response).toMatchObject({ status: 0, interrupted: expect.stringContaining('without an answer') });
  expect(answered!.response.status).toBe(200);

  mock.on('createChatCompletion').close();
  await expect(retrying(0).chat.completions.create(ask)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
});

test('a stream cut after N events: the SDK fails, the journal keeps the events sent', async () => {
  mock.on('createChatCompletion').stream({ cutAfter: 2 }).reply('one two three four five six');
  const stream = await retrying(0).chat.completions.create({ ...ask, stream: true });
  const seen: string[] = [];
  await expect(
    (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta?.content ?? '');
    })(),
  ).rejects.toThrow();
  expect(seen).toHaveLength(2);
  const entry = mock.journal.last()!;
  expect(entry.response.streamed).toBe(true);
  expect(entry.response.events).toHaveLength(2);
  expect(entry.response.interrupted).toMatch(/cut after 2 events/);
});

test('streamReply answers streamed requests only, paced, with an error event after N events', async () => {
  mock
    .on('createChatCompletion')
    .streamReply('a b c d e f', { intervalMs: 5, errorAfter: 3, error: { message: 'The model is overloaded', type: 'server_error', code: 'overloaded' } });
  // A plain request is not streamed: the script leaves it alone.
  const plain = await retrying(0).chat.completions.create(ask);
  expect(plain.choices[0]!.message.content).not.toBe('a b c d e f');

  const stream = await retrying(0).chat.completions.create({ ...ask, stream: true });
  const error = await (async () => {
    for await (const _ of stream);
  })().catch((e) => e);
  expect(error).toBeInstanceOf(OpenAI.APIError);
  expect(String(error.message)).toContain('overloaded');
  const events = mock.journal.last()!.response.events!;
  expect(events).toHaveLength(4);
  expect(events[3]!.data).toMatchObject({ error: { code: 'overloaded' } });
});

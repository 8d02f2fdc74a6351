/**
 * How a paced stream is delivered (src/streaming/deliver.ts): read by any consumer as an async
 * iterable, and, as the server writes it, driven by the wheel on callbacks. Both keep the pacing,
 * the error and cut events, stop when the client leaves (nothing left on the wheel), and a slow
 * reader holds the stream back instead of the server piling it up.
 */
import http from 'node:http';
import { chatCompletionStream } from '../../src/streaming/chat';
import { ConnectionCut, deliver } from '../../src/streaming/deliver';
import { frame, type StreamPlan } from '../../src/streaming/events';
import { wheel } from '../../src/streaming/wheel';
import { startMock } from '../helpers/server';
import { CHAT_TEXT, TOOL_CALLS, chatBody, parseEventStream, rewriteStep, withBody } from './support';

async function waitFor(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const plan = (count: number): StreamPlan => ({
  events: Array.from({ length: count }, (_, i) => ({ data: { n: i } })),
  end: { data: '[DONE]' },
  error: (error, position) => ({ data: { error, position } }),
});

async function read(stream: AsyncIterable<string>): Promise<{ chunks: string[]; error?: unknown }> {
  const chunks: string[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (error) {
    return { chunks, error };
  }
  return { chunks };
}

describe('deliver() read as an async iterable', () => {
  test('every event framed, in order, the end last, each after its interval', async () => {
    const started = performance.now();
    const { chunks, error } = await read(deliver(plan(3), { intervalMs: 15 }, new AbortController().signal));
    expect(error).toBeUndefined();
    expect(chunks).toEqual([frame({ data: { n: 0 } }), frame({ data: { n: 1 } }), frame({ data: { n: 2 } }), 'data: [DONE]\n\n']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(wheel.pending).toBe(0);
  });

  test('the error event in place of event errorAfter, then the end; a cut rejects with ConnectionCut after its events', async () => {
    const errored = await read(deliver(plan(4), { errorAfter: 2, error: { message: 'boom' } }, new AbortController().signal));
    expect(errored.error).toBeUndefined();
    expect(errored.chunks).toHaveLength(3);
    expect(JSON.parse(errored.chunks[2]!.slice('data: '.length))).toEqual({ error: { message: 'boom', type: 'server_error', code: null, param: null }, position: 2 });

    const cut = await read(deliver(plan(4), { cutAfter: 1 }, new AbortController().signal));
    expect(cut.chunks).toEqual([frame({ data: { n: 0 } })]);
    expect(cut.error).toBeInstanceOf(ConnectionCut);
    expect(wheel.pending).toBe(0);
  });

  test('an abort mid-pause rejects with an AbortError; a reader that stops early leaves nothing on the wheel', async () => {
    const abort = new AbortController();
    const stream = deliver(plan(5), { intervalMs: 60_000 }, abort.signal);
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(frame({ data: { n: 0 } }));
    const second = iterator.next();
    await waitFor(() => wheel.pending === 1, 'the pause before the second event');
    abort.abort();
    await expect(second).rejects.toMatchObject({ name: 'AbortError' });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(wheel.pending).toBe(0);

    const early = deliver(plan(5), { intervalMs: 60_000 }, new AbortController().signal);
    for await (const chunk of early) {
      expect(chunk).toBe(frame({ data: { n: 0 } }));
      break;
    }
    expect(wheel.pending).toBe(0);
    // Read once, as a generator is: a second loop finds it done, and it cannot be driven after.
    expect(await read(early)).toEqual({ chunks: [] });
    expect(() => early.open({ write: () => true, end: () => {} })).toThrow(/already/);
  });

  test('opened on a sink: written as due, held while the sink is full, ended once', async () => {
    const written: string[] = [];
    const ends: unknown[][] = [];
    let full = false;
    const run = deliver(plan(3), { intervalMs: 5 }, new AbortController().signal).open({
      write(chunk) {
        written.push(chunk);
        return !full;
      },
      end: (...error) => void ends.push(error),
    });
    full = true;
    run.start();
    expect(written).toHaveLength(1);
    // Held: nothing more comes until resume(), however long.
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(written).toHaveLength(1);
    expect(wheel.pending).toBe(0);
    full = false;
    run.resume();
    await waitFor(() => ends.length > 0, 'the end');
    expect(written).toHaveLength(4);
    expect(ends).toEqual([[]]);
  });
});

describe('chat chunks framed from the text their fields share', () => {
  const plain = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
  const second = { index: 1, message: { role: 'assistant', content: 'Another answer.', refusal: null }, logprobs: null, finish_reason: 'length' };
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['plain text', chatBody({ content: CHAT_TEXT }), {}],
    ['usage on every chunk, and the usage chunk', chatBody({ content: CHAT_TEXT }), { stream_options: { include_usage: true } }],
    ['two choices, interleaved', { ...chatBody({ content: CHAT_TEXT }), choices: [chatBody({ content: CHAT_TEXT }).choices[0], second] }, {}],
    ['tool calls and a moderation on the last chunk', chatBody({ content: null, tool_calls: TOOL_CALLS }, { moderation: { flagged: false } }), {}],
    ['no service tier nor fingerprint, a quoted model name', { ...chatBody({ content: 'x"y\\z' }), service_tier: undefined, system_fingerprint: undefined, model: 'a "model"\n' }, {}],
    ['no id at all', { ...chatBody({ content: CHAT_TEXT }), id: undefined }, {}],
    ['content that JSON escapes: quotes, backslashes, control and line-separator characters, emoji', chatBody({ content: 'say "hi" \\ \u0001\u2028 then 👋 and ünïcödé' }), {}],
    ['content with logprobs (not plain content chunks)', { ...chatBody({ content: 'Hello there' }), choices: [{ ...chatBody({ content: 'Hello there' }).choices[0], logprobs: { content: [{ token: 'Hello', logprob: -0.1, bytes: [72], top_logprobs: [] }, { token: ' there', logprob: -0.2, bytes: [32], top_logprobs: [] }], refusal: null } }] }, {}],
  ];

  test.each(cases)('%s: each event reads exactly as its data', (_name, body, request) => {
    const streamed = chatCompletionStream(body, request);
    expect(streamed.events.filter((event) => event.framed).length).toBeGreaterThan(0);
    for (const event of streamed.events) expect(frame(event)).toBe(plain(event.data));
  });
});

describe('through the server', () => {
  const ask = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true };
  // Base64 audio goes out in pieces of 4096 characters: 48 MiB is some 12,000 events, far more than
  // the socket buffers of both ends hold.
  const AUDIO = 'QUFB'.repeat(12 * 1024 * 1024);

  /** A raw request whose response is not read until `resume()`. */
  function paused(url: string) {
    return new Promise<{ request: http.ClientRequest; response: http.IncomingMessage }>((resolve, reject) => {
      const request = http.request(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' } });
      request.on('response', (response) => {
        response.pause();
        resolve({ request, response });
      });
      request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
      request.end(JSON.stringify(ask));
    });
  }

  /** Until the journal's count of the entry's events stays the same from one look to the next. */
  async function writesStopped(entry: () => { response: { events?: unknown[] } } | undefined): Promise<void> {
    let seen = -1;
    await waitFor(() => {
      const now = entry()!.response.events!.length;
      const still = now === seen;
      seen = now;
      return still;
    }, 'the writes to stop');
  }

  test('a reader that stops reading holds the stream back; once it reads again it gets every event, in order', async () => {
    const mock = await startMock({ steps: [rewriteStep({ createChatCompletion: withBody(chatBody({ audio: { id: 'audio_1', data: AUDIO, expires_at: 1, transcript: 'hi' } })) })] });
    try {
      const { response } = await paused(mock.url);
      const entry = () => mock.journal.requests({ operation: 'createChatCompletion' })[0];
      await waitFor(() => (entry()?.response.events?.length ?? 0) > 0, 'the first events');
      // Let the server write all it can: it stops well short of the end while nobody reads.
      await writesStopped(entry);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const held = entry()!.response.events!.length;
      expect(held).toBeLessThan(AUDIO.length / 4096 / 2);

      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.resume();
      await new Promise((resolve) => response.on('end', resolve));
      const events = parseEventStream(text);
      expect(events.at(-1)!.data).toBe('[DONE]');
      const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data));
      expect(chunks.map((chunk) => chunk.choices[0]?.delta.audio?.data ?? '').join('')).toBe(AUDIO);
      expect(entry()!.response.events!.length).toBe(events.length);
      expect(entry()!.response.interrupted).toBeUndefined();
    } finally {
      await mock.close();
    }
  }, 60_000);

  test('a paced stream held by a slow reader whose client leaves: freed, nothing left on the wheel, the journal says so', async () => {
    const mock = await startMock({ steps: [rewriteStep({ createChatCompletion: withBody(chatBody({ audio: { id: 'audio_1', data: AUDIO } }), { intervalMs: 1 }) })] });
    try {
      const { request } = await paused(mock.url);
      const entry = () => mock.journal.requests({ operation: 'createChatCompletion' })[0];
      await waitFor(() => (entry()?.response.events?.length ?? 0) > 0, 'the first events');
      await writesStopped(entry);
      request.destroy();
      await waitFor(() => entry()!.response.interrupted !== undefined, 'the stream to end');
      expect(entry()!.response.interrupted).toMatch(/client went away after \d+ events/);
      expect(wheel.pending).toBe(0);
      expect((await fetch(`${mock.url}/v1/models`, { headers: { authorization: 'Bearer sk-test' } })).status).toBe(200);
    } finally {
      await mock.close();
    }
  }, 60_000);
});

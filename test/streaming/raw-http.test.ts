/**
 * The wire format without the SDK: headers, event framing, the `[DONE]` line, one flush per
 * event, connections reused after a stream, and streaming decided by the body, not by Accept.
 */
import http from 'node:http';
import net from 'node:net';
import type { MockServer } from '../../src';
import { startMock } from '../helpers/server';
import { CHAT_TEXT, chatBody, JSON_HEADERS, parseEventStream, postJson, rewriteStep, withBody } from './support';

let mock: MockServer;

beforeAll(async () => {
  mock = await startMock({ steps: [rewriteStep({ createChatCompletion: withBody(chatBody({ content: CHAT_TEXT })) })] });
});
afterAll(async () => {
  await mock?.close();
});

const chat = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] };

interface Exchanged {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as it arrived, one entry per socket read. */
  arrivals: string[];
  reusedSocket: boolean;
}

function post(path: string, body: unknown, agent: http.Agent, headers: Record<string, string> = {}): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${mock.url}${path}`, { method: 'POST', agent, headers: { ...JSON_HEADERS, ...headers } });
    request.on('response', (response) => {
      const arrivals: string[] = [];
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => arrivals.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, arrivals, reusedSocket: request.reusedSocket }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

test('headers: text/event-stream, no-cache, chunked, no length, a request id', async () => {
  const agent = new http.Agent({ keepAlive: true });
  try {
    const { status, headers } = await post('/v1/chat/completions', { ...chat, stream: true }, agent);
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers['cache-control']).toBe('no-cache');
    expect(headers['x-accel-buffering']).toBe('no');
    expect(headers['transfer-encoding']).toBe('chunked');
    expect(headers['content-length']).toBeUndefined();
    expect(headers['x-request-id']).toMatch(/^req_/);
    expect(headers.connection).toBe('keep-alive');
  } finally {
    agent.destroy();
  }
});

test('framing: `data: <json>` events separated by blank lines, ending with `data: [DONE]`', async () => {
  const text = await (await postJson(`${mock.url}/v1/chat/completions`, { ...chat, stream: true })).text();
  expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  const events = parseEventStream(text);
  expect(events.filter((e) => e.data === '[DONE]')).toHaveLength(1);
  for (const event of events.slice(0, -1)) {
    expect(event.event).toBeUndefined();
    expect(JSON.parse(event.data).object).toBe('chat.completion.chunk');
  }
});

test('Responses events name themselves in `event:` lines that match their type', async () => {
  const text = await (await postJson(`${mock.url}/v1/responses`, { model: 'gpt-4o', input: 'Hi', stream: true })).text();
  const events = parseEventStream(text);
  for (const event of events) expect(event.event).toBe(JSON.parse(event.data).type);
  expect(text).not.toContain('[DONE]');
});

test('each event is flushed as written, not buffered to the end', async () => {
  const paced = await startMock({ stream: { intervalMs: 40 }, steps: [rewriteStep({ createChatCompletion: withBody(chatBody({ content: 'one two three four five six' })) })] });
  const agent = new http.Agent();
  try {
    const result = await new Promise<string[]>((resolve, reject) => {
      const request = http.request(`${paced.url}/v1/chat/completions`, { method: 'POST', agent, headers: JSON_HEADERS });
      request.on('response', (response) => {
        const arrivals: string[] = [];
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => arrivals.push(chunk));
        response.on('end', () => resolve(arrivals));
      });
      request.on('error', reject);
      request.end(JSON.stringify({ ...chat, stream: true }));
    });
    const events = parseEventStream(result.join(''));
    // Buffered to the end, the body would arrive in one or two reads; flushed, the reads follow
    // the events (a busy client may still read two at once now and then).
    expect(events.length).toBeGreaterThan(6);
    expect(result.length).toBeGreaterThan(events.length / 2);
    expect(parseEventStream(result[0]!)).toHaveLength(1);
  } finally {
    agent.destroy();
    await paced.close();
  }
});

test('a kept-alive connection serves the next request after a stream', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await post('/v1/chat/completions', { ...chat, stream: true }, agent);
    const second = await post('/v1/chat/completions', { ...chat, stream: true }, agent);
    const third = await post('/v1/chat/completions', chat, agent);
    expect(first.reusedSocket).toBe(false);
    expect(second.reusedSocket).toBe(true);
    expect(third.reusedSocket).toBe(true);
    expect(parseEventStream(second.arrivals.join('')).at(-1)!.data).toBe('[DONE]');
    expect(JSON.parse(third.arrivals.join('')).object).toBe('chat.completion');
  } finally {
    agent.destroy();
  }
});

/** Splits raw HTTP/1.1 responses read from one socket: status line, headers, chunked body decoded strictly. */
function splitChunkedResponses(raw: string): { status: number; body: string }[] {
  const responses: { status: number; body: string }[] = [];
  let at = 0;
  while (at < raw.length) {
    const headEnd = raw.indexOf('\r\n\r\n', at);
    if (headEnd < 0) throw new Error(`a response cut in its headers at byte ${at}`);
    const head = raw.slice(at, headEnd);
    if (!/transfer-encoding: chunked/i.test(head)) throw new Error(`not chunked: ${head}`);
    at = headEnd + 4;
    let body = '';
    for (;;) {
      const sizeEnd = raw.indexOf('\r\n', at);
      const size = parseInt(raw.slice(at, sizeEnd), 16);
      if (!Number.isInteger(size)) throw new Error(`a chunk size that is not hex at byte ${at}: ${JSON.stringify(raw.slice(at, at + 20))}`);
      at = sizeEnd + 2;
      if (raw.slice(at + size, at + size + 2) !== '\r\n') throw new Error(`a chunk of ${size} bytes not followed by CRLF at byte ${at}`);
      body += raw.slice(at, at + size);
      at += size + 2;
      if (size === 0) break;
    }
    responses.push({ status: Number(head.split(' ')[1]), body });
  }
  return responses;
}

test('paced streams framed exactly: two pipelined on one connection come whole, one after the other; an HTTP/1.0 client gets its events unchunked', async () => {
  const paced = await startMock({ stream: { intervalMs: 5 }, steps: [rewriteStep({ createChatCompletion: withBody(chatBody({ content: 'one two three four five six' })) })] });
  const address = new URL(paced.url);
  const exchange = (requests: string) =>
    new Promise<string>((resolve, reject) => {
      // latin1 keeps one character per byte, so that chunk sizes count characters.
      const socket = net.connect(Number(address.port), address.hostname, () => socket.write(requests));
      let raw = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (raw += chunk));
      socket.on('end', () => resolve(raw));
      socket.on('error', reject);
    });
  const body = JSON.stringify({ ...chat, stream: true });
  const request = (version: string, close: boolean) =>
    `POST /v1/chat/completions HTTP/${version}\r\nhost: ${address.host}\r\ncontent-type: application/json\r\nauthorization: Bearer sk-test\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${close ? 'connection: close\r\n' : ''}\r\n${body}`;
  try {
    const pipelined = splitChunkedResponses(await exchange(request('1.1', false) + request('1.1', true)));
    expect(pipelined.map((r) => r.status)).toEqual([200, 200]);
    for (const { body: events } of pipelined) {
      const parsed = parseEventStream(events);
      expect(parsed.at(-1)!.data).toBe('[DONE]');
      expect(parsed.length).toBeGreaterThan(6);
    }
    const old = await exchange(request('1.0', true));
    expect(old).toMatch(/^HTTP\/1\.1 200/);
    expect(old).not.toMatch(/transfer-encoding: chunked/i);
    expect(parseEventStream(old.slice(old.indexOf('\r\n\r\n') + 4)).at(-1)!.data).toBe('[DONE]');
  } finally {
    await paced.close();
  }
});

test('the body decides, not Accept: stream: true streams under Accept: application/json; Accept: text/event-stream alone does not', async () => {
  const streamed = await postJson(`${mock.url}/v1/chat/completions`, { ...chat, stream: true }, { headers: { ...JSON_HEADERS, accept: 'application/json' } });
  expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
  await streamed.text();

  const plain = await postJson(`${mock.url}/v1/chat/completions`, chat, { headers: { ...JSON_HEADERS, accept: 'text/event-stream' } });
  expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
  expect((await plain.json()).object).toBe('chat.completion');

  const notStreamed = await postJson(`${mock.url}/v1/chat/completions`, { ...chat, stream: false });
  expect(notStreamed.headers.get('content-type')).toMatch(/^application\/json/);
  await notStreamed.text();
});

test('speech streams only with stream_format "sse"', async () => {
  const request = { model: 'gpt-4o-mini-tts', input: 'Hi', voice: 'alloy' };
  const audio = await postJson(`${mock.url}/v1/audio/speech`, request);
  expect(audio.headers.get('content-type')).not.toMatch(/event-stream/);
  await audio.arrayBuffer();
  const sse = await postJson(`${mock.url}/v1/audio/speech`, { ...request, stream_format: 'sse' });
  expect(sse.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  expect(parseEventStream(await sse.text()).at(-1)!.event).toBe('speech.audio.done');
});

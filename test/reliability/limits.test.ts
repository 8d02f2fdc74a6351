/**
 * Limits: a body over the limit is refused without being read into memory, and clients too slow
 * to send their request are cut off with a 408, so that nobody can hold the server's sockets.
 */
import net from 'node:net';
import type { MockServer } from '../../src';
import { startMock } from '../helpers/server';
import { heapAfterGc } from './helpers/process-state';
import { buildRequest, parseAnswer, rawRequest, type RawAnswer } from './helpers/raw-http';

const LIMIT = 1024 * 1024;
const AUTH = 'Bearer sk-limits';
let mock: MockServer;

beforeAll(async () => {
  mock = await startMock({ bodyLimit: LIMIT, headersTimeout: 500, requestTimeout: 1_000 });
});

afterAll(async () => {
  await mock?.close();
});

function expectOpenAIError(answer: RawAnswer | undefined, status: number) {
  expect(answer?.status).toBe(status);
  const body = JSON.parse(answer!.body);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(body.error.type).toBe('invalid_request_error');
}

/**
 * Sends the head, then body chunks as fast as the socket takes them, until an answer arrives or
 * `maxBytes` were written. Returns the answer and how much of the body was sent before it.
 */
function uploadUntilAnswered(head: string, chunk: Buffer, maxBytes: number, frame = (c: Buffer) => c) {
  return new Promise<{ answer?: RawAnswer; sent: number; finished: boolean }>((resolve, reject) => {
    const socket = net.connect(mock.port, '127.0.0.1');
    const received: Buffer[] = [];
    let sent = 0;
    let done = false;
    const finish = (finished: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      socket.destroy();
      resolve({ answer: parseAnswer(Buffer.concat(received)), sent, finished });
    };
    const deadline = setTimeout(() => {
      done = true;
      socket.destroy();
      reject(new Error(`no answer after ${sent} body bytes`));
    }, 20_000);
    socket.on('data', (data) => {
      received.push(data);
      if (parseAnswer(Buffer.concat(received))) finish(false);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
    socket.write(head);
    const pump = () => {
      while (!done && sent < maxBytes) {
        sent += chunk.length;
        if (!socket.write(frame(chunk))) return void socket.once('drain', pump);
      }
      if (!done && sent >= maxBytes) finish(true);
    };
    // An empty chunk: the head alone, and wait.
    if (chunk.length > 0) socket.once('connect', pump);
  });
}

test('a declared Content-Length over the limit gets 413 at once, before any of the body is sent', async () => {
  const head = `POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Type: application/json\r\nContent-Length: ${10 * 1024 ** 3}\r\n\r\n`;
  const result = await uploadUntilAnswered(head, Buffer.alloc(0), 1);
  expect(result.finished).toBe(false);
  expectOpenAIError(result.answer, 413);
  expect(JSON.parse(result.answer!.body).error.code).toBe('request_too_large');
  expect(result.answer!.headers.connection).toBe('close');
});

test('a chunked upload that never ends gets 413 once past the limit, and is not kept in memory', async () => {
  const before = await heapAfterGc();
  const head = `POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const frame = (c: Buffer) => Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')]);
  const maxBytes = 512 * 1024 * 1024;
  const result = await uploadUntilAnswered(head, chunk, maxBytes, frame);
  expect(result.finished).toBe(false);
  expectOpenAIError(result.answer, 413);
  // Answered long before the upload could finish: the limit plus what sits in socket buffers.
  expect(result.sent).toBeLessThan(64 * 1024 * 1024);
  expect((await heapAfterGc()) - before).toBeLessThan(16 * 1024 * 1024);
});

test('a body of exactly the limit is read; one byte more is refused', async () => {
  const body = (size: number) => {
    const json = JSON.stringify({ model: 'text-embedding-3-small', input: 'hello' });
    return json + ' '.repeat(size - Buffer.byteLength(json));
  };
  const send = (size: number) =>
    rawRequest(mock.port, buildRequest('POST', '/v1/embeddings', { Authorization: AUTH, 'Content-Type': 'application/json' }, body(size)), 10_000);
  const atLimit = await send(LIMIT);
  const over = await send(LIMIT + 1);
  expect('answer' in atLimit && atLimit.answer.status).toBe(200);
  expect('answer' in over && over.answer.status).toBe(413);
});

/** Opens a connection, sends `parts` with `gapMs` between them, and reads what comes back. */
function slowClient(parts: string[], gapMs: number) {
  return new Promise<{ answer?: RawAnswer; partsSent: number; closed: boolean }>((resolve, reject) => {
    const socket = net.connect(mock.port, '127.0.0.1');
    const received: Buffer[] = [];
    let partsSent = 0;
    let timer: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`still open after 15 s, ${partsSent} parts sent`));
    }, 15_000);
    const next = () => {
      if (socket.destroyed || partsSent >= parts.length) return;
      socket.write(parts[partsSent++]!);
      timer = setTimeout(next, gapMs);
    };
    socket.on('data', (data) => received.push(data));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      clearTimeout(deadline);
      resolve({ answer: parseAnswer(Buffer.concat(received)), partsSent, closed: true });
    });
    socket.once('connect', next);
  });
}

test('a client that stops in the middle of its headers gets 408 and the connection is closed', async () => {
  const result = await slowClient(['POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n'], 60_000);
  expect(result.closed).toBe(true);
  expectOpenAIError(result.answer, 408);
});

test('a client that sends its headers one byte at a time is cut off all the same (slowloris)', async () => {
  const head = `GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nX-Padding: ${'p'.repeat(200)}\r\n\r\n`;
  const result = await slowClient([...head], 50);
  expect(result.closed).toBe(true);
  expect(result.partsSent).toBeLessThan(head.length);
  expectOpenAIError(result.answer, 408);
});

test('a client that stops in the middle of its body gets 408 and the connection is closed', async () => {
  const head = `POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":`;
  const result = await slowClient([head], 60_000);
  expect(result.closed).toBe(true);
  expectOpenAIError(result.answer, 408);
});

test('after all that, the server answers a normal request', async () => {
  const outcome = await rawRequest(mock.port, buildRequest('GET', '/v1/models', { Authorization: AUTH }), 10_000);
  expect('answer' in outcome && outcome.answer.status).toBe(200);
});

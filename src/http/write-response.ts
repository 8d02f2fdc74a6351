import type { ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { randomHex } from '../util/random';
import { streamOf, type MockResponse } from '../pipeline/types';
import { ConnectionCut, EventStream, firstEventNow } from '../streaming/deliver';
import type { StreamTap } from '../sessions/record';

/** Resolves when the response can take more, or is closed. */
function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

/** The client went away while a stream waited (its signal aborted the wait). */
const isAbortError = (error: unknown) => (error as Error)?.name === 'AbortError';

/**
 * As the loop over any other stream does, for one of ours, driven by its pacing instead: each
 * event is written when the wheel finds it due, with no promise or iterator step in between.
 */
function writeEvents(response: ServerResponse, stream: EventStream, tap: StreamTap | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let socket: Socket | undefined;
    const drained = () => {
      response.off('drain', drained);
      response.off('close', drained);
      socket?.off('drain', drained);
      run.resume();
    };
    // Called back from the wheel: a failure here must still settle the answer, not escape into the wheel.
    const ended = () => {
      try {
        response.end();
        tap?.end();
        resolve();
      } catch (error) {
        response.destroy();
        reject(error);
      }
    };
    const run = stream.open({
      write(chunk, event) {
        if (response.destroyed) {
          run.stop();
          ended();
          return false;
        }
        // The journal keeps the event itself, which the stream's plan holds anyway, rather than its
        // text: the text then dies young instead of living as long as the entry.
        if (tap) tap.event ? tap.event(event) : tap.chunk(chunk);
        // Each chunk goes out as written; a slow reader holds the stream back instead of piling up memory.
        if (socket) {
          if (socket.write(`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`)) return true;
          socket.on('drain', drained);
          response.on('close', drained);
          return false;
        }
        const more = response.write(chunk);
        // Once the headers and first event are out, on plain HTTP/1.1: see chunkedSocketOf.
        socket = chunkedSocketOf(response);
        if (more) return true;
        response.on('drain', drained);
        response.on('close', drained);
        return false;
      },
      end(...failure) {
        if (failure.length === 0) return ended();
        let error = failure[0];
        try {
          tap?.end(error ?? new Error('the stream failed'));
        } catch (failed) {
          error = failed;
        }
        // The status line is long gone: cutting the connection is the only way left to say it failed.
        response.destroy();
        if (error instanceof ConnectionCut || isAbortError(error)) resolve();
        else reject(error);
      },
    });
    run.start();
  });
}

/**
 * The socket a stream's later events may be written to directly, each as one chunk of HTTP/1.1's
 * chunked encoding in one string, or undefined to go on through `response.write`. At thousands
 * of paced streams the response's own path (the chunk's size, its CRLFs and the event as four
 * writes, corked, then uncorked on the next tick as one `writev`) was a seventh of each event's
 * cost. Only for a plain HTTP/1.1 response that holds its connection (not one queued behind
 * another on a pipelined connection), whose headers are out and which uses chunked encoding;
 * `response.end()` still writes the last chunk.
 */
function chunkedSocketOf(response: ServerResponse): Socket | undefined {
  const socket = response.socket;
  // A TLS socket says so (`encrypted`): asking `instanceof TLSSocket` would load node:tls into every run.
  if (!(socket instanceof Socket) || (socket as Socket & { encrypted?: boolean }).encrypted === true || !response.headersSent) return undefined;
  if ((response as ServerResponse & { chunkedEncoding?: boolean }).chunkedEncoding !== true) return undefined;
  return socket;
}

/** A body past the answer ceiling: nothing was written yet, so an error can be sent instead. */
export class AnswerTooLargeError extends Error {}

/**
 * Writes a response: JSON values serialised, strings and Buffers as they are, and async
 * iterables (event streams) chunk by chunk, each flushed as written and stopped when the client
 * goes away. A plain answer is written at once (undefined: nothing to wait for, no promise made);
 * a stream gives the promise of its end.
 */
export function writeResponse(response: ServerResponse, result: MockResponse, maxBytes = Infinity, tap?: StreamTap): Promise<void> | undefined {
  if (response.headersSent || response.destroyed) return undefined;
  const headers: Record<string, string> = { ...result.headers };
  // The SDK exposes this as `_request_id`; the real API always sends one.
  // From the pooled random bytes: a UUID and its dashes removed cost a microsecond and 900 bytes a request.
  headers['x-request-id'] ??= `req_${randomHex(16)}`;

  const stream = streamOf(result);
  if (stream) return writeStream(response, result, headers, stream, tap);
  writePlain(response, result, headers, maxBytes, tap);
  return undefined;
}

async function writeStream(response: ServerResponse, result: MockResponse, headers: Record<string, string>, stream: AsyncIterable<string | Buffer>, tap: StreamTap | undefined): Promise<void> {
  headers['content-type'] ??= 'text/event-stream';
  headers['cache-control'] ??= 'no-cache';
  response.writeHead(result.status, headers);
  // A stream whose first event is ready at once sends its headers with it, in one write; any other gets them now.
  if (!firstEventNow.has(stream)) response.flushHeaders();
  if (stream instanceof EventStream) return writeEvents(response, stream, tap);
  try {
    for await (const chunk of stream) {
      if (response.destroyed) break;
      tap?.chunk(chunk);
      // Each chunk goes out as written; a slow reader holds the stream back instead of piling up memory.
      if (!response.write(chunk)) await drained(response);
    }
    response.end();
    tap?.end();
  } catch (error) {
    tap?.end(error ?? new Error('the stream failed'));
    // The status line is long gone: cutting the connection is the only way left to say it failed.
    response.destroy();
    if (!(error instanceof ConnectionCut) && !isAbortError(error)) throw error;
  }
}

function writePlain(response: ServerResponse, result: MockResponse, headers: Record<string, string>, maxBytes: number, tap: StreamTap | undefined): void {
  let payload: Buffer | string;
  if (result.raw) payload = result.raw;
  else if (Buffer.isBuffer(result.body)) payload = result.body;
  else if (typeof result.body === 'string' && !/json/.test(headers['content-type'] ?? '')) payload = result.body;
  else if (result.body === undefined) payload = '';
  else {
    try {
      payload = JSON.stringify(result.body);
    } catch (error) {
      // V8's longest string (about 512 MiB) is shorter than some bodies; that is a body too large, not a failure.
      if (error instanceof RangeError) throw new AnswerTooLargeError(`The answer is too large to send (${error.message}): ask for less.`);
      throw error;
    }
    headers['content-type'] ??= 'application/json';
  }
  const bytes = Buffer.byteLength(payload);
  if (bytes > maxBytes) {
    throw new AnswerTooLargeError(
      `The answer would be ${bytes} bytes, more than this server's limit of ${maxBytes} bytes per answer. Ask for less, or raise the limit with --max-answer-bytes (maxAnswerBytes).`,
    );
  }
  headers['content-length'] = String(bytes);
  tap?.written?.(payload, headers['content-type']);
  response.writeHead(result.status, headers);
  response.end(payload);
}

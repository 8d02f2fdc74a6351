import type { IncomingHttpHeaders } from 'node:http';
import type { PreparedOperation } from '../openapi/prepare';
import type { UploadedFile } from '../http/parse-body';

/**
 * A request's path through the server: the HTTP front parses, routes and checks it into an
 * `Exchange`, then a chain of steps produces the `MockResponse`. The engine (Prism) is the last
 * step, the source of the default answer; overrides, realism, and later proxying, recording or
 * replay are steps of the same shape placed before it.
 */

export interface MockRequest {
  /** Upper case, as the user wrote it in an override key: `POST`. */
  method: string;
  /** Path as received, e.g. `/v1/chat/completions`. */
  path: string;
  /** Path without the `/v1` prefix, as the spec writes it. */
  apiPath: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** JSON value, or form fields (files as `UploadedFile`); undefined when no body was sent. */
  body: unknown;
  files: Record<string, UploadedFile>;
  /** Media type of the request body, without parameters. */
  contentType: string | undefined;
  /** The body's bytes as received: the proxy forwards these (a multipart upload keeps its boundary). */
  raw?: Buffer;
  /** The query string as received, minus the mock's own `__` parameters: `?limit=2`, or ''. */
  search?: string;
}

/** Where an answer came from, for logs and the journal. */
export type ResponseSource = 'engine' | 'override' | 'replay' | 'proxy' | 'mock-fallback' | 'state';

export interface MockResponse {
  status: number;
  headers: Record<string, string>;
  /** A JSON value, a string (text), a Buffer (binary), or an async iterable of chunks (a stream). */
  body: unknown;
  /** How to stream this response when the request asked for a stream (timing, errors, cuts). */
  stream?: StreamControl;
  /** Which source answered (unset: the engine). */
  source?: ResponseSource;
  /**
   * The body exactly as an upstream or a cassette sent it, written instead of `body` while no
   * step has replaced the response: an unmatched proxied answer goes out byte for byte. A string
   * is JSON text the mock made (pipeline/text-answer.ts), sent as UTF-8.
   */
  raw?: Buffer | string;
}

/** Set by config or an override; read by the streaming step. All optional, zero by default. */
export interface StreamControl {
  /** Milliseconds before the first event (time to first token). */
  firstEventDelayMs?: number;
  /** Milliseconds between events. */
  intervalMs?: number;
  /**
   * Milliseconds before event `position` (1 and up), one per event, as a latency model draws
   * them (src/latency); wins over `intervalMs`.
   */
  gapMs?: (position: number) => number;
  /** End the stream with an error event after this many events. */
  errorAfter?: number;
  /** The error sent then; OpenAI's shape. */
  error?: { message: string; type?: string; code?: string | null; param?: string | null };
  /** Cut the connection (no final event, no [DONE]) after this many events. */
  cutAfter?: number;
}

export interface Preferences {
  /** `Prefer: code=429`: answer with the spec's response for that status. */
  code?: number;
  /** `Prefer: example=name`: a named example of the response. */
  example?: string;
  /** `Prefer: dynamic=true`: bodies generated from the schema instead of static ones. */
  dynamic?: boolean;
  seed?: string;
  /** `Prefer: latency=realistic`: this request paced by a named latency profile (src/latency). */
  latency?: string;
}

export interface Exchange {
  request: MockRequest;
  operation: PreparedOperation;
  /** The spec's operationId, e.g. `createChatCompletion`. */
  operationId: string;
  /** The spec's path key, e.g. `/files/{file_id}/content`. */
  template: string;
  /** The media type the response will have, chosen from the spec and the Accept header. */
  responseMediaType: string;
  preferences: Preferences;
  /** Aborted when the client goes away, so steps can stop work (timers, streams, upstream calls). */
  signal: AbortSignal;
  /** The test session the request belongs to (`x-mock-session`, or its API key when so configured); `default` otherwise. */
  session?: string;
}

/**
 * Thrown by a step to close the connection without answering (a scripted fault): the front
 * destroys the socket before any status line, as a crashed upstream would.
 */
export class DropConnection extends Error {
  constructor() {
    super('connection closed without an answer, as scripted');
  }
}

/**
 * The answer's body when it is a stream (an async iterable of chunks), else undefined. A body held
 * as text (`raw`, pipeline/text-answer.ts) is none, and is not parsed to find out.
 */
export function streamOf(response: MockResponse): AsyncIterable<string | Buffer> | undefined {
  if (response.raw) return undefined;
  const body = response.body;
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body ? (body as AsyncIterable<string | Buffer>) : undefined;
}

export type Handler = (exchange: Exchange) => Promise<MockResponse>;
export type Step = (exchange: Exchange, next: Handler) => Promise<MockResponse>;

/** Runs `steps` in order around `source`, each able to answer, change, or pass on. */
export function compose(steps: readonly Step[], source: Handler): Handler {
  return steps.reduceRight<Handler>((next, step) => (exchange) => step(exchange, next), source);
}

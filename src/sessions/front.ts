import type { IncomingMessage } from 'node:http';
import { streamOf, type Exchange, type MockResponse } from '../pipeline/types';
import { apiKeyOf } from '../scripts/match';
import { DEFAULT_SESSION } from '../scripts/book';
import { FILLS, later, type Journal, type JournalEntry, type Pending } from './journal';
import { journalBody, maskHeaders, maskQuery, recordEvents, type StreamTap } from './record';

/**
 * What the HTTP front (src/http/handler.ts) asks of sessions and the journal: the session of a
 * request, read once from its headers, and the journal entry of each answer, written beside the
 * log line so that the 400s, 401s and 404s that never reach the pipeline are in it too.
 */

export interface SessionOptions {
  /** The header naming a request's session (default `x-mock-session`). */
  header?: string;
  /** Without the header, a request's API key is its session: each test gives its client its own key. */
  byApiKey?: boolean;
}

/** What the front learnt of a request before it failed or was answered. */
export interface SeenRequest {
  operationId?: string;
  query?: Record<string, unknown>;
  body?: unknown;
  /** Bytes of a JSON body as sent: past JOURNAL_BODY_MAX the journal keeps only its size. */
  jsonBytes?: number;
  /** The JSON body's text as sent, when `body` is what it parses to. */
  jsonText?: string;
}

/**
 * The largest JSON request body the journal keeps whole (as aimock does): a thousand entries of
 * megabyte bodies would otherwise hold a gigabyte. Uploads are kept as name, size and sha256 anyway.
 */
export const JOURNAL_BODY_MAX = 64 * 1024;

export interface Answered {
  request: IncomingMessage;
  session: string;
  seen: SeenRequest;
  exchange?: Exchange;
  result: MockResponse;
  /** process.hrtime.bigint() when the request arrived. */
  started: bigint;
}

export interface FrontHooks {
  sessionOf(request: IncomingMessage): string;
  /** Records an answer about to be written; returns what to call once it is written, and what the writer tells of it as it goes (a stream's events, a plain answer's bytes). */
  record(answered: Answered): { done(): void; tap?: StreamTap } | undefined;
  /** Records a connection closed without an answer (a scripted fault). */
  dropped(answered: Omit<Answered, 'result'>): void;
}

const MAX_SESSION_NAME = 256;

const sinceMs = (started: bigint) => Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3;

/** The query of a request that failed before it was read (a 404): as plain text values. */
function rawQuery(url: string): Record<string, unknown> {
  const at = url.indexOf('?');
  if (at < 0) return {};
  try {
    return Object.fromEntries(new URLSearchParams(url.slice(at + 1)));
  } catch {
    return {};
  }
}


/**
 * What an entry leaves for its first reader, and what the writer tells it of a plain answer: one
 * object per request, its work in methods, in place of the half-dozen closures (and their
 * contexts) a request cost before, which under load lived a thousand requests each and were
 * promoted with their entries. It keeps values, never the request or the exchange: what a reader
 * needs (masked headers and query, the ISO time, uploads' digests) is worked out when the entry is
 * first read, and most entries never are.
 */
class Kept implements StreamTap {
  /** A plain answer's body: as given, then (once written or done) as kept. */
  private given: unknown;
  /** What is kept of a plain answer's body: its JSON as sent (parsed when read), else `keptValue`. */
  private keptJson: string | Buffer | undefined;
  private keptValue: unknown = NOT_KEPT;
  /** The answer is plain (not streamed). */
  private plain = false;
  /** The answer's own headers, for a reader; undefined until there is an answer. */
  private resultHeaders: Record<string, string> | undefined;

  constructor(
    private readonly entry: JournalEntry,
    private readonly arrived: number,
    private readonly url: string,
    private readonly query: Record<string, unknown> | undefined,
    private readonly headers: IncomingMessage['headers'],
    /** The request's JSON text, parsed when read; else its body as the journal shows it, summarised now (never the request's megabytes). */
    private readonly text: string | undefined,
    private readonly body: unknown,
    private readonly started: bigint,
    /** Set on the entry when it is read: a spread of it in the entry's literal cost each entry a second object. */
    private readonly script: string | undefined,
  ) {}

  /**
   * The answer is plain (not streamed): its body is kept as the writer serialised it. The answer
   * object itself is not kept: an entry lives a thousand requests, and an answer's body tree (a
   * chat completion's choices, message and usage) kept that long was the bulk of what the
   * collector copied and promoted per request.
   */
  answer(result: MockResponse): this {
    this.plain = true;
    this.resultHeaders = result.headers;
    // A JSON body held as text (`raw`) is kept as that text, not parsed to be looked at.
    const rawJson = result.raw && result.raw.length > 0 && JSON_TYPE.test(result.headers['content-type'] ?? '') ? result.raw : undefined;
    if (rawJson) this.keptJson = rawJson;
    else this.given = result.body;
    return this;
  }

  get tap(): StreamTap {
    return this;
  }

  /** A streamed answer: only its headers are left for the reader (its events are recordEvents'). */
  streamed(result: MockResponse): void {
    this.resultHeaders = result.headers;
  }

  fill(): void {
    const entry = this.entry;
    entry.time = new Date(this.arrived).toISOString();
    entry.query = maskQuery(this.query ?? rawQuery(this.url));
    entry.headers = maskHeaders(this.headers);
    entry.body = this.text !== undefined ? parsedJson(this.text) : this.body;
    if (this.script !== undefined) entry.script = this.script;
    if (this.resultHeaders) entry.response.headers = { ...this.resultHeaders };
    if (this.plain) {
      this.keep();
      entry.response.body = this.keptJson !== undefined ? parsedJson(this.keptJson) : this.keptValue;
    }
  }

  /** As for the request: an answer's bytes (audio, files) are summarised at once, never held. */
  private keep(): void {
    if (!this.isKept) this.keptValue = journalBody(this.given);
    this.given = undefined;
  }

  private get isKept(): boolean {
    return this.keptJson !== undefined || this.keptValue !== NOT_KEPT;
  }

  // The tap of a plain answer: only `written` has anything to do.
  chunk(): void {}
  end(): void {}

  /** The writer's serialised answer: a JSON one is kept as that one string (or the very bytes it wrote from `raw`), parsed when read. */
  written(payload: string | Buffer, contentType: string | undefined): void {
    if (!this.isKept && payload.length > 0 && JSON_TYPE.test(contentType ?? '')) this.keptJson = payload;
    this.keep();
  }

  /** The answer is out: a body never written (an answer that failed) is kept as given. */
  done(): void {
    if (this.plain) this.keep();
    this.entry.durationMs = sinceMs(this.started);
  }
}

export function createFrontHooks(journal: Journal, options: SessionOptions, scriptOf: (exchange: Exchange) => string | undefined): FrontHooks {
  const header = (options.header ?? 'x-mock-session').toLowerCase();

  /** The entry, kept in the journal, and what fills it in when first read. */
  const add = (answered: Omit<Answered, 'result'>, response: JournalEntry['response']): { entry: JournalEntry; kept: Kept } => {
    const { request, exchange, seen } = answered;
    const elapsed = sinceMs(answered.started);
    const url = request.url ?? '/';
    const script = exchange ? scriptOf(exchange) : undefined;
    const jsonBytes = seen.jsonBytes;
    const tooLarge = (jsonBytes ?? 0) > JOURNAL_BODY_MAX;
    // Summarised now (bytes of uploads and binaries by size and digest, a large JSON body dropped):
    // the deferred fill must never keep a request's megabytes alive in the journal. A JSON body is
    // kept as the text it came as: under load, a thousand entries' object trees are the collector's
    // work, promoted and marked again and again.
    const text = tooLarge ? undefined : seen.jsonText;
    const body = tooLarge
      ? { omitted: `a JSON body over ${JOURNAL_BODY_MAX} bytes`, bytes: jsonBytes }
      : text !== undefined
        ? undefined
        : journalBody(exchange ? exchange.request.body : seen.body);
    // Every field in the literal, the journal's id too: one set afterwards would give each entry a
    // second object (its out-of-object properties) to copy and promote.
    const entry: JournalEntry & Pending = {
      id: '',
      time: '',
      session: answered.session,
      method: (request.method ?? 'GET').toUpperCase(),
      path: exchange?.request.path ?? url.split('?')[0]!,
      operation: exchange?.operationId ?? seen.operationId ?? null,
      query: EMPTY,
      headers: EMPTY,
      body: undefined,
      response,
      durationMs: elapsed,
      [FILLS]: undefined,
    };
    // A URL without a query has none to show: its (empty) query object is not kept.
    const query = url.includes('?') ? (exchange?.request.query ?? seen.query) : undefined;
    const kept = new Kept(entry, Date.now() - elapsed, url, query, request.headers, text, body, answered.started, script);
    later(entry, kept);
    return { entry: journal.add(entry), kept };
  };

  return {
    sessionOf(request) {
      const named = request.headers[header];
      const value = (Array.isArray(named) ? named[0] : named)?.trim();
      if (value) return value.slice(0, MAX_SESSION_NAME);
      if (options.byApiKey) {
        const key = apiKeyOf(request.headers);
        if (key) return key.slice(0, MAX_SESSION_NAME);
      }
      return DEFAULT_SESSION;
    },

    record(answered) {
      if (!journal.enabled) return undefined;
      const { result } = answered;
      const streamed = streamOf(result) !== undefined;
      const response: JournalEntry['response'] = { status: result.status, headers: EMPTY_HEADERS, streamed };
      if (answered.exchange?.signal.aborted) response.interrupted = 'client went away before the answer';
      // Kept before the answer is written: a client that reads the journal after its answer finds it there.
      const { entry, kept } = add(answered, response);
      if (!streamed) return kept.answer(result);
      kept.streamed(result);
      let finished = false;
      const done = () => {
        if (!finished) (finished = true), kept.done();
      };
      return { done, tap: recordEvents(entry, response, done) };
    },

    dropped(answered) {
      if (!journal.enabled) return;
      add(answered, { status: 0, headers: {}, streamed: false, interrupted: 'connection closed without an answer, as scripted' });
    },
  };
}

const JSON_TYPE = /json/i;
/** A plain answer's body not kept yet (undefined is a body: an answer without one). */
const NOT_KEPT = Symbol('not kept');

/** JSON kept as text (or bytes), as it is read; what does not parse stays text. */
function parsedJson(data: string | Buffer): unknown {
  const text = typeof data === 'string' ? data : data.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Placeholders until an entry is read; never handed out (the journal fills the entry first). */
const EMPTY: Record<string, never> = Object.freeze({}) as Record<string, never>;
const EMPTY_HEADERS: Record<string, string> = EMPTY;

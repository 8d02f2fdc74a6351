import type { IncomingMessage } from 'node:http';
import { streamOf, type Exchange, type MockResponse } from '../pipeline/types';
import { apiKeyOf } from '../scripts/match';
import { DEFAULT_SESSION } from '../scripts/book';
import { FILLS, later, type Journal, type JournalEntry, type Pending } from './journal';
import { journalBody, recordEvents, type StreamTap } from './record';
import { shownRequest } from './mask';

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
  /** Whether the client has gone away (read without making the exchange's signal). */
  gone?: { readonly aborted: boolean };
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
 * What the front knows of one journaled request, and what the writer tells it of the answer: one
 * object per request, its work in methods, in place of the half-dozen closures (and their
 * contexts) a request cost before. It keeps values, never the request or the exchange.
 *
 * A plain answer's entry is packed (journal.ts, packed.ts) once the answer is out, and is never an
 * object on the heap: it is written in the same turn as it is recorded, so no reader can look in
 * between. A streamed answer's entry (and a dropped connection's) is an object from the start, in
 * the journal while its events come; what a reader needs of it (masked headers and query, the ISO
 * time) is worked out when it is first read, and most entries never are.
 */
class Kept implements StreamTap {
  /** A plain answer's body: as given, then (once written or done) as kept. */
  private given: unknown;
  /** What is kept of a plain answer's body: its JSON as sent (parsed when read), else `keptValue`. */
  private keptJson: string | Buffer | undefined;
  private keptValue: unknown = NOT_KEPT;
  /** The answer's own headers, for a reader; undefined until there is an answer. */
  private resultHeaders: Record<string, string> | undefined;
  /** The object entry of a streamed answer or a dropped connection; a plain answer has none. */
  private entry: JournalEntry | undefined;
  private status = 0;
  private interrupted: string | undefined;

  constructor(
    private readonly journal: Journal,
    private readonly arrived: number,
    private readonly started: bigint,
    private readonly session: string,
    private readonly method: string,
    private readonly path: string,
    private readonly operation: string | null,
    private readonly url: string,
    private readonly query: Record<string, unknown> | undefined,
    private readonly headers: IncomingMessage['headers'],
    /** The request's JSON text, parsed when read; else its body as the journal shows it, summarised now (never the request's megabytes). */
    private readonly text: string | undefined,
    private readonly body: unknown,
    private readonly script: string | undefined,
  ) {}

  /**
   * The answer is plain (not streamed): its body is kept as the writer serialised it. The answer
   * object itself is not kept: an answer's body tree (a chat completion's choices, message and
   * usage) kept for a thousand requests was the bulk of what the collector copied and promoted.
   */
  answer(result: MockResponse, interrupted: string | undefined): this {
    this.status = result.status;
    this.interrupted = interrupted;
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

  /** An object entry, in the journal at once: for a streamed answer (its events are recordEvents') or a dropped connection. */
  open(response: JournalEntry['response'], headers?: Record<string, string>): JournalEntry {
    this.resultHeaders = headers;
    // Every field in the literal, the journal's id too: one set afterwards would give each entry a
    // second object (its out-of-object properties) to copy and promote.
    const entry: JournalEntry & Pending = {
      id: '',
      time: '',
      session: this.session,
      method: this.method,
      path: this.path,
      operation: this.operation,
      query: EMPTY,
      headers: EMPTY,
      body: undefined,
      response,
      durationMs: sinceMs(this.started),
      [FILLS]: undefined,
    };
    later(entry, this);
    this.entry = entry;
    return this.journal.add(entry);
  }

  /** The query as parsed; for a request that failed before it was read, as the URL has it; none for a URL without one. */
  private get shownQuery(): Record<string, unknown> | undefined {
    return this.query ?? (this.url.includes('?') ? rawQuery(this.url) : undefined);
  }

  fill(): void {
    const entry = this.entry!;
    Object.assign(entry, shownRequest(this.arrived, this.shownQuery, this.headers, this.text, this.body));
    if (this.script !== undefined) entry.script = this.script;
    if (this.resultHeaders) entry.response.headers = { ...this.resultHeaders };
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

  /** The answer is out: an object entry gets its duration; a plain answer is packed, its body kept as given if never written (an answer that failed). */
  done(): void {
    const durationMs = sinceMs(this.started);
    if (this.entry) {
      this.entry.durationMs = durationMs;
      return;
    }
    this.keep();
    this.journal.addPacked({
      arrivedMs: this.arrived,
      durationMs,
      status: this.status,
      session: this.session,
      method: this.method,
      path: this.path,
      operation: this.operation,
      script: this.script,
      interrupted: this.interrupted,
      query: this.shownQuery,
      headers: this.headers,
      text: this.text,
      body: this.body,
      responseHeaders: this.resultHeaders,
      responseJson: this.keptJson,
      responseBody: this.keptJson === undefined ? this.keptValue : undefined,
    });
  }
}

export function createFrontHooks(journal: Journal, options: SessionOptions, scriptOf: (exchange: Exchange) => string | undefined): FrontHooks {
  const header = (options.header ?? 'x-mock-session').toLowerCase();

  /** What is kept of the request, summarised now. */
  const keptOf = (answered: Omit<Answered, 'result'>): Kept => {
    const { request, exchange, seen } = answered;
    const elapsed = sinceMs(answered.started);
    const url = request.url ?? '/';
    const jsonBytes = seen.jsonBytes;
    const tooLarge = (jsonBytes ?? 0) > JOURNAL_BODY_MAX;
    // Bytes of uploads and binaries by size and digest, a large JSON body dropped: the journal must
    // never keep a request's megabytes. A JSON body is kept as the text it came as.
    const text = tooLarge ? undefined : seen.jsonText;
    const body = tooLarge
      ? { omitted: `a JSON body over ${JOURNAL_BODY_MAX} bytes`, bytes: jsonBytes }
      : text !== undefined
        ? undefined
        : journalBody(exchange ? exchange.request.body : seen.body);
    // A URL without a query has none to show: its (empty) query object is not kept.
    const query = url.includes('?') ? (exchange?.request.query ?? seen.query) : undefined;
    return new Kept(
      journal,
      Date.now() - elapsed,
      answered.started,
      answered.session,
      (request.method ?? 'GET').toUpperCase(),
      exchange?.request.path ?? url.split('?')[0]!,
      exchange?.operationId ?? seen.operationId ?? null,
      url,
      query,
      request.headers,
      text,
      body,
      exchange ? scriptOf(exchange) : undefined,
    );
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
      const interrupted = answered.exchange && answered.gone?.aborted ? 'client went away before the answer' : undefined;
      const kept = keptOf(answered);
      if (streamOf(result) === undefined) return kept.answer(result, interrupted);
      // In the journal before the first event is written: a client that reads it then finds it there.
      const response: JournalEntry['response'] = { status: result.status, headers: EMPTY_HEADERS, streamed: true };
      if (interrupted !== undefined) response.interrupted = interrupted;
      const entry = kept.open(response, result.headers);
      let finished = false;
      const done = () => {
        if (!finished) (finished = true), kept.done();
      };
      return { done, tap: recordEvents(entry, response, done) };
    },

    dropped(answered) {
      if (!journal.enabled) return;
      keptOf(answered).open({ status: 0, headers: {}, streamed: false, interrupted: 'connection closed without an answer, as scripted' });
    },
  };
}

const JSON_TYPE = /json/i;
/** A plain answer's body not kept yet (undefined is a body: an answer without one). */
const NOT_KEPT = Symbol('not kept');

/** Placeholders until an entry is read; never handed out (the journal fills the entry first). */
const EMPTY: Record<string, never> = Object.freeze({}) as Record<string, never>;
const EMPTY_HEADERS: Record<string, string> = EMPTY;

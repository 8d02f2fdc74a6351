import type { IncomingMessage } from 'node:http';
import type { Exchange, MockResponse } from '../pipeline/types';
import { apiKeyOf } from '../scripts/match';
import { DEFAULT_SESSION } from '../scripts/book';
import type { Journal, JournalEntry } from './journal';
import { journalBody, maskHeaders, maskQuery, recordEvents } from './record';

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
}

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
  /** Records an answer about to be written; returns it (a stream wrapped to record its events as they go) and what to call once written. */
  record(answered: Answered): { result: MockResponse; done(): void } | undefined;
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

const isAsyncIterable = (value: unknown): value is AsyncIterable<string | Buffer> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

export function createFrontHooks(journal: Journal, options: SessionOptions, scriptOf: (exchange: Exchange) => string | undefined): FrontHooks {
  const header = (options.header ?? 'x-mock-session').toLowerCase();

  const entryOf = (answered: Omit<Answered, 'result'>, response: JournalEntry['response']): Omit<JournalEntry, 'id'> => {
    const { request, exchange, seen } = answered;
    const elapsed = sinceMs(answered.started);
    const url = request.url ?? '/';
    const script = exchange ? scriptOf(exchange) : undefined;
    return {
      time: new Date(Date.now() - elapsed).toISOString(),
      session: answered.session,
      method: (request.method ?? 'GET').toUpperCase(),
      path: exchange?.request.path ?? url.split('?')[0]!,
      operation: exchange?.operationId ?? seen.operationId ?? null,
      query: maskQuery(exchange?.request.query ?? seen.query ?? rawQuery(url)),
      headers: maskHeaders(request.headers),
      body: journalBody(exchange ? exchange.request.body : seen.body),
      response,
      durationMs: elapsed,
      ...(script ? { script } : {}),
    };
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
      const streamed = isAsyncIterable(result.body);
      const response: JournalEntry['response'] = { status: result.status, headers: { ...result.headers }, streamed };
      if (!streamed) response.body = journalBody(result.body);
      if (answered.exchange?.signal.aborted) response.interrupted = 'client went away before the answer';
      // Kept before the answer is written: a client that reads the journal after its answer finds it there.
      const entry = journal.add(entryOf(answered, response));
      const finish = () => {
        entry.durationMs = sinceMs(answered.started);
      };
      if (!streamed) return { result, done: finish };
      let finished = false;
      const done = () => {
        if (!finished) (finished = true), finish();
      };
      return { result: { ...result, body: recordEvents(result.body as AsyncIterable<string | Buffer>, response, done) }, done };
    },

    dropped(answered) {
      if (!journal.enabled) return;
      journal.add(entryOf(answered, { status: 0, headers: {}, streamed: false, interrupted: 'connection closed without an answer, as scripted' }));
    },
  };
}

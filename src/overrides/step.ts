import type { Exchange, Handler, MockResponse, Step } from '../pipeline/types';
import type { Logger } from '../log/logger';
import { internalError } from '../http/errors';
import type { OverrideSet, CompiledOverride } from './set';
import type { OverrideContext, OverrideRequest, Replacement } from './types';
import { responseProblem } from './check-response';
import { whenQuiet } from '../util/when-quiet';
import { mapStack } from '../config/load-module';
import type { SessionStore } from '../state/types';

/**
 * The overrides step: the chain below answers first (engine, realism), then each override that
 * names the operation and matches the request rewrites that answer in turn. An override that
 * throws answers its request with a 500 and a log line; the server goes on.
 */

export class OverrideFailure extends Error {}

const lowerKeys = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined).map(([k, v]) => [k.toLowerCase(), String(v)]));

const isPlainJson = (body: unknown) => typeof body === 'object' && body !== null && !Buffer.isBuffer(body) && !(Symbol.asyncIterator in body);

export function apply(response: MockResponse, replacement: Replacement): MockResponse {
  if (typeof replacement !== 'object' || Array.isArray(replacement)) {
    throw new OverrideFailure(`returned ${Array.isArray(replacement) ? 'an array' : typeof replacement}; an override returns { status, headers, body } or nothing`);
  }
  const { status, headers, stream } = replacement;
  if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) {
    throw new OverrideFailure(`returned status ${JSON.stringify(status)}; a status is a whole number from 100 to 599`);
  }
  const given = headers ? lowerKeys(headers) : {};
  const next: MockResponse = {
    status: status ?? response.status,
    headers: { ...response.headers, ...given },
    body: 'body' in replacement ? replacement.body : response.body,
    stream: stream ?? response.stream,
    source: response.source,
  };
  if ('body' in replacement && isPlainJson(replacement.body) && !given['content-type']) {
    next.headers['content-type'] = 'application/json';
  }
  return next;
}

/**
 * The answer as user code (an override, a script) gets it: the mock's own serialised `raw` (the
 * models list) is dropped, as it would hide an edit made in place; an upstream's bytes (proxy,
 * replay) still go out as they came unless the code replaces the answer.
 */
export function editable(response: MockResponse): MockResponse {
  return response.raw && response.source === undefined ? { ...response, raw: undefined } : response;
}

export function overrideRequest(exchange: Exchange): OverrideRequest {
  const { method, path, params, query, headers, body, files } = exchange.request;
  return { method, path, params, query: query as OverrideRequest['query'], headers, body: body as OverrideRequest['body'], files };
}

/** Stateful mode's store of a request's session, for the overrides' context. */
export type StateOf = (exchange: Exchange) => SessionStore | undefined;

async function run(entry: CompiledOverride, request: OverrideRequest, response: MockResponse, exchange: Exchange, stateOf?: StateOf): Promise<Replacement | undefined> {
  if (entry.match && !(await entry.match(request))) return undefined;
  if (typeof entry.response !== 'function') return entry.response;
  const context: OverrideContext = {
    request,
    response: { ...response, headers: { ...response.headers } } as OverrideContext['response'],
    operation: { id: exchange.operationId, method: exchange.request.method, path: exchange.template },
    signal: exchange.signal,
    state: stateOf?.(exchange),
  };
  return (await entry.response(context)) ?? undefined;
}

const CHECK_ALL = 64;
const CHECK_EVERY = 64;

function countBody(given: Map<string, number>, key: string): number {
  const count = (given.get(key) ?? 0) + 1;
  given.set(key, count);
  return count;
}

export function createOverridesStep(set: OverrideSet, logger: Logger, stateOf?: StateOf): Step {
  // One warning per override and problem, not one per request.
  const warned = new Set<string>();
  // Bodies given so far, per override and operation: each override's first CHECK_ALL are checked,
  // then one in CHECK_EVERY. Under a load test the check would cost as much as the answer itself
  // (a schema the size of chat completions', on every request); a reload starts the count again.
  const given = new Map<string, number>();
  // An operation without overrides (a load test's every request, without a config) goes on down
  // without an await of this step's: an async function returning `next`'s promise cost two more
  // turns of the microtask queue and their promises.
  return (exchange, next) => {
    const list = set.forOperation(exchange.operationId);
    return list.length === 0 ? next(exchange) : overridden(exchange, next, list);
  };

  async function overridden(exchange: Exchange, next: Handler, list: ReturnType<OverrideSet['forOperation']>): Promise<MockResponse> {
    let response = editable(await next(exchange));
    const request = overrideRequest(exchange);
    let bodyFrom: string | undefined;
    for (const entry of list) {
      let replacement: Replacement | undefined;
      try {
        replacement = await run(entry, request, response, exchange, stateOf);
        if (replacement === undefined || replacement === null) continue;
        response = apply(response, replacement);
      } catch (error) {
        const where = `${exchange.request.method} ${exchange.request.path}`;
        if (error instanceof OverrideFailure) {
          logger.error(`override ${entry.label} ${error.message} (${where})`);
          return internalError(`The override ${entry.label} ${error.message}.`);
        }
        const message = (error as Error)?.message ?? String(error);
        logger.error(`override ${entry.label} threw on ${where}: ${mapStack((error as Error)?.stack ?? String(error))}`);
        return internalError(`The override ${entry.label} threw: ${message}`);
      }
      if ('body' in replacement) bodyFrom = entry.label;
    }
    const count = bodyFrom === undefined ? 0 : countBody(given, `${bodyFrom}\n${exchange.operationId}`);
    if (bodyFrom && (count <= CHECK_ALL || count % CHECK_EVERY === 0)) {
      const label = bodyFrom;
      const sent = response;
      // Checked once the server is not busy: the first check of an operation compiles its schema,
      // which at the start of a load test would hold every request behind it.
      whenQuiet(() => {
        try {
          const problem = responseProblem(exchange, sent);
          if (!problem) return;
          const key = `${label}\n${exchange.operationId}\n${problem}`;
          if (warned.has(key)) return;
          warned.add(key);
          logger.warn(`override ${label}: the body it gave ${exchange.operationId} does not match the spec's response schema ${problem} (sent as it is)`);
        } catch (error) {
          logger.debug(`could not check the body of override ${label}: ${(error as Error).message}`);
        }
      });
    }
    return response;
  }
}

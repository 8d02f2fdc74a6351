import type { Exchange, Handler, MockResponse, Step } from '../pipeline/types';
import type { PreparedOperation } from '../openapi/operation';
import { chooseMediaType, defaultSuccess } from '../engine/negotiate';
import { validateRequest } from '../validation/request-validator';
import type { ValidatorStore } from '../validation/validator-store';
import { openAIError } from '../http/errors';
import { randomIds, seededIds, SEEDED_NOW } from '../realism/ids';
import { DEFAULT_SESSION } from '../scripts/book';
import type { StateClock, StateContext, StateHandler, StateHandlers, StateStore } from './types';

/**
 * The state step (`--stateful`): the request's operation goes to the resource handler that takes
 * it (src/state/resources/), which answers from the session's store; any other operation passes
 * on untouched. Where it sits (see assemble.ts): below scripts and overrides, so a script still
 * wins and an override rewrites what the store answers; above replay, proxy, models and realism,
 * so that a create calls `next` for a realistic body, fills in what the request says and keeps it.
 */

export interface StateStepOptions {
  store: StateStore;
  clock: StateClock;
  handlers: readonly StateHandlers[];
  /** The pipeline `answer()` runs (assembleInner's: scripts, overrides, sources; no streaming, pacing or rate limits), read per call as it is swapped on reloads. */
  pipeline: () => Handler;
  operations: readonly PreparedOperation[];
  validators?: ValidatorStore;
  allowUnknownParams?: boolean;
  seed?: string | number;
  /** Mixed into seeded ids: a file store's size at start, so that a run on a kept store does not make its ids again. */
  idSalt?: string;
}

export interface StateStep {
  step: Step;
  /** Forgets the id counters of a session (or all), so that a seeded run after a reset gives the same ids. */
  resetIds(session?: string): void;
}

export function createStateStep(options: StateStepOptions): StateStep {
  const table = new Map<string, StateHandler>();
  for (const handlers of options.handlers) {
    for (const [operationId, handler] of Object.entries(handlers)) if (handler) table.set(operationId, handler);
  }
  const byId = new Map(options.operations.map((o) => [o.iid, o]));
  // Operations without path parameters, by `METHOD /path`: what a batch line's url can name.
  const byRoute = new Map(options.operations.filter((o) => !o.path.includes('{')).map((o) => [`${o.method.toUpperCase()} ${o.path.split('?')[0]}`, o.iid]));
  const operationFor = (method: string, url: string) => {
    const path = url.split('?')[0]!.replace(/^\/v1(?=\/)/, '').replace(/\/+$/, '');
    return byRoute.get(`${method.toUpperCase()} ${path}`);
  };
  const counters = new Map<string, number>();
  const { clock } = options;
  const seed = options.seed === undefined ? undefined : String(options.seed);

  const newIdFor = (session: string) => (prefix: string) => {
    if (seed === undefined) return randomIds().next(prefix);
    const count = counters.get(session) ?? 0;
    counters.set(session, count + 1);
    return seededIds(seed, `state\u0000${options.idSalt ?? ''}\u0000${session}\u0000${count}`).next(prefix);
  };
  // Under --seed, seconds start at realism's fixed clock and move only with `advance`.
  const offset = () => (clock as { offset?: number }).offset ?? 0;
  const nowSeconds = () => (seed === undefined ? Math.floor(clock.now() / 1000) : SEEDED_NOW + Math.floor(offset() / 1000));

  /** Another operation through the whole pipeline, as if a client with the same headers and session had sent it. */
  const answerFor =
    (parent: Exchange) =>
    async (operationId: string, body: unknown): Promise<MockResponse> => {
      const operation = byId.get(operationId);
      if (!operation) return openAIError(400, `No operation ${operationId} in the spec.`, { param: 'url' });
      const problem = validateRequest(operation, { pathParams: {}, query: {}, body, mediaType: 'application/json' }, options.validators, {
        allowUnknownParams: options.allowUnknownParams,
      });
      if (problem) return openAIError(400, problem.message, { param: problem.param, code: problem.code });
      const headers = { ...parent.request.headers, 'content-type': 'application/json' };
      delete headers['content-length'];
      delete headers.accept;
      const exchange: Exchange = {
        request: {
          method: operation.method.toUpperCase(),
          path: `/v1${operation.path}`,
          apiPath: operation.path,
          params: {},
          query: {},
          headers,
          body,
          files: {},
          contentType: 'application/json',
        },
        operation,
        operationId,
        template: operation.path.split('?')[0]!,
        responseMediaType: chooseMediaType(defaultSuccess(operation), 'application/json'),
        preferences: {},
        signal: parent.signal,
        session: parent.session,
      };
      return options.pipeline()(exchange);
    };

  const step: Step = async (exchange, next) => {
    const handler = table.get(exchange.operationId);
    // A `Prefer: code=` or `example=` asks for the spec's own answer, not the store's.
    if (!handler || exchange.preferences.code !== undefined || exchange.preferences.example !== undefined) return next(exchange);
    const session = exchange.session ?? DEFAULT_SESSION;
    const context: StateContext = {
      exchange,
      session,
      store: options.store.session(session),
      clock,
      next,
      newId: newIdFor(session),
      nowSeconds,
      answer: answerFor(exchange),
      operationFor,
    };
    return handler(context);
  };

  return {
    step,
    resetIds(session) {
      if (session === undefined) counters.clear();
      else counters.delete(session);
    },
  };
}

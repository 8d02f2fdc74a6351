import { setTimeout as sleep } from 'node:timers/promises';
import { DropConnection, type Exchange, type Handler, type MockResponse, type Step } from '../pipeline/types';
import type { Logger } from '../log/logger';
import { internalError, openAIError } from '../http/errors';
import { apply, editable, overrideRequest, OverrideFailure } from '../overrides/step';
import type { OverrideContext, OverrideRequest, Replacement } from '../overrides/types';
import { mapStack } from '../config/load-module';
import { faultResponse } from './answers';
import { DEFAULT_SESSION, type ScriptBook } from './book';
import type { Script } from './compile';

/**
 * The scripts step, above the overrides: the first script of the request's session (then of the
 * default session) that covers the operation, matches the request and has uses left answers it.
 * A reply is completed from the answer below (overrides, realism, engine); a failure, a delay or a
 * closed connection needs nothing from below. No script: the request goes on down unchanged.
 */

export interface ScriptsStepOptions {
  book: ScriptBook;
  logger: Logger;
  /** Told which script answered an exchange (the journal names it). */
  matched?(exchange: Exchange, script: Script): void;
}

async function reply(script: Script, exchange: Exchange, next: (e: Exchange) => Promise<MockResponse>, request: OverrideRequest): Promise<MockResponse> {
  let response = editable(await next(exchange));
  const context: OverrideContext = {
    request,
    response: { ...response, headers: { ...response.headers } } as OverrideContext['response'],
    operation: { id: exchange.operationId, method: exchange.request.method, path: exchange.template },
    signal: exchange.signal,
  };
  const respond = script.compiled.response as (context: OverrideContext) => Promise<Replacement | undefined>;
  const replacement = await respond(context);
  if (replacement !== undefined && replacement !== null) response = apply(response, replacement);
  return response;
}

export function createScriptsStep(options: ScriptsStepOptions): Step {
  const { book, logger } = options;

  async function claim(candidates: Script[], request: OverrideRequest): Promise<Script | undefined> {
    for (const script of candidates) {
      if (script.exhausted) continue;
      if (script.compiled.match && !(await script.compiled.match(request))) continue;
      // Another request may have taken the last use while this one's match was awaited.
      if (script.exhausted) continue;
      script.used++;
      return script;
    }
    return undefined;
  }

  // No script for the operation (a load test's every request): on down without an await of this step's.
  return (exchange, next) => {
    const candidates = book.candidates(exchange.session ?? DEFAULT_SESSION, exchange.operationId);
    return candidates.length === 0 ? next(exchange) : scripted(exchange, next, candidates);
  };

  async function scripted(exchange: Exchange, next: Handler, candidates: Script[]): Promise<MockResponse> {
    const request = overrideRequest(exchange);
    const where = `${exchange.request.method} ${exchange.request.path}`;
    let script: Script | undefined;
    try {
      script = await claim(candidates, request);
    } catch (error) {
      logger.error(`a script's match threw on ${where}: ${mapStack((error as Error)?.stack ?? String(error))}`);
      return internalError(`A script's match threw: ${(error as Error)?.message ?? error}`);
    }
    if (!script) return next(exchange);
    options.matched?.(exchange, script);

    const { def } = script;
    try {
      if (def.delayMs) await sleep(def.delayMs, undefined, { signal: exchange.signal });
    } catch {
      // The client left during the delay: nobody reads this answer.
      return openAIError(499, 'The client closed the connection.');
    }
    const answer = def.answer;
    if ('close' in answer) throw new DropConnection();
    if ('fail' in answer) return faultResponse(answer.fail);
    try {
      const response = await reply(script, exchange, next, request);
      return def.stream ? { ...response, stream: { ...response.stream, ...def.stream } } : response;
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      if (error instanceof OverrideFailure) {
        logger.error(`script ${script.label} ${message} (${where})`);
        return internalError(`The script ${script.label} ${message}.`);
      }
      logger.error(`script ${script.label} threw on ${where}: ${mapStack((error as Error)?.stack ?? String(error))}`);
      return internalError(`The script ${script.label} threw: ${message}`);
    }
  }
}

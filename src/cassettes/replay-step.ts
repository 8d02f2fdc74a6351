import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger';
import type { Exchange, MockResponse, Step } from '../pipeline/types';
import { openAIError } from '../http/errors';
import { ConnectionCut } from '../streaming/deliver';
import type { Cassette, StreamEvent } from './format';
import { normalRequest } from './key';
import { streamingRequest } from '../streaming/decide';
import { canCollapse, collapse } from '../proxy/collapse';
import type { CassetteStore } from './store';

/**
 * Answers from cassettes without calling `next`. On a miss: `replay` answers a 404 naming the
 * nearest cassette and the fields that differ; `record-missing` calls `next` (the proxy, which
 * records); `record` always calls `next`.
 */

export type ReplayMode = 'replay' | 'record-missing' | 'record';
/** `recorded` keeps the recorded gaps between events, `fast` none, a number divides them (2 = twice as fast). */
export type ReplaySpeed = 'recorded' | 'fast' | number;

export interface ReplayStepOptions {
  store: CassetteStore;
  mode: ReplayMode;
  speed: ReplaySpeed;
  logger: Logger;
  /** True when an override may rewrite this exchange's answer: a recorded stream is then folded into its final answer. */
  needsWhole?: (exchange: Exchange) => boolean;
}

function divisor(speed: ReplaySpeed): number {
  if (speed === 'fast') return Infinity;
  if (speed === 'recorded') return 1;
  return speed > 0 ? speed : Infinity;
}

async function* replayEvents(events: readonly StreamEvent[], cut: boolean, speed: ReplaySpeed, headersAt: number, signal: AbortSignal): AsyncGenerator<string> {
  const by = divisor(speed);
  let previous = headersAt;
  for (const event of events) {
    const wait = (event.at - previous) / by;
    previous = event.at;
    if (wait >= 1 && Number.isFinite(wait)) await sleep(wait, undefined, { signal });
    yield event.text + '\n\n';
  }
  if (cut) throw new ConnectionCut(events.length);
}

export function cassetteResponse(cassette: Cassette, dir: string, speed: ReplaySpeed, signal: AbortSignal): MockResponse {
  const { response } = cassette;
  const headers = { ...response.headers };
  let body: unknown;
  if (response.events) body = replayEvents(response.events, response.cut === true, speed, response.headersAt ?? 0, signal);
  else if (response.file) body = fs.readFileSync(path.join(dir, response.file));
  else if (response.text !== undefined) body = response.text;
  else body = response.json;
  return { status: response.status, headers, body, source: 'replay' };
}

export function createReplayStep(options: ReplayStepOptions): Step {
  const { store, logger } = options;
  return async (exchange: Exchange, next): Promise<MockResponse> => {
    if (options.mode === 'record') return next(exchange);
    const live = normalRequest(exchange.request);
    const found = store.find(live);
    if (found.cassette) {
      logger.debug(`replay: ${exchange.request.method} ${exchange.request.path} from ${path.basename(found.file!)}`);
      const { response } = found.cassette;
      if (response.events && streamingRequest(exchange) && canCollapse(exchange.operationId) && options.needsWhole?.(exchange)) {
        const by = divisor(options.speed);
        const folded = collapse(exchange.operationId, response.events.map((e) => e.text), {
          headersAt: (response.headersAt ?? 0) / by,
          at: response.events.map((e) => e.at / by),
        });
        if (folded) {
          const headers = { ...response.headers, 'content-type': 'application/json' };
          return { status: response.status, headers, body: folded.body, stream: Number.isFinite(by) ? folded.stream : {}, source: 'replay' };
        }
      }
      return cassetteResponse(found.cassette, store.dir, options.speed, exchange.signal);
    }
    if (options.mode === 'record-missing') return next(exchange);
    const nearest = store.nearest(live);
    const where = `${exchange.request.method} ${exchange.request.path}`;
    const detail = nearest
      ? ` The nearest is ${nearest.file}, which differs at ${nearest.differences.join(', ') || 'no keyed field (a changed replay.ignore?)'}.`
      : store.size === 0
        ? ` The folder holds no cassettes.`
        : ` No cassette holds a ${exchange.request.method} ${exchange.request.apiPath}.`;
    logger.warn(`replay: no cassette for ${where} (key ${found.key}) in ${store.dir}.${detail}`);
    return openAIError(404, `No cassette in ${store.dir} matches ${where} (replay mode).${detail}`, {
      type: 'invalid_request_error',
      code: 'cassette_not_found',
    });
  };
}

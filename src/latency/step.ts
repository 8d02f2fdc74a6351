import { setTimeout as sleep } from 'node:timers/promises';
import type { Exchange, Handler, MockResponse, Step, StreamControl } from '../pipeline/types';
import { openAIError } from '../http/errors';
import { streamingRequest } from '../streaming/decide';
import { mergeControls } from '../streaming/step';
import { freshRandom, mean, sample, seededRandom, type Random } from './distribution';
import { isEmptyTable, modelFor, PROFILE_NAMES, tableOf, type LatencyConfig, type LatencyModel, type LatencyTable } from './model';
import { PROFILES } from './profiles';
import { answerFacts } from '../pipeline/text-answer';

export interface LatencyOptions {
  /** The `latency` option (a profile name or a table); undefined: `fast`. */
  latency?: LatencyConfig;
  /** The server's seed: with one, the n-th answer of a run takes the same time in every run. */
  seed?: string | number;
}

/** The API says how long it worked on a request in this header; here, the delay drawn. */
const PROCESSING_HEADER = 'openai-processing-ms';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function modelOf(exchange: Exchange): string | undefined {
  const body = exchange.request.body;
  return isRecord(body) && typeof body.model === 'string' ? body.model : undefined;
}

/** Milliseconds per token of one answer, or undefined when the model sets no pace. */
function perTokenDraw(model: LatencyModel, random: Random): (() => number) | undefined {
  if (model.interTokenMs !== undefined) {
    const gap = model.interTokenMs;
    return () => sample(gap, random);
  }
  if (model.tokensPerSecond !== undefined) {
    // One speed per answer, as a request is served at its replica's pace.
    const rate = sample(model.tokensPerSecond, random);
    const gap = rate > 0 ? 1000 / rate : 0;
    return () => gap;
  }
  return undefined;
}

/**
 * A gap per event, drawn in order and kept: whatever order or number of times the writer asks,
 * event n gets the same gap, and a seeded answer the same gaps.
 */
function gapsOf(draw: () => number): (position: number) => number {
  const drawn: number[] = [];
  return (position) => {
    while (drawn.length < position) drawn.push(draw());
    return drawn[position - 1] ?? 0;
  };
}

/**
 * Node's timers hold at most 2^31-1 ms (about 24.8 days): past it a timer fires after 1 ms, with
 * a warning, so a configured 1e12 ms would answer at once. Every delay drawn is held to this.
 */
const LONGEST_MS = 2 ** 31 - 1;
const held = (ms: number): number => Math.min(ms, LONGEST_MS);

async function wait(ms: number, signal: AbortSignal): Promise<void> {
  if (!(ms > 0)) return;
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // The client went away: nobody waits for the answer, which the front drops.
  }
}

/**
 * Paces answers like a model: a streamed answer gets its time to first token and a gap per event
 * (handed to the streaming step as its `StreamControl`), a whole answer waits its whole latency
 * before it is returned. Failures are not delayed (the API refuses at once), nor are proxied
 * answers (the upstream took its own time). An override's or script's own pacing wins.
 */
export function createLatencyStep(options: LatencyOptions): Step {
  const configured = tableOf(options.latency);
  const serverSeed = options.seed === undefined ? undefined : String(options.seed);
  const unseeded = freshRandom();
  const configuredEmpty = isEmptyTable(configured);
  let counter = 0;

  // Unpaced (the default): the request goes on down without an await of this step's.
  return (exchange, next): Promise<MockResponse> => {
    const asked = exchange.preferences.latency;
    if (asked === undefined) return configuredEmpty || !configured ? next(exchange) : paced(exchange, next, configured);
    const table = PROFILES[asked];
    if (!table) return Promise.resolve(openAIError(400, `Prefer: latency=${asked}: no such latency profile (known: ${PROFILE_NAMES().join(', ')}).`, { param: 'Prefer', code: 'unknown_latency_profile' }));
    return isEmptyTable(table) ? next(exchange) : paced(exchange, next, table);
  };

  async function paced(exchange: Exchange, next: Handler, table: LatencyTable): Promise<MockResponse> {
    const response = await next(exchange);
    if (response.status < 200 || response.status >= 300 || response.source === 'proxy') return response;

    const model = modelFor(table, exchange.operationId, modelOf(exchange));
    const seed = exchange.preferences.seed ?? serverSeed;
    // Seeded: the n-th answer of the run gets the n-th draws, whatever its content.
    const random = seed === undefined ? unseeded : seededRandom(`${seed}\u0000latency\u0000${counter++}`);
    const ttft = model.ttftMs === undefined ? 0 : held(sample(model.ttftMs, random));
    const perToken = perTokenDraw(model, random);

    if (streamingRequest(exchange)) {
      const own = response.stream ?? {};
      const paced: StreamControl = {};
      if (own.firstEventDelayMs === undefined) paced.firstEventDelayMs = ttft;
      if (own.intervalMs === undefined && own.gapMs === undefined && perToken) paced.gapMs = gapsOf(() => held(perToken()));
      return { ...response, headers: { ...response.headers, [PROCESSING_HEADER]: String(Math.round(paced.firstEventDelayMs ?? 0)) }, stream: mergeControls(paced, own) };
    }

    let total: number;
    if (model.totalMs !== undefined) total = sample(model.totalMs, random);
    else {
      const tokens = answerFacts(response).outputTokens;
      const gap = model.interTokenMs !== undefined ? mean(model.interTokenMs) : perToken ? perToken() : 0;
      total = ttft + tokens * gap;
    }
    total = held(total);
    await wait(total, exchange.signal);
    return { ...response, headers: { ...response.headers, [PROCESSING_HEADER]: String(Math.round(total)) } };
  }
}

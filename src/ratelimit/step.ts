import type { Exchange, MockResponse, Step } from '../pipeline/types';
import { openAIError } from '../http/errors';
import { countInputTokens, countMessageTokens } from '../realism/tokens';
import { formatDuration } from './duration';

/** Limits per minute; either may be left out (that one is not limited). */
export interface RateLimit {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens per minute (prompt tokens plus the most the answer may take). */
  tpm?: number;
}

/**
 * The `rateLimits` option: limits per API key and model, as the API applies them. `rpm` and
 * `tpm` hold for every model; `models` sets some models' own (the request's `model`, matched
 * exactly or by the longest key it starts with).
 */
export interface RateLimitsConfig extends RateLimit {
  models?: Record<string, RateLimit>;
  /** The organization the 429 messages name (default `org-mock`). */
  organization?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLimit = (v: unknown) => v === undefined || (Number.isInteger(v) && (v as number) >= 1);

/** Why a `rateLimits` value is wrong, or undefined. */
export function rateLimitsProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'must be an object { rpm, tpm, models, organization }';
  for (const [key, part] of Object.entries(value)) {
    if (key === 'rpm' || key === 'tpm') {
      if (!isLimit(part)) return `rateLimits.${key} must be a whole number of at least 1`;
    } else if (key === 'organization') {
      if (typeof part !== 'string' || part === '') return 'rateLimits.organization must be a string';
    } else if (key === 'models') {
      if (!isRecord(part)) return 'rateLimits.models must be an object { "gpt-4o": { rpm, tpm } }';
      for (const [model, limit] of Object.entries(part)) {
        if (!isRecord(limit) || !Object.keys(limit).every((k) => k === 'rpm' || k === 'tpm') || !isLimit(limit.rpm) || !isLimit(limit.tpm)) {
          return `rateLimits.models["${model}"] must be { rpm, tpm } with whole numbers of at least 1`;
        }
      }
    } else return `rateLimits has an unknown key "${key}" (known: rpm, tpm, models, organization)`;
  }
  return undefined;
}

/** A bucket refilled continuously at `capacity` a minute, as the API's limits refill. */
interface Bucket {
  level: number;
  at: number;
}

const MINUTE_MS = 60_000;
/** Buckets kept at most (one per key and model); a run with more keys forgets the oldest. */
const MAX_BUCKETS = 100_000;

function refill(bucket: Bucket, capacity: number, now: number): void {
  bucket.level = Math.min(capacity, bucket.level + ((now - bucket.at) * capacity) / MINUTE_MS);
  bucket.at = now;
}

/** Milliseconds until `bucket` holds `amount` (0 if it does). */
const timeUntil = (bucket: Bucket, capacity: number, amount: number) => Math.max(0, ((amount - bucket.level) * MINUTE_MS) / capacity);

function apiKeyOf(exchange: Exchange): string {
  const { authorization, 'api-key': apiKey } = exchange.request.headers;
  const bearer = typeof authorization === 'string' ? /^Bearer\s+(.+)$/i.exec(authorization.trim())?.[1] : undefined;
  return bearer ?? (typeof apiKey === 'string' ? apiKey : '');
}

/** Prompt tokens plus the most the answer may take, as the API counts a request against its TPM. */
export function estimateTokens(body: Record<string, unknown>): number {
  const prompt = body.messages !== undefined ? countMessageTokens(body.messages) : countInputTokens(body.input ?? body.prompt);
  const most = body.max_completion_tokens ?? body.max_tokens ?? body.max_output_tokens;
  const n = typeof body.n === 'number' && Number.isInteger(body.n) && body.n > 1 ? body.n : 1;
  return prompt + (typeof most === 'number' && most > 0 ? most * n : 0);
}

function limitFor(config: RateLimitsConfig, model: string): RateLimit {
  const models = config.models ?? {};
  let best: string | undefined;
  for (const key of Object.keys(models)) if (model.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  return { rpm: config.rpm, tpm: config.tpm, ...(best === undefined ? {} : models[best]) };
}

const RATE_LIMITS_URL = 'Visit https://platform.openai.com/account/rate-limits to learn more.';

export interface RateLimitOptions {
  config: RateLimitsConfig;
  /** Told of each refusal (for the metrics), by the limit that refused: `requests` or `tokens`. */
  onReject?: (type: 'requests' | 'tokens') => void;
  /** The clock, in ms; tests may pass their own. */
  now?: () => number;
}

/**
 * Requests and tokens per minute per API key and model, in token buckets refilled continuously.
 * Every answer to a request naming a model carries the API's `x-ratelimit-*` headers; a request
 * its bucket cannot cover gets the API's 429 `rate_limit_exceeded` with `retry-after` and
 * `retry-after-ms`, which the official SDKs wait for before they retry.
 */
export function createRateLimitStep(options: RateLimitOptions): Step {
  const { config } = options;
  const organization = config.organization ?? 'org-mock';
  const now = options.now ?? (() => performance.now());
  const buckets = new Map<string, { requests: Bucket; tokens: Bucket }>();

  const refuse = (type: 'requests' | 'tokens', message: string, headers: Record<string, string>, retryMs?: number): MockResponse => {
    options.onReject?.(type);
    const retry: Record<string, string> = retryMs === undefined ? {} : { 'retry-after': String(Math.max(1, Math.ceil(retryMs / 1000))), 'retry-after-ms': String(Math.ceil(retryMs)) };
    return openAIError(429, message, { type, code: 'rate_limit_exceeded', headers: { ...headers, ...retry } });
  };

  return async (exchange, next) => {
    const body = exchange.request.body;
    // Only what names a model is limited: the API's limits are per model.
    if (!isRecord(body) || typeof body.model !== 'string') return next(exchange);
    const model = body.model;
    const limit = limitFor(config, model);
    if (limit.rpm === undefined && limit.tpm === undefined) return next(exchange);

    const key = `${apiKeyOf(exchange)}\u0000${model}`;
    const at = now();
    let state = buckets.get(key);
    if (!state) {
      if (buckets.size >= MAX_BUCKETS) buckets.delete(buckets.keys().next().value!);
      state = { requests: { level: limit.rpm ?? 0, at }, tokens: { level: limit.tpm ?? 0, at } };
      buckets.set(key, state);
    }
    const wanted = limit.tpm === undefined ? 0 : estimateTokens(body);
    if (limit.rpm !== undefined) refill(state.requests, limit.rpm, at);
    if (limit.tpm !== undefined) refill(state.tokens, limit.tpm, at);

    const headers = (): Record<string, string> => {
      const out: Record<string, string> = {};
      if (limit.rpm !== undefined) {
        out['x-ratelimit-limit-requests'] = String(limit.rpm);
        out['x-ratelimit-remaining-requests'] = String(Math.max(0, Math.floor(state.requests.level)));
        out['x-ratelimit-reset-requests'] = formatDuration(timeUntil(state.requests, limit.rpm, limit.rpm));
      }
      if (limit.tpm !== undefined) {
        out['x-ratelimit-limit-tokens'] = String(limit.tpm);
        out['x-ratelimit-remaining-tokens'] = String(Math.max(0, Math.floor(state.tokens.level)));
        out['x-ratelimit-reset-tokens'] = formatDuration(timeUntil(state.tokens, limit.tpm, limit.tpm));
      }
      return out;
    };

    if (limit.rpm !== undefined && state.requests.level < 1) {
      const retryMs = timeUntil(state.requests, limit.rpm, 1);
      const used = limit.rpm - Math.floor(state.requests.level);
      return refuse(
        'requests',
        `Rate limit reached for ${model} in organization ${organization} on requests per min (RPM): Limit ${limit.rpm}, Used ${used}, Requested 1. Please try again in ${formatDuration(retryMs)}. ${RATE_LIMITS_URL}`,
        headers(),
        retryMs,
      );
    }
    if (limit.tpm !== undefined && wanted > limit.tpm) {
      // No wait would make room: the API says so, and names no time to retry at.
      return refuse(
        'tokens',
        `Request too large for ${model} in organization ${organization} on tokens per min (TPM): Limit ${limit.tpm}, Requested ${wanted}. The input or output tokens must be reduced in order to run successfully. ${RATE_LIMITS_URL}`,
        headers(),
      );
    }
    if (limit.tpm !== undefined && state.tokens.level < wanted) {
      const retryMs = timeUntil(state.tokens, limit.tpm, wanted);
      const used = limit.tpm - Math.floor(state.tokens.level);
      return refuse(
        'tokens',
        `Rate limit reached for ${model} in organization ${organization} on tokens per min (TPM): Limit ${limit.tpm}, Used ${used}, Requested ${wanted}. Please try again in ${formatDuration(retryMs)}. ${RATE_LIMITS_URL}`,
        headers(),
        retryMs,
      );
    }
    if (limit.rpm !== undefined) state.requests.level -= 1;
    if (limit.tpm !== undefined) state.tokens.level -= wanted;
    const sent = headers();
    const response = await next(exchange);
    return { ...response, headers: { ...response.headers, ...sent } };
  };
}

import type { Distribution } from './distribution';

/**
 * How long an answer takes. A streamed answer waits `ttftMs` before its first event, then a gap
 * between events (one event is taken as one token): `interTokenMs`, or else `1000 /
 * tokensPerSecond` (drawn once per answer: a request's generation speed). A whole answer waits
 * `totalMs` when given, else `ttftMs` plus its completion tokens at that pace.
 */
export interface LatencyModel {
  /** Time to first token, ms. */
  ttftMs?: Distribution;
  /** Time between tokens (stream events), ms; wins over `tokensPerSecond`. */
  interTokenMs?: Distribution;
  /** Output tokens per second while generating. */
  tokensPerSecond?: Distribution;
  /** Whole-request latency of a non-streamed answer, ms (default: ttft + tokens at the pace above). */
  totalMs?: Distribution;
}

/**
 * A latency table: `default` for every answer, `operations` by operationId over it, `models`
 * (the request's `model`, matched exactly or by the longest key it starts with, so that
 * `gpt-4o` covers `gpt-4o-2024-08-06`) over both, field by field. `profile` starts from a named
 * profile's table.
 */
export interface LatencyTable {
  profile?: string;
  default?: LatencyModel;
  operations?: Record<string, LatencyModel>;
  models?: Record<string, LatencyModel>;
}

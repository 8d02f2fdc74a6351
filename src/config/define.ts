import type { LogLevel } from '../log/logger';
import type { StreamControl } from '../pipeline/types';
import type { AnyOverride } from '../overrides/types';
import type { ScriptSpec } from '../scripts/spec';
import type { CorsConfig } from '../http/cors';
import type { ModelsConfig } from '../models/served';
import type { ProxySettings } from '../proxy/step';
import type { RecordSettings, ReplaySettings } from '../cassettes/settings';
import type { StateConfig } from '../state/settings';
import type { LatencyConfig } from '../latency/model';
import type { RateLimitsConfig } from '../ratelimit/step';

/**
 * A config file's contents. Every command-line option has a key here (a flag given on the command
 * line wins over the file); relative paths are read from the config file's folder.
 */
export interface Config {
  port?: number;
  host?: string;
  /** Spec file path (relative to this file) or http(s) URL. */
  spec?: string;
  logLevel?: LogLevel;
  /** `false` accepts requests without an Authorization header. */
  auth?: boolean;
  /** Strict keys: only these are accepted (default: `OPENAI_MOCK_API_KEYS`, else any key). */
  apiKeys?: string[];
  /**
   * Web pages that may call the mock from a browser: pages served from this machine by default;
   * `{ origins: [...] }` adds others, `credentials: true` allows credentials; `false` sends no CORS headers.
   */
  cors?: boolean | CorsConfig;
  /** Prepared-spec cache folder, or `false` for none. */
  cacheDir?: string | false;
  bodyLimit?: number;
  /** Reload the config and overrides when their files change. */
  watch?: boolean;
  /** Deterministic ids and timestamps: the same request gets the same body. */
  seed?: string | number;
  /**
   * The command only: serve from this many processes on one port (`'auto'`: one per core). The
   * journal and scripts are then per process (see the README). `createMockServer` is one process.
   */
  workers?: number | 'auto';
  /** Milliseconds a client has to send the request headers; then 408. Default 20 s. */
  headersTimeout?: number;
  /** Milliseconds a client has to send the whole request (headers and body); then 408. Default 60 s. */
  requestTimeout?: number;
  /** Accept top-level body parameters the spec does not declare (by default a 400, as the API answers), for when the spec lags the API. */
  allowUnknownParams?: boolean;
  /** Require `Authorization: Bearer <adminToken>` on the admin routes (`/__admin/...`; health stays open). */
  adminToken?: string;
  /** The most bytes one answer may have (default 48 MiB); a request asking for more gets a 400. */
  maxAnswerBytes?: number;
  /** The most milliseconds of work one answer may take (default 500); then a 400. */
  maxAnswerMs?: number;
  /**
   * What the port serves: `http` (HTTP/1.1 and HTTP/2 with prior knowledge), `https` (TLS, with
   * h2 or http/1.1 by ALPN). Default for the command: both, on the same port.
   */
  protocols?: readonly ('http' | 'https')[];
  /** A second port, TLS only (as stripe-mock's 12112). */
  httpsPort?: number;
  /** Your own certificate (PEM) and its key, instead of the generated local CA's; relative to this file. */
  tlsCert?: string;
  tlsKey?: string;
  /**
   * The model catalogue that `GET /v1/models` answers: an array (ids, or `{ id, owned_by?, created?,
   * shutdown_date? }`) replaces the built-in one; `{ extend: [...], remove: ['id', ...] }` changes it.
   */
  models?: ModelsConfig;
  /** A request naming a model outside the catalogue fails as the API fails it: 404 `model_not_found`. */
  strictModels?: boolean;
  /** Server-wide pacing and failures of streamed answers; an override's `stream` wins field by field. */
  stream?: StreamControl;
  /**
   * How long answers take: `fast` (none, the default), `realistic` (OpenAI's models' measured
   * speed), or a table `{ profile, default, operations: { createChatCompletion: {...} }, models: {
   * 'gpt-4o': {...} } }` of `{ ttftMs, interTokenMs, tokensPerSecond, totalMs }` distributions.
   */
  latency?: LatencyConfig;
  /** Requests and tokens per minute per API key and model (`{ rpm, tpm, models, organization }`), with the API's headers and 429s. */
  rateLimits?: RateLimitsConfig;
  /** `rateLimits.rpm` as a key of its own (`--rate-limit-rpm`). */
  rateLimitRpm?: number;
  /** `rateLimits.tpm` as a key of its own (`--rate-limit-tpm`). */
  rateLimitTpm?: number;
  /** Seconds between summary lines at info level (requests, rate, p50/p99, streams, 429s); 0: none. */
  statsInterval?: number;
  /** Forward requests to an OpenAI-compatible API; a string is the target (`https://api.openai.com/v1`). */
  proxy?: string | ProxySettings;
  /** Write each proxied exchange as a cassette in this folder; `redact` lists body paths and patterns kept off disk. */
  record?: string | RecordSettings;
  /** Answer from the cassettes in this folder (`mode`: replay, record-missing, record). */
  replay?: string | ReplaySettings;
  /**
   * A folder of override modules (each a default export: one override or an array), loaded in
   * file-name order after `overrides`. Default `overrides` next to this file; `false` for none.
   */
  overridesDir?: string | false;
  /** Overrides, applied in order: each that applies sees the response the ones before it left. */
  overrides?: readonly AnyOverride[];
  /** The request journal: how many requests it keeps, oldest dropped first (`{ max: 1000 }` by default; `max: 0` or `false`: none). */
  journal?: { max?: number } | false;
  /** What names a request's test session: the `x-mock-session` header (or `header`), and with `byApiKey` its API key. */
  sessions?: { byApiKey?: boolean; header?: string };
  /** A folder of fixture files (scripts as data: `*.yaml`, `*.yml`, `*.json`), reloaded with `watch`. */
  fixturesDir?: string;
  /** Scripts as data, like a fixture file's. */
  fixtures?: readonly ScriptSpec[];
  /**
   * Stateful mode: what creates make (files, vector stores, batches, stored chat completions...)
   * is kept per session, and later retrieves, lists and deletes answer from it. `true` keeps it in
   * memory; `store` names an SQLite file (relative to this file) kept across restarts; `durations`
   * hold objects in a status for that many milliseconds (`{ 'batch.in_progress': 2000 }`).
   */
  state?: boolean | StateConfig;
}

/** Types a config file's default export: `export default defineConfig({ ... })`. */
export function defineConfig(config: Config): Config;
export function defineConfig(config: () => Config | Promise<Config>): () => Config | Promise<Config>;
export function defineConfig(config: Config | (() => Config | Promise<Config>)) {
  return config;
}

import { isLogLevel, LOG_LEVELS, type LogLevel } from '../log/logger';
import { isModelsConfig } from '../models/served';
import { isDurations } from '../state/clock';
import { latencyProblem } from '../latency/model';
import { rateLimitsProblem } from '../ratelimit/step';

/**
 * Every setting of the server, once: its config key, its flag, its environment variable, how a
 * text value (flag or variable) is read, how a config value is checked, and its help line. The
 * command's parser and help, the config check and the settings resolution all read this table,
 * so a new option is one row here and one field in `Config`.
 */

export class OptionValueError extends Error {}

type Read<T> = (text: string) => T;

export interface OptionAlias<T> {
  flag: string;
  value: T;
  help?: string;
}

export function aliasesOf<T>(def: OptionDef<T>): readonly OptionAlias<T>[] {
  return def.alias === undefined ? [] : Array.isArray(def.alias) ? def.alias : [def.alias as OptionAlias<T>];
}

export interface OptionDef<T = unknown> {
  /** The config key and the `createMockServer` option. */
  key: string;
  /** `--flag`; none for config-only settings. */
  flag?: string;
  short?: string;
  /** Help's placeholder for the flag's value; none for a boolean flag (which also gets `--no-flag`). */
  arg?: string;
  /** Other flags that set a fixed value, such as `--no-cache` for `cacheDir: false`. */
  alias?: OptionAlias<T> | readonly OptionAlias<T>[];
  /** The flag may be given several times (and the variable holds a comma-separated list). */
  repeat?: boolean;
  /** Read from `OPENAI_MOCK_<KEY>` too (default: when there is a flag); a string names the variable instead. */
  env?: boolean | string;
  /** No config key: the command's business only (such as `--ready-file`). */
  cliOnly?: boolean;
  /** A path: relative to the working directory from a flag or variable, to the config's folder from a config. */
  path?: boolean;
  read?: Read<T>;
  /** Checks a config (or programmatic) value. */
  check: (value: unknown) => boolean;
  /** For a value `check` refuses: what exactly is wrong, added to the message (for nested tables). */
  explain?: (value: unknown) => string | undefined;
  expect: string;
  help: string;
}

const wholeNumber = (min: number, max: number): Read<number> => (text) => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new OptionValueError(`must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
};

const BOOLEAN_TEXT: Record<string, boolean> = { '1': true, true: true, yes: true, on: true, '0': false, false: false, no: false, off: false };
export const readBoolean: Read<boolean> = (text) => {
  const value = BOOLEAN_TEXT[text.trim().toLowerCase()];
  if (value === undefined) throw new OptionValueError(`must be true or false (1/0, yes/no), got "${text}"`);
  return value;
};

const isString = (v: unknown) => typeof v === 'string' && v !== '';
const isBoolean = (v: unknown) => typeof v === 'boolean';
const isInteger = (min: number, max: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const PROTOCOL_NAMES = ['http', 'https'] as const;
const isProtocols = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((p) => (PROTOCOL_NAMES as readonly unknown[]).includes(p));
const readProtocols: Read<('http' | 'https')[]> = (text) => {
  const list = [...new Set(text.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean))];
  if (!isProtocols(list)) throw new OptionValueError(`must be http, https or http,https, got "${text}"`);
  return list as ('http' | 'https')[];
};
const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

const isStateConfig = (v: unknown) =>
  isBoolean(v) ||
  (isObject(v) &&
    Object.entries(v as object).every(([k, x]) => (k === 'store' && (isString(x) || x === undefined)) || (k === 'durations' && (x === undefined || isDurations(x)))));
/** More would only share the same cores: a ceiling that catches a typo such as 4000. */
export const MAX_WORKERS = 256;

const isHttpUrl = (v: unknown) => typeof v === 'string' && /^https?:\/\/[^/]/i.test(v);
export const REPLAY_MODES: readonly string[] = ['replay', 'record-missing', 'record'];

/** The table, in the order the help lists it. */
export const OPTIONS = [
  { key: 'port', flag: 'port', arg: 'N', read: wholeNumber(0, 65535), check: isInteger(0, 65535), expect: 'a whole number from 0 to 65535', help: 'port to listen on (command default: first free from 12111; 0 lets the OS choose)' },
  { key: 'host', flag: 'host', arg: 'H', check: isString, expect: 'a host name or address', help: 'interface to bind (default: 127.0.0.1)' },
  { key: 'spec', flag: 'spec', arg: 'PATH|URL', path: true, check: isString, expect: 'a path or an http(s) URL', help: "OpenAPI spec (default: the package's spec/openapi.yaml)" },
  { key: 'config', flag: 'config', short: 'c', arg: 'FILE', path: true, cliOnly: true, check: isString, expect: 'a file', help: 'config file (default: searched from the working directory, see the README)' },
  { key: 'watch', flag: 'watch', short: 'w', check: isBoolean, expect: 'true or false', help: 'reload the config and overrides when their files change' },
  {
    key: 'logLevel', flag: 'log-level', arg: 'L',
    read: (text: string): LogLevel => {
      if (!isLogLevel(text)) throw new OptionValueError(`must be one of ${LOG_LEVELS.join(', ')}, got "${text}"`);
      return text;
    },
    check: isLogLevel, expect: `one of ${LOG_LEVELS.join(', ')}`, help: `${LOG_LEVELS.join(', ')} (command default: info, one line per request; createMockServer: warn)`,
  },
  { key: 'auth', flag: 'auth', check: isBoolean, expect: 'true or false', help: 'require an API key (Authorization: Bearer ... or api-key); --no-auth accepts requests without one' },
  {
    key: 'apiKeys', flag: 'api-key', arg: 'KEY', repeat: true,
    check: (v: unknown) => Array.isArray(v) && v.length > 0 && v.every(isString), expect: 'a non-empty array of keys (strings)',
    help: 'accept only this key (repeat for more; the variable is comma separated); default: any key',
  },
  {
    key: 'cors', flag: 'cors', read: readBoolean,
    check: (v: unknown) =>
      isBoolean(v) ||
      (isObject(v) &&
        Object.entries(v as object).every(([k, x]) =>
          k === 'origins' ? Array.isArray(x) && x.every(isString) : (k === 'credentials' || k === 'loopback') && (x === undefined || isBoolean(x)))),
    expect: 'true, false, or { origins: ["https://app.example.test"], credentials: false, loopback: true }',
    help: 'answer CORS preflights for web pages on this machine (--no-cors: no CORS headers; other origins are refused either way)',
  },
  { key: 'corsOrigins', flag: 'cors-origin', arg: 'ORIGIN', repeat: true, check: (v: unknown) => Array.isArray(v) && v.every(isString), expect: 'an array of origins', help: 'also allow web pages from this origin (repeatable)' },
  {
    key: 'cacheDir', flag: 'cache-dir', arg: 'DIR', path: true,
    alias: { flag: 'no-cache', value: false as const, help: 'do not read or write the prepared-spec cache' },
    check: (v: unknown) => isString(v) || v === false, expect: 'a folder, or false',
    help: "where the prepared spec is cached (default: the project's node_modules/.cache/openai-mock, else $XDG_CACHE_HOME/openai-mock)",
  },
  { key: 'bodyLimit', flag: 'body-limit', arg: 'BYTES', read: wholeNumber(1, 2 ** 40), check: isInteger(1, 2 ** 40), expect: 'a whole number of bytes', help: 'largest request body accepted (default: 52428800)' },
  { key: 'maxAnswerBytes', flag: 'max-answer-bytes', arg: 'BYTES', read: wholeNumber(1, 2 ** 40), check: isInteger(1, 2 ** 40), expect: 'a whole number of bytes', help: 'the largest answer; a request asking for more gets a 400 (default: 50331648)' },
  { key: 'maxAnswerMs', flag: 'max-answer-ms', arg: 'MS', read: wholeNumber(1, 3_600_000), check: isInteger(1, 3_600_000), expect: 'a whole number of milliseconds', help: 'the most CPU time one answer may take; then a 400 (default: 500)' },
  { key: 'seed', flag: 'seed', arg: 'S', check: (v: unknown) => isString(v) || Number.isFinite(v), expect: 'a string or a number', help: 'deterministic ids and timestamps: the same request gets the same body' },
  { key: 'headersTimeout', flag: 'headers-timeout', arg: 'MS', read: wholeNumber(1, 2 ** 31 - 1), check: isInteger(1, 2 ** 31 - 1), expect: 'milliseconds', help: 'time a client has to send the request headers, then 408 (default: 20000)' },
  { key: 'requestTimeout', flag: 'request-timeout', arg: 'MS', read: wholeNumber(1, 2 ** 31 - 1), check: isInteger(1, 2 ** 31 - 1), expect: 'milliseconds', help: 'time a client has to send the whole request, then 408 (default: 60000)' },
  { key: 'allowUnknownParams', flag: 'allow-unknown-params', check: isBoolean, expect: 'true or false', help: 'accept body parameters the spec does not know (for when the spec lags the API); by default they are a 400, as the API answers' },
  { key: 'adminToken', flag: 'admin-token', arg: 'TOKEN', check: isString, expect: 'a token', help: 'require `Authorization: Bearer TOKEN` on /__admin routes (health stays open)' },
  {
    key: 'protocols', flag: 'protocols', arg: 'LIST', read: readProtocols, check: isProtocols, expect: 'a list of "http" and "https"',
    alias: [
      { flag: 'https-only', value: ['https'], help: 'the port speaks TLS only (HTTP/2 or HTTP/1.1 by ALPN)' },
      { flag: 'http-only', value: ['http'], help: 'the port speaks clear HTTP only (HTTP/1.1 and HTTP/2 with prior knowledge)' },
    ],
    help: 'what the port serves: http (HTTP/1.1, h2c), https (TLS: h2, http/1.1); command default: both, told apart per connection',
  },
  { key: 'httpsPort', flag: 'https-port', arg: 'N', read: wholeNumber(0, 65535), check: isInteger(0, 65535), expect: 'a whole number from 0 to 65535', help: 'also listen on this port, TLS only (0 lets the OS choose)' },
  { key: 'tlsCert', flag: 'tls-cert', arg: 'FILE', path: true, check: isString, expect: 'a PEM certificate file', help: 'your own TLS certificate (PEM, chain allowed) instead of the generated one; needs --tls-key' },
  { key: 'tlsKey', flag: 'tls-key', arg: 'FILE', path: true, check: isString, expect: 'a PEM private key file', help: "the private key of --tls-cert's certificate (PEM, not encrypted)" },
  {
    key: 'workers', flag: 'workers', arg: 'N|auto',
    read: (text: string): number | 'auto' => {
      if (text.trim().toLowerCase() === 'auto') return 'auto';
      const n = Number(text);
      if (text.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_WORKERS) throw new OptionValueError(`must be a whole number from 1 to ${MAX_WORKERS}, or auto, got "${text}"`);
      return n;
    },
    check: (v: unknown) => v === 'auto' || isInteger(1, MAX_WORKERS)(v), expect: `a whole number from 1 to ${MAX_WORKERS}, or "auto"`,
    help: 'serve from N processes on one port (auto: one per core); the command only (default: 1)',
  },
  { key: 'readyFile', flag: 'ready-file', arg: 'PATH', path: true, cliOnly: true, check: isString, expect: 'a file', help: 'once listening, write {"url","port","pid"} as JSON to this file' },
  { key: 'strictModels', flag: 'strict-models', check: isBoolean, expect: 'true or false', help: 'a request naming a model outside the catalogue gets the API\'s 404 model_not_found' },
  { key: 'models', check: isModelsConfig, expect: 'an array of model ids or { id, owned_by?, created?, shutdown_date? } (replaces the catalogue), or { extend?: [...], remove?: [ids] }', help: 'the model catalogue: replace it or extend it' },
  { key: 'stream', check: isObject, expect: 'an object { firstEventDelayMs, intervalMs, errorAfter, error, cutAfter }', help: 'server-wide pacing and failures of streamed answers' },
  // Load testing (src/latency, src/ratelimit, src/metrics): pacing like a model, limits like the API's, metrics.
  {
    key: 'latency', flag: 'latency', arg: 'PROFILE',
    read: (text: string) => {
      const problem = latencyProblem(text);
      if (problem) throw new OptionValueError(problem);
      return text;
    },
    check: (v: unknown) => latencyProblem(v) === undefined,
    explain: latencyProblem,
    expect: 'a profile name (fast, realistic) or a table { profile, default, operations, models } of { ttftMs, interTokenMs, tokensPerSecond, totalMs }',
    help: 'answer as fast as possible (fast, the default) or paced like OpenAI\'s models (realistic); a request\'s Prefer: latency=NAME wins',
  },
  { key: 'rateLimits', check: (v: unknown) => rateLimitsProblem(v) === undefined, explain: rateLimitsProblem, expect: 'an object { rpm, tpm, models: { "gpt-4o": { rpm, tpm } }, organization }', help: 'requests and tokens per minute per API key and model, answered with the API\'s headers and 429s' },
  { key: 'rateLimitRpm', flag: 'rate-limit-rpm', arg: 'N', read: wholeNumber(1, 1_000_000_000), check: isInteger(1, 1_000_000_000), expect: 'a whole number of at least 1', help: 'requests per minute per API key and model (rateLimits.rpm)' },
  { key: 'rateLimitTpm', flag: 'rate-limit-tpm', arg: 'N', read: wholeNumber(1, 1_000_000_000_000), check: isInteger(1, 1_000_000_000_000), expect: 'a whole number of at least 1', help: 'tokens per minute per API key and model (rateLimits.tpm)' },
  { key: 'statsInterval', flag: 'stats-interval', arg: 'SECONDS', read: wholeNumber(0, 86_400), check: isInteger(0, 86_400), expect: 'a whole number of seconds', help: 'log a summary line (requests, rate, p50/p99, streams, 429s) every SECONDS at info level (default 0: none)' },
  /* Proxy, record and replay (src/proxy, src/cassettes) */
  {
    key: 'proxy', flag: 'proxy', arg: 'URL',
    check: (v: unknown) => isHttpUrl(v) || (isObject(v) && isHttpUrl((v as { target?: unknown }).target)),
    expect: 'an http(s) base URL, or { target, apiKey, include, exclude, fallback, timeoutMs }',
    help: 'forward requests to this OpenAI-compatible API (such as https://api.openai.com/v1); overrides apply to its answers',
  },
  {
    key: 'record', flag: 'record', arg: 'DIR', path: true,
    check: (v: unknown) => isString(v) || (isObject(v) && isString((v as { dir?: unknown }).dir)),
    expect: 'a folder, or { dir, redact }',
    help: 'write each proxied exchange as a cassette in DIR (needs --proxy)',
  },
  {
    key: 'replay', flag: 'replay', arg: 'DIR', path: true,
    check: (v: unknown) => isString(v) || (isObject(v) && isString((v as { dir?: unknown }).dir)),
    expect: 'a folder, or { dir, mode, ignore, speed }',
    help: 'answer from the cassettes in DIR; a request no cassette matches gets a 404 naming the nearest',
  },
  {
    key: 'replayMode', flag: 'replay-mode', arg: 'MODE', cliOnly: true,
    read: (text: string) => {
      if (!REPLAY_MODES.includes(text)) throw new OptionValueError(`must be one of ${REPLAY_MODES.join(', ')}, got "${text}"`);
      return text;
    },
    check: (v: unknown) => typeof v === 'string' && REPLAY_MODES.includes(v), expect: REPLAY_MODES.join(', '),
    help: 'replay (misses fail, the default), record-missing (misses go to --proxy and are recorded), record (always --proxy, overwrite)',
  },
  { key: 'overridesDir', path: true, check: (v: unknown) => isString(v) || v === false, expect: 'a folder, or false', help: 'folder of override modules' },
  { key: 'overrides', check: Array.isArray, expect: 'an array of overrides', help: 'overrides, applied in order' },
  // The test-suite companion (src/sessions/, src/scripts/): the journal, sessions, fixture scripts.
  {
    key: 'journal', flag: 'journal', arg: 'MAX',
    read: (text: string) => ({ max: wholeNumber(0, 10_000_000)(text) }),
    check: (v: unknown) => v === false || (isObject(v) && Object.keys(v as object).every((k) => k === 'max') && ((v as { max?: unknown }).max === undefined || isInteger(0, 10_000_000)((v as { max?: unknown }).max))),
    expect: 'an object { max } (max 0 keeps nothing), or false', help: 'requests the journal keeps, oldest dropped first (default: 1000; 0: none)',
  },
  {
    key: 'sessions', flag: 'sessions', arg: 'header|api-key',
    read: (text: string) => {
      if (text !== 'header' && text !== 'api-key') throw new OptionValueError(`must be header or api-key, got "${text}"`);
      return { byApiKey: text === 'api-key' };
    },
    check: (v: unknown) => isObject(v) && Object.entries(v as object).every(([k, x]) => (k === 'byApiKey' && isBoolean(x)) || (k === 'header' && isString(x))),
    expect: 'an object { byApiKey, header }', help: 'what names a test session: the x-mock-session header (default), or with api-key the API key too',
  },
  { key: 'fixturesDir', flag: 'fixtures-dir', arg: 'DIR', path: true, check: isString, expect: 'a folder', help: 'folder of fixture scripts (*.yaml, *.yml, *.json), reloaded with --watch' },
  { key: 'fixtures', check: Array.isArray, expect: 'an array of scripts', help: 'scripts as data, tried after those added in code or over HTTP' },
  // Stateful mode (src/state/): what creates make is kept, and retrieves, lists and deletes answer from it.
  {
    key: 'state', flag: 'stateful', env: 'OPENAI_MOCK_STATEFUL', read: readBoolean,
    check: isStateConfig,
    expect: "true, false, or { store?: 'state.db', durations?: { 'batch.in_progress': 2000 } }",
    help: 'keep what creates make (files, vector stores, batches, stored chat completions...) per session; in memory, or in a file with config state.store',
  },
] as const satisfies readonly OptionDef<any>[];

export type OptionKey = (typeof OPTIONS)[number]['key'];

export const OPTION_BY_KEY: ReadonlyMap<string, OptionDef<any>> = new Map(OPTIONS.map((o) => [o.key, o as OptionDef<any>]));

/** `cacheDir` -> `OPENAI_MOCK_CACHE_DIR`. */
export function envName(def: OptionDef<any>): string | undefined {
  if (typeof def.env === 'string') return def.env;
  if (def.env === false || (def.env === undefined && !def.flag)) return undefined;
  return 'OPENAI_MOCK_' + def.key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

/** How a flag or variable's text becomes the option's value. */
export function readText(def: OptionDef<any>, text: string): unknown {
  if (def.repeat) return text.split(',').map((s) => s.trim()).filter(Boolean);
  if (def.read) return def.read(text);
  if (def.check === isBoolean) return readBoolean(text);
  return text;
}

/** `: why` for a refused value, when the option can say more than what it expects. */
export function explained(def: OptionDef<any>, value: unknown): string {
  const why = def.explain?.(value);
  return why ? ` (${why})` : '';
}

/** A switch: `--flag` / `--no-flag`, and true/false in its variable. */
export function isBooleanOption(def: OptionDef<any>): boolean {
  return def.check === isBoolean || def.read === readBoolean;
}

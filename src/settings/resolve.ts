import os from 'node:os';
import path from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/load';
import type { Config } from '../config/define';
import { createLogger, type Logger, type LogLevel } from '../log/logger';
import { defaultCacheDir, defaultSpecPath, type SpecLocation } from '../openapi/locate';
import type { Step, StreamControl } from '../pipeline/types';
import type { AnyOverride } from '../overrides/types';
import type { ScriptSpec } from '../scripts/spec';
import type { SessionOptions } from '../sessions/front';
import { DEFAULT_JOURNAL_MAX } from '../sessions/journal';
import type { CorsConfig } from '../http/cors';
import type { ModelsConfig } from '../models/served';
import type { ProxySettings } from '../proxy/step';
import { settleCassettes, settleProxy, type RecordSettings, type ReplaySettings } from '../cassettes/settings';
import { settleState, type StateSettings } from '../state/settings';
import type { LatencyConfig } from '../latency/model';
import type { RateLimitsConfig } from '../ratelimit/step';
import { nearest } from '../util/nearest';
import { envName, explained, OPTIONS, OptionValueError, readText, type OptionDef } from './options';

/**
 * Flags (or `createMockServer` options), environment and config file, settled once into one
 * typed object before the server is composed: the server reads only this, never the sources.
 * Precedence: given > environment > config file > default.
 */

export const DEFAULT_BODY_LIMIT = 50 * 1024 * 1024;

/** What the command and `createMockServer` hand in: the config's keys plus what only code can give. */
export interface SettingsInput extends Omit<Config, 'overridesDir'> {
  /** A config file to load (relative to `cwd`), `true` to search for one from `cwd`, or a config loaded with `loadConfig`. */
  config?: string | boolean | LoadedConfig;
  logger?: Logger;
  steps?: readonly Step[];
  cwd?: string;
  /** The command's own: where to write `{url, port, pid}` once listening. */
  readyFile?: string;
  /** `createMockServer` only: serve TLS too, and make `url` the https one. */
  tls?: boolean;
}

export interface Settings {
  cwd: string;
  /** Undefined only for the command, which then looks for a free port from 12111. */
  port?: number;
  host: string;
  spec: SpecLocation;
  cacheDir: string | false;
  logLevel: LogLevel;
  logger: Logger;
  auth: boolean;
  /** Strict keys: only these are accepted. */
  apiKeys?: readonly string[];
  cors: boolean | CorsConfig;
  /** More allowed origins (`--cors-origin`), added to `cors.origins`. */
  corsOrigins?: readonly string[];
  bodyLimit: number;
  maxAnswerBytes?: number;
  maxAnswerMs?: number;
  watch: boolean;
  seed?: string | number;
  stream?: StreamControl;
  /** Pacing like a model (src/latency); undefined: none. */
  latency?: LatencyConfig;
  /** Rate limits like the API's (src/ratelimit), `rateLimitRpm`/`rateLimitTpm` folded in; undefined: none. */
  rateLimits?: RateLimitsConfig;
  /** Seconds between summary lines; 0: none. */
  statsInterval: number;
  headersTimeout: number;
  requestTimeout: number;
  adminToken?: string;
  allowUnknownParams: boolean;
  /** Undefined when nothing set it: the command serves both, `createMockServer` http (https too with `tls: true`). */
  protocols?: readonly ('http' | 'https')[];
  httpsPort?: number;
  tlsCert?: string;
  tlsKey?: string;
  /** `createMockServer({ tls: true })`. */
  tls: boolean;
  readyFile?: string;
  /** Processes serving the port (`auto` settled to the number of cores); the command's, `createMockServer` is one. */
  workers: number;
  /** The config's model catalogue (undefined: the built-in one). */
  models?: ModelsConfig;
  strictModels: boolean;
  config?: LoadedConfig;
  /** Overrides given in code (the config's are in `config.overrides`). */
  overrides: readonly AnyOverride[];
  steps: readonly Step[];
  /** Requests the journal keeps (0: none). */
  journalMax: number;
  sessions: SessionOptions;
  fixturesDir?: string;
  fixtures: readonly ScriptSpec[];
  /** Forwarding to an upstream API (src/proxy). */
  proxy?: ProxySettings;
  /** Recording proxied exchanges, and answering from recordings (src/cassettes). */
  record?: Required<RecordSettings>;
  replay?: Required<ReplaySettings>;
  /** Stateful mode (src/state/): undefined when off. */
  state?: StateSettings;
  /** Where each value set by the user came from (`--port`, `OPENAI_MOCK_PORT`, `config "port"`), for messages. */
  origins: Readonly<Record<string, string>>;
}

export interface ResolveOptions {
  /** Environment variables to read (`OPENAI_MOCK_*`). */
  env?: NodeJS.ProcessEnv;
  /** Log level when nothing sets one: the command's is `info`, the library's `warn` (quiet in test runs). */
  defaultLogLevel?: LogLevel;
  /** Origin label of the given values: `--flag` for the command, `option` for code. */
  given?: 'flag' | 'option';
}

export class SettingsError extends Error {}

/** Where a value came from, as a layer: given (flag or option) over environment over config. */
const layer = (origin: string | undefined) => (origin === undefined ? 0 : origin.startsWith('config ') ? 1 : origin.startsWith('OPENAI_MOCK_') ? 2 : 3);

/**
 * `rateLimits` with `rateLimitRpm`/`rateLimitTpm` (`--rate-limit-rpm`, ...) folded in, the layer
 * that wins deciding as for any option (a flat key wins a tie); undefined when nothing limits.
 */
function settleRateLimits(values: Record<string, unknown>, origins: Record<string, string>): RateLimitsConfig | undefined {
  const given = values.rateLimits as RateLimitsConfig | undefined;
  const pick = (flat: 'rateLimitRpm' | 'rateLimitTpm', nested: 'rpm' | 'tpm') =>
    values[flat] !== undefined && layer(origins[flat]) >= layer(origins.rateLimits) ? (values[flat] as number) : (given?.[nested] ?? (values[flat] as number | undefined));
  const rpm = pick('rateLimitRpm', 'rpm');
  const tpm = pick('rateLimitTpm', 'tpm');
  if (!given && rpm === undefined && tpm === undefined) return undefined;
  return { ...given, rpm, tpm };
}

function envOf(def: OptionDef<any>, env: NodeJS.ProcessEnv): { name: string; text: string } | undefined {
  const name = envName(def);
  const text = name ? env[name] : undefined;
  return name && text !== undefined && text !== '' ? { name, text } : undefined;
}

async function configOf(input: SettingsInput['config'], cwd: string): Promise<LoadedConfig | undefined> {
  if (input === undefined || input === false) return undefined;
  if (typeof input === 'object') return input;
  return loadConfig({ file: input === true ? undefined : input, cwd });
}

const isUrl = (value: string) => /^https?:\/\//i.test(value);

/** What `createMockServer` takes: every option's key, and what only code can give. */
const OPTION_KEYS: ReadonlySet<string> = new Set([...OPTIONS.map((o) => o.key), 'config', 'overrides', 'logger', 'steps', 'cwd', 'tls']);
/** Words a misspelling may be near, each to the key it means: a key, or its flag as the CLI spells it and in camelCase (`--stateful` is `state`). */
const MEANT_BY: ReadonlyMap<string, string> = new Map([
  ...[...OPTION_KEYS].map((key) => [key, key] as const),
  ...(OPTIONS as readonly OptionDef[]).flatMap((o): [string, string][] =>
    o.flag ? [[o.flag, o.key], [o.flag.replace(/-([a-z])/g, (_: string, c: string) => c.toUpperCase()), o.key]] : []),
]);

export async function resolveSettings(input: SettingsInput, options: ResolveOptions = {}): Promise<Settings> {
  const env = options.env ?? process.env;
  // Code without types (plain JavaScript) gets no compile error for a misspelt option: say it here, as a config file would.
  if (options.given === 'option') {
    for (const key of Object.keys(input)) {
      if (OPTION_KEYS.has(key)) continue;
      const near = nearest(key, MEANT_BY.keys());
      const meant = near === undefined ? undefined : MEANT_BY.get(near);
      throw new SettingsError(`unknown option "${key}"${meant ? ` (did you mean "${meant}"?)` : ''}; the options are the config's keys, in the README's table`);
    }
  }
  const cwd = input.cwd ?? process.cwd();
  const givenLabel = (def: OptionDef<any>) => (options.given === 'flag' && def.flag ? `--${def.flag}` : `option "${def.key}"`);

  // The config file may itself be named by the environment.
  let configInput = input.config;
  const configEnv = envOf(OPTIONS.find((o) => o.key === 'config')!, env);
  if ((configInput === undefined || configInput === true) && configEnv) configInput = configEnv.text;
  const config = await configOf(configInput, cwd);

  const values: Record<string, unknown> = {};
  const origins: Record<string, string> = {};
  for (const def of OPTIONS as readonly OptionDef<any>[]) {
    if (def.key === 'config' || def.key === 'overrides') continue;
    const given = (input as Record<string, unknown>)[def.key];
    if (given !== undefined) {
      if (!def.check(given)) throw new SettingsError(`${givenLabel(def)} must be ${def.expect}, got ${JSON.stringify(given)}${explained(def, given)}`);
      values[def.key] = def.path && typeof given === 'string' && !isUrl(given) ? path.resolve(cwd, given) : given;
      origins[def.key] = givenLabel(def);
      continue;
    }
    const fromEnv = envOf(def, env);
    if (fromEnv) {
      let value: unknown;
      try {
        value = readText(def, fromEnv.text);
      } catch (error) {
        if (error instanceof OptionValueError) throw new SettingsError(`${fromEnv.name} ${error.message}`);
        throw error;
      }
      values[def.key] = def.path && typeof value === 'string' && !isUrl(value) ? path.resolve(cwd, value) : value;
      origins[def.key] = fromEnv.name;
      continue;
    }
    const fromConfig = def.cliOnly ? undefined : (config?.config as Record<string, unknown> | undefined)?.[def.key];
    if (fromConfig !== undefined && config) {
      // checkConfig has already checked the value when the file was loaded.
      values[def.key] = def.path && typeof fromConfig === 'string' && !isUrl(fromConfig) ? path.resolve(config.dir, fromConfig) : fromConfig;
      origins[def.key] = `config "${def.key}"`;
    }
  }

  // On one command line the two can only be a mistake; elsewhere `auth: false` simply turns strict keys off too.
  if (values.apiKeys && values.auth === false && origins.apiKeys === '--api-key' && origins.auth === '--auth') {
    throw new SettingsError('--api-key and --no-auth contradict each other: keep one');
  }
  const logLevel = (values.logLevel as LogLevel | undefined) ?? options.defaultLogLevel ?? 'warn';
  const headersTimeout = (values.headersTimeout as number | undefined) ?? 20_000;
  const watch = (values.watch as boolean | undefined) ?? false;
  const settings: Settings = {
    cwd,
    port: values.port as number | undefined,
    host: (values.host as string | undefined) ?? '127.0.0.1',
    spec: values.spec ? { source: values.spec as string, origin: origins.spec! } : { source: defaultSpecPath(env), origin: 'default' },
    cacheDir: (values.cacheDir as string | false | undefined) ?? defaultCacheDir(),
    logLevel,
    logger: input.logger ?? createLogger(logLevel),
    auth: (values.auth as boolean | undefined) ?? true,
    apiKeys: values.apiKeys as string[] | undefined,
    cors: (values.cors as boolean | CorsConfig | undefined) ?? true,
    corsOrigins: values.corsOrigins as string[] | undefined,
    maxAnswerBytes: values.maxAnswerBytes as number | undefined,
    maxAnswerMs: values.maxAnswerMs as number | undefined,
    bodyLimit: (values.bodyLimit as number | undefined) ?? DEFAULT_BODY_LIMIT,
    watch,
    seed: values.seed as string | number | undefined,
    stream: values.stream as StreamControl | undefined,
    latency: values.latency as LatencyConfig | undefined,
    rateLimits: settleRateLimits(values, origins),
    statsInterval: (values.statsInterval as number | undefined) ?? 0,
    headersTimeout,
    requestTimeout: Math.max((values.requestTimeout as number | undefined) ?? 60_000, headersTimeout),
    adminToken: values.adminToken as string | undefined,
    allowUnknownParams: (values.allowUnknownParams as boolean | undefined) ?? false,
    protocols: values.protocols as ('http' | 'https')[] | undefined,
    httpsPort: values.httpsPort as number | undefined,
    tlsCert: values.tlsCert as string | undefined,
    tlsKey: values.tlsKey as string | undefined,
    tls: input.tls ?? false,
    readyFile: values.readyFile as string | undefined,
    workers: values.workers === 'auto' ? os.availableParallelism() : ((values.workers as number | undefined) ?? 1),
    models: values.models as ModelsConfig | undefined,
    strictModels: (values.strictModels as boolean | undefined) ?? false,
    config,
    overrides: input.overrides ?? [],
    steps: input.steps ?? [],
    journalMax: values.journal === false ? 0 : ((values.journal as { max?: number } | undefined)?.max ?? DEFAULT_JOURNAL_MAX),
    sessions: (values.sessions as SessionOptions | undefined) ?? {},
    fixturesDir: values.fixturesDir as string | undefined,
    fixtures: (values.fixtures as readonly ScriptSpec[] | undefined) ?? [],
    state: settleState(values.state, origins.state, { cwd, configDir: config?.dir }),
    origins,
  };
  // Proxy, record and replay: one clearly separated addition (their checks and defaults live in cassettes/settings.ts).
  try {
    settings.proxy = settleProxy(values.proxy);
    Object.assign(settings, settleCassettes(values, origins, { cwd, configDir: config?.dir }));
    // A proxy holds a real key: web pages reach it only from the origins configured
    // (`corsOrigins`, `cors.origins`), not from any page served on this machine.
    if (settings.proxy && origins.cors === undefined) settings.cors = { loopback: false };
  } catch (error) {
    throw new SettingsError((error as Error).message);
  }
  return settings;
}

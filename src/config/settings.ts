import path from 'node:path';
import { isLogLevel, LOG_LEVELS } from '../log/logger';
import type { Config } from './define';
import { ConfigError } from './errors';

/** Checks a config's keys and values, so that a typo or a wrong type is an error naming the key. */

type Check = (value: unknown) => boolean;

const isPort: Check = (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;
const isString: Check = (v) => typeof v === 'string' && v !== '';
const isBoolean: Check = (v) => typeof v === 'boolean';

const KEYS: Record<keyof Config, [Check, string]> = {
  port: [isPort, 'a whole number from 0 to 65535'],
  host: [isString, 'a host name or address'],
  spec: [isString, 'a path or an http(s) URL'],
  logLevel: [isLogLevel, `one of ${LOG_LEVELS.join(', ')}`],
  auth: [isBoolean, 'true or false'],
  cors: [
    (v) =>
      isBoolean(v) ||
      (typeof v === 'object' && v !== null && !Array.isArray(v) &&
        Object.entries(v).every(([k, x]) =>
          k === 'origins' ? Array.isArray(x) && x.every(isString) : (k === 'credentials' || k === 'loopback') && (x === undefined || isBoolean(x)))),
    'true, false, or { origins: ["https://app.example.test"], credentials: false, loopback: true }',
  ],
  cacheDir: [(v) => isString(v) || v === false, 'a folder, or false'],
  bodyLimit: [(v) => Number.isInteger(v) && (v as number) >= 1, 'a whole number of bytes'],
  watch: [isBoolean, 'true or false'],
  maxAnswerBytes: [(v) => Number.isInteger(v) && (v as number) >= 1, 'a whole number of bytes'],
  maxAnswerMs: [(v) => Number.isInteger(v) && (v as number) >= 1, 'a whole number of milliseconds'],
  seed: [(v) => isString(v) || Number.isFinite(v), 'a string or a number'],
  stream: [(v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'an object { firstEventDelayMs, intervalMs, errorAfter, error, cutAfter }'],
  overridesDir: [(v) => isString(v) || v === false, 'a folder, or false'],
  overrides: [Array.isArray, 'an array of overrides'],
};

export function checkConfig(value: unknown, file: string): Config {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${file}: the config must be an object (export default defineConfig({ ... })), got ${Array.isArray(value) ? 'an array' : typeof value}`, file);
  }
  for (const [key, v] of Object.entries(value)) {
    const rule = KEYS[key as keyof Config];
    if (!rule) throw new ConfigError(`${file}: unknown key "${key}" (known keys: ${Object.keys(KEYS).join(', ')})`, file);
    if (v !== undefined && !rule[0](v)) throw new ConfigError(`${file}: "${key}" must be ${rule[1]}, got ${JSON.stringify(v)}`, file);
  }
  return value as Config;
}

/** What the server takes from a config, with relative paths made absolute. */
export type ConfigSettings = Omit<Config, 'spec' | 'overrides' | 'overridesDir'> & {
  /** The spec as written, and the folder it is relative to. */
  spec?: { value: string; dir: string };
};

export function settingsOf(config: Config, dir: string): ConfigSettings {
  const { spec, cacheDir, overrides: _overrides, overridesDir: _overridesDir, ...rest } = config;
  return {
    ...rest,
    spec: spec ? { value: spec, dir } : undefined,
    cacheDir: typeof cacheDir === 'string' ? path.resolve(dir, cacheDir) : cacheDir,
  };
}

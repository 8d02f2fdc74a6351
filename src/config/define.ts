import type { LogLevel } from '../log/logger';
import type { StreamControl } from '../pipeline/types';
import type { AnyOverride } from '../overrides/types';

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
  /** `false` sends no CORS headers (on by default, for web apps calling the mock from a browser). */
  cors?: boolean;
  /** Prepared-spec cache folder, or `false` for none. */
  cacheDir?: string | false;
  bodyLimit?: number;
  /** Reload the config and overrides when their files change. */
  watch?: boolean;
  /** Deterministic ids and timestamps: the same request gets the same body. */
  seed?: string | number;
  /** Milliseconds a client has to send the request headers; then 408. Default 20 s. */
  headersTimeout?: number;
  /** Milliseconds a client has to send the whole request (headers and body); then 408. Default 60 s. */
  requestTimeout?: number;
  /** Accept top-level body parameters the spec does not declare (by default a 400, as the API answers), for when the spec lags the API. */
  allowUnknownParams?: boolean;
  /** Require `Authorization: Bearer <adminToken>` on the admin routes (`/__admin/...`; health stays open). */
  adminToken?: string;
  /** Server-wide pacing and failures of streamed answers; an override's `stream` wins field by field. */
  stream?: StreamControl;
  /**
   * A folder of override modules (each a default export: one override or an array), loaded in
   * file-name order after `overrides`. Default `overrides` next to this file; `false` for none.
   */
  overridesDir?: string | false;
  /** Overrides, applied in order: each that applies sees the response the ones before it left. */
  overrides?: readonly AnyOverride[];
}

/** Types a config file's default export: `export default defineConfig({ ... })`. */
export function defineConfig(config: Config): Config;
export function defineConfig(config: () => Config | Promise<Config>): () => Config | Promise<Config>;
export function defineConfig(config: Config | (() => Config | Promise<Config>)) {
  return config;
}

import type { LoadedConfig } from '../config/load';
import type { Settings } from './resolve';

/** Settings a reload cannot change in a running server: they shape its socket, spec or pipeline. */
const RESTART_KEYS = ['port', 'host', 'spec', 'logLevel', 'auth', 'cors', 'cacheDir', 'bodyLimit', 'seed', 'stream', 'headersTimeout', 'requestTimeout', 'adminToken', 'protocols', 'httpsPort', 'tlsCert', 'tlsKey', 'models', 'strictModels', 'allowUnknownParams', 'latency', 'rateLimits', 'rateLimitRpm', 'rateLimitTpm', 'statsInterval', 'workers'] as const;

/**
 * The config keys whose new value differs from what the running server uses, where the config is
 * what set it: a flag or variable still wins after the reload, and a `port` equal to the bound
 * one (or 0) changes nothing.
 */
export function needsRestart(settings: Settings, next: LoadedConfig, boundPort: number): string[] {
  const values = next.config as Record<string, unknown>;
  return RESTART_KEYS.filter((key) => {
    const origin = settings.origins[key];
    if (origin !== undefined && origin !== `config "${key}"`) return false;
    const value = values[key];
    if (key === 'port') return value !== undefined && value !== 0 && value !== boundPort;
    const before = settings.config ? (settings.config.config as Record<string, unknown>)[key] : undefined;
    return JSON.stringify(value) !== JSON.stringify(before);
  });
}

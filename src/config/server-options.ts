import type { MockServerOptions } from '../server';
import type { LoadedOverride } from '../overrides/set';
import type { AnyOverride } from '../overrides/types';
import { loadConfig, type LoadedConfig } from './load';

/** How `createMockServer` takes a config: the options given win over the file's. */

export async function configFor(config: MockServerOptions['config'], cwd: string): Promise<LoadedConfig | undefined> {
  if (config === undefined || config === false) return undefined;
  if (typeof config === 'object') return config;
  return loadConfig({ file: config === true ? undefined : config, cwd });
}

export function withConfig(options: MockServerOptions, config: LoadedConfig | undefined): MockServerOptions {
  if (!config) return options;
  const s = config.settings;
  return {
    ...options,
    port: options.port ?? s.port,
    host: options.host ?? s.host,
    logLevel: options.logLevel ?? s.logLevel,
    auth: options.auth ?? s.auth,
    cors: options.cors ?? s.cors,
    cacheDir: options.cacheDir ?? s.cacheDir,
    bodyLimit: options.bodyLimit ?? s.bodyLimit,
    watch: options.watch ?? s.watch,
    seed: options.seed ?? s.seed,
    stream: options.stream ?? s.stream,
    maxAnswerBytes: options.maxAnswerBytes ?? s.maxAnswerBytes,
    maxAnswerMs: options.maxAnswerMs ?? s.maxAnswerMs,
  };
}

/** Overrides given in code, labelled for log lines like those from files. */
export function labelled(overrides: readonly AnyOverride[] | undefined, origin = 'overrides'): LoadedOverride[] {
  return (overrides ?? []).map((override, i) => ({
    override,
    label: `${origin}[${i}]${typeof override?.name === 'string' && override.name ? ` (${override.name})` : ''}`,
  }));
}

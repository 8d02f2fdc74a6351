import path from 'node:path';
import type { Durations } from './clock';

/** Config `state`: `true`, or what to keep it in and how long objects stay in each status. */
export interface StateConfig {
  /** An SQLite file (relative to the config file, or the working directory): the state survives restarts. */
  store?: string;
  /** Milliseconds per `kind.status` (`'batch.in_progress': 2000`) or per status (`in_progress: 500`); default 0: at once. */
  durations?: Record<string, number>;
}

/** Stateful mode as settled: undefined when off. */
export interface StateSettings {
  /** Absolute path of the SQLite file; undefined: in memory. */
  store?: string;
  durations: Durations;
}

export function settleState(value: unknown, origin: string | undefined, dirs: { cwd: string; configDir?: string }): StateSettings | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { durations: {} };
  const config = value as StateConfig;
  const base = origin?.startsWith('config') && dirs.configDir ? dirs.configDir : dirs.cwd;
  return { store: config.store ? path.resolve(base, config.store) : undefined, durations: { ...config.durations } };
}

import path from 'node:path';
import type { Logger } from '../log/logger';
import { ConfigError, EmptyFileError } from './errors';
import { loadConfig, MODULE_EXTENSIONS, type LoadedConfig } from './load';
import { createReloader } from './reloader';

/**
 * `--watch`: watches the config file, the overrides folder and every file they import. A change
 * reloads everything and hands the new config to `apply`, which swaps it in at once; a config
 * that fails to load or apply leaves the last good one in force, with the error in the log, and
 * the next save tries again.
 */

export interface ConfigWatcher {
  /** Resolves once the watcher is ready to see changes. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface WatchOptions {
  cwd?: string;
  logger: Logger;
  /**
   * Puts a freshly loaded config in force; throws (a `ConfigError`) to refuse it. Returns the
   * settings it changed that only a restart applies.
   */
  apply(loaded: LoadedConfig): readonly string[];
  /** Quiet time after the last change before reloading: editors write a file in several steps. */
  debounceMs?: number;
}

export function watchConfig(initial: LoadedConfig, options: WatchOptions): ConfigWatcher {
  const { logger } = options;
  const SETTLE_MS = 100;
  let current = initial;
  const watched = new Set<string>();
  let firstChangeAt: number | undefined;
  // One re-read per empty file seen, not a loop: a file left empty stays refused until saved.
  let settleRetried = false;
  let settleTimer: NodeJS.Timeout | undefined;

  const targets = (loaded: LoadedConfig) => [loaded.file, ...loaded.inputs, ...(loaded.overridesDir ? [loaded.overridesDir] : [])];
  for (const target of targets(initial)) watched.add(target);

  /** A new or removed override module counts; an editor's swap file beside it does not. */
  const relevant = (file: string) => {
    if (watched.has(file)) return true;
    const dir = current.overridesDir;
    return dir !== undefined && path.dirname(file) === dir && MODULE_EXTENSIONS.includes(path.extname(file)) && !path.basename(file).startsWith('.');
  };

  const reloader = createReloader({
    paths: [...watched],
    relevant,
    onChange() {
      firstChangeAt ??= performance.now();
      // The write's own event came: it reloads, and a re-read scheduled for an empty file is not needed.
      settleRetried = false;
      clearTimeout(settleTimer);
    },
    reload,
    logger,
    what: 'the config',
    debounceMs: options.debounceMs,
  });
  const add = (paths: Iterable<string>) => {
    const fresh = [...paths].filter((p) => !watched.has(p));
    for (const p of fresh) watched.add(p);
    if (fresh.length > 0) reloader.watcher.add(fresh);
  };

  async function reload() {
    const since = firstChangeAt ?? performance.now();
    firstChangeAt = undefined;
    try {
      const loaded = await loadConfig({ file: current.file, cwd: options.cwd });
      if (!loaded) throw new ConfigError(`config file not found: ${current.file}`, current.file);
      if (reloader.closed) return;
      const restart = options.apply(loaded);
      clearTimeout(settleTimer);
      current = loaded;
      add(targets(loaded));
      logger.info(`overrides reloaded: ${loaded.overrides.length} overrides in ${Math.round(performance.now() - since)} ms`);
      if (restart.length > 0) logger.warn(`config: ${restart.join(', ')} changed; restart the server to apply (overrides are already in force)`);
    } catch (error) {
      if (error instanceof ConfigError) add(error.files);
      if (error instanceof EmptyFileError) {
        // Editors truncate, then write: the write's own event normally follows. In case it came
        // before this read finished, the file is read again once the write has had time to settle.
        logger.warn(`overrides not reloaded: ${error.file} is empty (a save under way?); the last good set stays in force`);
        if (!settleRetried) {
          settleRetried = true;
          clearTimeout(settleTimer);
          settleTimer = setTimeout(() => reloader.schedule(), SETTLE_MS);
        }
        return;
      }
      const message = error instanceof ConfigError ? error.message : ((error as Error)?.stack ?? String(error));
      logger.error(`overrides not reloaded; the last good set stays in force:\n${message}`);
    }
  }

  return {
    ready: reloader.ready,
    async close() {
      clearTimeout(settleTimer);
      await reloader.close();
    },
  };
}

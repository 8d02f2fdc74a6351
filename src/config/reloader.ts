import path from 'node:path';
import type { FSWatcher } from 'chokidar';
import type { Logger } from '../log/logger';

/**
 * What every hot reload shares (the config with its overrides, the fixtures folder): chokidar on
 * some paths, a reload once the changes settle, never two at once, and one more when a change
 * came during a run.
 */

export interface Reloader {
  readonly watcher: FSWatcher;
  /** Resolves once the watcher is ready to see changes. */
  readonly ready: Promise<void>;
  readonly closed: boolean;
  /** Reloads once the changes have been quiet for the debounce time. */
  schedule(): void;
  close(): Promise<void>;
}

export interface ReloaderOptions {
  paths: string[];
  /** Whether a changed path (absolute) is one to reload for. */
  relevant(file: string): boolean;
  /** Called on each relevant change, before the reload is scheduled. */
  onChange?(): void;
  reload(): Promise<void>;
  logger: Logger;
  /** For the log: `the config`, `the fixtures`. */
  what: string;
  /** Quiet time after the last change before reloading: editors write a file in several steps. */
  debounceMs?: number;
}

/**
 * `OPENAI_MOCK_WATCH_POLL=1`: stat the files on a timer instead of waiting for file-system events,
 * which do not reach a container through some bind mounts (Docker Desktop's file sharing, network
 * file systems). Costs a stat per file per interval, so it is opt-in.
 */
function pollingFromEnv(): { usePolling?: boolean; interval?: number } {
  const value = process.env.OPENAI_MOCK_WATCH_POLL;
  return value && !/^(0|false|no|off)$/i.test(value) ? { usePolling: true, interval: 100 } : {};
}

export function createReloader(options: ReloaderOptions): Reloader {
  // Loaded here, not at the top: a server that does not watch never loads it, and chokidar is an ES
  // module, which `require` loads only on Node 22.12+ (and Jest's module system only on Node 24.9+).
  const { watch } = require('chokidar') as typeof import('chokidar');
  // depth 0: a watched folder's own files; what config modules import is watched file by file.
  const watcher: FSWatcher = watch(options.paths, { ignoreInitial: true, depth: 0, ...pollingFromEnv() });
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let closed = false;

  async function run() {
    if (running) return void (again = true);
    running = true;
    try {
      await options.reload();
    } finally {
      running = false;
      if (again && !closed) {
        again = false;
        schedule();
      }
    }
  }
  function schedule() {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(run, options.debounceMs ?? 20);
  }

  watcher.on('all', (_event, file) => {
    if (!options.relevant(path.resolve(file))) return;
    options.onChange?.();
    schedule();
  });
  watcher.on('error', (error) => options.logger.warn(`watching ${options.what}: ${(error as Error).message ?? error}`));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    watcher,
    ready,
    get closed() {
      return closed;
    },
    schedule,
    async close() {
      closed = true;
      clearTimeout(timer);
      await watcher.close();
    },
  };
}

import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config/errors';
import { createReloader } from '../config/reloader';
import type { Logger } from '../log/logger';

/**
 * Fixture files: scripts as data (`fixtures/*.yaml`, `*.yml`, `*.json`), for suites that are not
 * in JavaScript. Each file holds a list of scripts, or `{ scripts: [...] }`. They are read at start
 * and, with `--watch`, again whenever one changes; a file that does not read (a syntax error, an
 * empty file an editor has just truncated, an unknown operation) leaves the last good set in force.
 */

export const FIXTURE_EXTENSIONS = ['.yaml', '.yml', '.json'];

export interface FixtureEntry {
  spec: unknown;
  /** `fixtures/chat.yaml[2]`: where the script is, for messages. */
  label: string;
}

const isFixtureFile = (name: string) => FIXTURE_EXTENSIONS.includes(path.extname(name).toLowerCase()) && !/^[._]/.test(name);

function entriesOf(value: unknown, label: string, file: string): FixtureEntry[] {
  const list = Array.isArray(value) ? value : typeof value === 'object' && value !== null && Array.isArray((value as { scripts?: unknown }).scripts) ? (value as { scripts: unknown[] }).scripts : undefined;
  if (!list) throw new ConfigError(`${label}: a fixture file holds a list of scripts, or { scripts: [...] }`, file);
  return list.map((spec, i) => ({ spec, label: `${label}[${i}]` }));
}

/** The scripts of every fixture file of `dir`, in file-name order; a missing folder has none. */
export async function readFixtures(dir: string, cwd = process.cwd()): Promise<FixtureEntry[]> {
  const names = await fs.readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw new ConfigError(`fixtures folder ${dir}: ${error.message}`, dir);
  });
  const entries: FixtureEntry[] = [];
  for (const name of names.filter(isFixtureFile).sort()) {
    const file = path.join(dir, name);
    const relative = path.relative(cwd, file);
    const label = relative && !relative.startsWith('..') ? relative : file;
    const text = await fs.readFile(file, 'utf8');
    if (text.trim() === '') throw new ConfigError(`${label}: the file is empty (write [] for no scripts)`, file);
    let value: unknown;
    try {
      // js-yaml is required only for a YAML file: most runs have none, and the spec comes from the cache.
      value = path.extname(name).toLowerCase() === '.json' ? JSON.parse(text) : (require('js-yaml') as typeof import('js-yaml')).load(text);
    } catch (error) {
      throw new ConfigError(`${label}: ${(error as Error).message}`, file);
    }
    entries.push(...entriesOf(value, label, file));
  }
  return entries;
}

export interface FixtureWatcher {
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** Reloads the folder's fixtures on every change (debounced) and hands them to `apply`, which throws to refuse them. */
export function watchFixtures(dir: string, options: { logger: Logger; cwd?: string; apply(entries: FixtureEntry[]): number; debounceMs?: number }): FixtureWatcher {
  const { logger } = options;
  const reloader = createReloader({
    paths: [dir],
    relevant: (file) => isFixtureFile(path.basename(file)),
    reload,
    logger,
    what: 'the fixtures',
    debounceMs: options.debounceMs,
  });
  async function reload() {
    const since = performance.now();
    try {
      const entries = await readFixtures(dir, options.cwd);
      if (reloader.closed) return;
      const count = options.apply(entries);
      logger.info(`fixtures reloaded: ${count} scripts in ${Math.round(performance.now() - since)} ms`);
    } catch (error) {
      const message = error instanceof ConfigError ? error.message : ((error as Error)?.stack ?? String(error));
      logger.error(`fixtures not reloaded; the last good set stays in force:\n${message}`);
    }
  }
  return { ready: reloader.ready, close: () => reloader.close() };
}

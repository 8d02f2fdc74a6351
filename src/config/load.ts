import fs from 'node:fs/promises';
import path from 'node:path';
import { cosmiconfig, defaultLoaders, type Loader } from 'cosmiconfig';
import type { Config } from './define';
import { ConfigError, EmptyFileError } from './errors';
import { loadModule } from './load-module';
import { checkConfig } from './settings';
import type { LoadedOverride } from '../overrides/set';
import type { AnyOverride } from '../overrides/types';

/**
 * Finds and loads the config and the override modules it points to. Each load starts from the
 * files as they are now (nothing cached), so a reload is just another load.
 */

const NAME = 'openai-mock';
export const MODULE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
const DATA_EXTENSIONS = ['.json', '.yaml', '.yml'];

/** Where a config is looked for, in each folder from the working directory up to the project's root. */
export const SEARCH_PLACES = [
  ...[...MODULE_EXTENSIONS, ...DATA_EXTENSIONS].map((ext) => `${NAME}.config${ext}`),
  // The name the design card and the README's examples use.
  ...MODULE_EXTENSIONS.map((ext) => `mock.config${ext}`),
  `.${NAME}rc`,
  ...[...DATA_EXTENSIONS, ...MODULE_EXTENSIONS].map((ext) => `.${NAME}rc${ext}`),
  'package.json',
];

export interface LoadedConfig {
  /** The config file; for a `package.json`, its `"openai-mock"` key is the config. */
  file: string;
  /** The folder relative paths are read from. */
  dir: string;
  config: Config;
  /** Inline overrides first, then those of the overrides folder in file-name order. */
  overrides: LoadedOverride[];
  /** The overrides folder, when there is one to watch (it may not exist yet). */
  overridesDir?: string;
  /** Every file the config and overrides are made of: what `--watch` watches. */
  inputs: string[];
  /** How long the load took. */
  ms: number;
}

export interface LoadOptions {
  /** A config file; without it, one is searched for from `cwd`. */
  file?: string;
  cwd?: string;
}

/** A file as log lines name it: relative to the working directory, or to the config's folder. */
function label(file: string, ...bases: string[]): string {
  for (const base of bases) {
    const relative = path.relative(base, file);
    if (relative && !relative.startsWith('..') && !path.isAbsolute(relative)) return relative;
  }
  return file;
}

function withName(base: string, override: unknown): string {
  const name = (override as AnyOverride | null)?.name;
  return typeof name === 'string' && name !== '' ? `${base} (${name})` : base;
}

function explorer(inputs: Set<string>) {
  const moduleLoader: Loader = async (file) => {
    const loaded = await loadModule(file);
    for (const input of loaded.inputs) inputs.add(input);
    // A module whose body is not written yet (its imports only, say) exports nothing at all.
    if (loaded.exportsNothing) throw new EmptyFileError(file, 'config module', `${file}: the config module exports nothing (a save under way?); export default defineConfig({ ... })`);
    return loaded.value;
  };
  const loaders: Record<string, Loader> = { ...defaultLoaders, noExt: defaultLoaders['.yaml']! };
  for (const ext of MODULE_EXTENSIONS) loaders[ext] = moduleLoader;
  return cosmiconfig(NAME, { searchPlaces: SEARCH_PLACES, loaders, cache: false, searchStrategy: 'project' });
}

/** Refuses a file that holds nothing but white space (see EmptyFileError). */
async function assertNotEmpty(file: string, what: string): Promise<void> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text !== undefined && text.trim() === '') throw new EmptyFileError(file, what);
}

async function isDirectory(dir: string): Promise<boolean> {
  return (await fs.stat(dir).catch(() => undefined))?.isDirectory() ?? false;
}

function asOverrides(value: unknown, base: string, file: string): LoadedOverride[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) {
    throw new ConfigError(`${base}: the module exports no override (export default defineOverride({ ... }), or an array of them)`, file);
  }
  if (Array.isArray(value)) return value.map((override, i) => ({ override, label: withName(`${base}[${i}]`, override) }));
  return [{ override: value as AnyOverride, label: withName(base, value) }];
}

/** The override modules of a folder, in file-name order; `_helpers.ts`, dotfiles and `.d.ts` are not overrides. */
async function overrideFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && MODULE_EXTENSIONS.includes(path.extname(e.name)) && !/^[._]/.test(e.name) && !/\.d\.[mc]?ts$/.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => path.join(dir, name));
}

function cosmiconfigError(error: unknown, fallbackFile: string | undefined): ConfigError {
  if (error instanceof ConfigError) return error;
  const file = (error as { filepath?: string }).filepath ?? fallbackFile;
  const message = (error as Error)?.message ?? String(error);
  return new ConfigError(file && !message.includes(file) ? `${file}: ${message}` : message, file);
}

/** Loads a config and its overrides; undefined when none is given and none is found. */
export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig | undefined> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const inputs = new Set<string>();
  let result;
  const file = options.file === undefined ? undefined : path.resolve(cwd, options.file);
  try {
    if (file !== undefined) {
      if (!(await fs.stat(file).catch(() => undefined))?.isFile()) throw new ConfigError(`config file not found: ${file}`, file);
      if (path.basename(file) !== 'package.json') await assertNotEmpty(file, 'config file');
      result = await explorer(inputs).load(file);
    } else {
      result = await explorer(inputs).search(cwd);
    }
  } catch (error) {
    throw cosmiconfigError(error, file);
  }
  if (!result) return undefined;
  const configFile = result.filepath;
  // Emptied between the check above and cosmiconfig's own read: the same save under way.
  if (file !== undefined && result.isEmpty && path.basename(configFile) !== 'package.json') throw new EmptyFileError(configFile, 'config file');
  inputs.add(configFile);
  const dir = path.dirname(configFile);

  let value = result.config;

  if (typeof value === 'function') {
    try {
      value = await value();
    } catch (error) {
      throw new ConfigError(`${configFile}: the config function threw: ${(error as Error)?.stack ?? error}`, configFile);
    }
  }
  const config = checkConfig(value, configFile);
  const own = label(configFile, cwd, dir);
  const overrides: LoadedOverride[] = (config.overrides ?? []).map((override, i) => ({
    override,
    label: withName(`${own}: overrides[${i}]`, override),
  }));

  let overridesDir: string | undefined;
  if (config.overridesDir !== false) {
    overridesDir = path.resolve(dir, config.overridesDir ?? 'overrides');
    if (await isDirectory(overridesDir)) {
      const files = await overrideFiles(overridesDir);
      await Promise.all(files.map((f) => assertNotEmpty(f, 'override module')));
      const modules = await Promise.all(files.map(loadModule));
      modules.forEach((loaded, i) => {
        for (const input of loaded.inputs) inputs.add(input);
        if (loaded.exportsNothing) throw new EmptyFileError(files[i]!, 'override module', `${files[i]}: the override module exports nothing (a save under way?); export default defineOverride({ ... }), or an array of them`);
        overrides.push(...asOverrides(loaded.value, label(files[i]!, cwd, dir), files[i]!));
      });
    } else if (config.overridesDir !== undefined) {
      throw new ConfigError(`${configFile}: "overridesDir" is ${overridesDir}, which is not a folder`, configFile);
    }
  }

  return {
    file: configFile,
    dir,
    config,
    overrides,
    overridesDir,
    inputs: [...inputs],
    ms: performance.now() - started,
  };
}

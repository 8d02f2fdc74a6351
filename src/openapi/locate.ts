import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the spec comes from, in the order a user expects: flag, config, environment, default. */

export interface SpecLocation {
  /** A file path (absolute) or an http(s) URL. */
  source: string;
  /** What named it, for error messages: `--spec`, `config "spec"`, `OPENAI_MOCK_SPEC`, `default`. */
  origin: string;
}

export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
/** This package's version, for the health route and `--version`. */
export const PACKAGE_VERSION: string = (() => {
  try {
    return JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();
/** The spec this package ships (filled at install from the pin in spec/pin.json). */
export const DEFAULT_SPEC_PATH = path.join(PACKAGE_ROOT, 'spec', 'openapi.yaml');

/** A copy of this package inside some node_modules (installed), rather than a checkout of its repository. */
export function isInstalledPackage(root = PACKAGE_ROOT): boolean {
  return root.split(path.sep).includes('node_modules');
}

/**
 * Where `openai-mock spec update` writes the spec and its pin, and where the default spec is read
 * first: a checkout's own spec/ (the pin is then a change to commit), an installed package's user
 * cache (its own folder may be read-only and is replaced by the next install), or
 * OPENAI_MOCK_SPEC_HOME.
 */
export function specHome(env: NodeJS.ProcessEnv = process.env, root = PACKAGE_ROOT): string {
  if (env.OPENAI_MOCK_SPEC_HOME) return path.resolve(env.OPENAI_MOCK_SPEC_HOME);
  if (!isInstalledPackage(root)) return path.join(root, 'spec');
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'openai-mock', 'spec');
}

/** The default spec: an updated one (`spec update`) when there is one, else the package's own. */
export function defaultSpecPath(env: NodeJS.ProcessEnv = process.env, root = PACKAGE_ROOT): string {
  const updated = path.join(specHome(env, root), 'openapi.yaml');
  return existsSync(updated) ? updated : path.join(root, 'spec', 'openapi.yaml');
}

/** The user's cache folder for openai-mock: `$XDG_CACHE_HOME/openai-mock`, else `~/.cache/openai-mock`. */
export function userCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'openai-mock');
}

/**
 * Where prepared specs (and V8's compiled code, and validators) are cached by default. Like
 * find-cache-dir: in the `node_modules/.cache` of the project that has openai-mock (the outermost
 * node_modules above an installed package, whatever the package manager's layout; the checkout's
 * own node_modules), when that folder can be written; else the user cache. Here, not in cache.ts,
 * because the command reads it before loading anything heavy (cli/compile-cache.ts).
 */
export function defaultCacheDir(root = PACKAGE_ROOT): string {
  const parts = root.split(path.sep);
  const at = parts.indexOf('node_modules');
  const nodeModules = at >= 0 ? parts.slice(0, at + 1).join(path.sep) || path.sep : path.join(root, 'node_modules');
  try {
    accessSync(nodeModules, constants.W_OK);
    return path.join(nodeModules, '.cache', 'openai-mock');
  } catch {
    return userCacheDir();
  }
}

const isUrl = (value: string) => /^https?:\/\//i.test(value);

export function locateSpec(options: {
  flag?: string;
  config?: { value: string; dir: string };
  env?: string;
  cwd: string;
}): SpecLocation {
  if (options.flag) return { source: isUrl(options.flag) ? options.flag : path.resolve(options.cwd, options.flag), origin: '--spec' };
  if (options.config?.value) {
    const value = options.config.value;
    return { source: isUrl(value) ? value : path.resolve(options.config.dir, value), origin: 'config "spec"' };
  }
  if (options.env) return { source: isUrl(options.env) ? options.env : path.resolve(options.cwd, options.env), origin: 'OPENAI_MOCK_SPEC' };
  return { source: defaultSpecPath(), origin: 'default' };
}

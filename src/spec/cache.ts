import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from './locate';
import type { PreparedSpec } from './prepare';
import { NORMALIZE_VERSION } from './normalize';
import { DEFAULT_BODIES_VERSION } from '../realism/default-bodies';

/**
 * Prepared operations on disk, so that a warm start skips parsing and preparing the spec.
 * The key holds the spec's sha256 and the versions of everything that shaped the result.
 */

/** Bump when the shape or content of what `prepareSpec` produces changes. */
export const PREPARE_FORMAT = 2;

function versionOf(pkg: string): string {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function cacheKey(sha256: string): string {
  const versions = [
    `format${PREPARE_FORMAT}`,
    `normalize${NORMALIZE_VERSION}`,
    `bodies${DEFAULT_BODIES_VERSION}`,
    `mock${versionOf(PACKAGE_ROOT)}`,
    `prism${versionOf('@stoplight/prism-http')}`,
    `httpspec${versionOf('@stoplight/http-spec')}`,
  ].join('-');
  return `${sha256.slice(0, 32)}-${versions}`;
}

export function defaultCacheDir(): string {
  const nodeModules = path.join(PACKAGE_ROOT, 'node_modules');
  // Like find-cache-dir: inside the project's node_modules when there is one, else the user cache.
  if (require('node:fs').existsSync(nodeModules)) return path.join(nodeModules, '.cache', 'openai-mock');
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'openai-mock');
}

export async function readCache(dir: string, key: string): Promise<PreparedSpec | undefined> {
  try {
    const text = await readFile(path.join(dir, `${key}.json`), 'utf8');
    return JSON.parse(text) as PreparedSpec;
  } catch {
    return undefined;
  }
}

/** Written to a temporary name and renamed, so a concurrent reader never sees half a file. */
export async function writeCache(dir: string, key: string, spec: PreparedSpec): Promise<void> {
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, `${key}.json`);
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, JSON.stringify(spec));
  await rename(temporary, target);
}

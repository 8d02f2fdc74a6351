import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_ROOT } from './locate';
import type { PreparedOperation, PreparedSpec } from './prepare';
import { NORMALIZE_VERSION } from './normalize';
import { DEFAULT_BODIES_VERSION } from './default-bodies';

/**
 * Prepared operations on disk, so that a warm start skips parsing and preparing the spec.
 * The key holds the spec's sha256 and the versions of everything that shaped the result.
 */

/** Bump when the shape or content of what `prepareSpec` produces, or of the file, changes. */
export const PREPARE_FORMAT = 4;

function readPackage(dir: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * An installed package's version. Its package.json is found by walking up from its main entry:
 * `require('<pkg>/package.json')` fails where the package's `exports` do not list it
 * (@stoplight/http-spec), and the key would then say `unknown` whatever the version.
 */
export function packageVersion(name: string): string {
  try {
    let dir = path.dirname(require.resolve(name));
    for (;;) {
      const pkg = readPackage(dir);
      if (pkg?.name === name && typeof pkg.version === 'string') return pkg.version;
      const parent = path.dirname(dir);
      if (parent === dir || path.basename(dir) === 'node_modules') return 'unknown';
      dir = parent;
    }
  } catch {
    return 'unknown';
  }
}

export function cacheKey(sha256: string): string {
  const versions = [
    `format${PREPARE_FORMAT}`,
    `normalize${NORMALIZE_VERSION}`,
    `bodies${DEFAULT_BODIES_VERSION}`,
    `mock${readPackage(PACKAGE_ROOT)?.version ?? 'unknown'}`,
    `prism${packageVersion('@stoplight/prism-http')}`,
    `httpspec${packageVersion('@stoplight/http-spec')}`,
  ].join('-');
  return `${sha256.slice(0, 32)}-${versions}`;
}

export { defaultCacheDir } from './locate';

/** The folder of compiled request validators for a prepared spec (validation/validator-store.ts). */
export function validatorsDir(dir: string, key: string): string {
  return path.join(dir, 'validators', `${key}-ajv${packageVersion('ajv')}`);
}

/**
 * The file's form of a prepared spec: each component schema once, and each operation's
 * `__bundled__` as the names it reaches. Prepared, operations share their component objects (see
 * `bundleOperations`); written out whole, each operation got its own copy, and this spec's 288
 * operations then held 5,170 copies of 976 components: a warm start's heap was 26 MiB instead of 21,
 * and the file 5.7 MB instead of 3.
 */
interface CacheFile extends Omit<PreparedSpec, 'operations'> {
  components: Record<string, unknown>;
  operations: (Omit<PreparedOperation, '__bundled__'> & { __bundled__?: Record<string, unknown> | string[] })[];
}

function toFile(spec: PreparedSpec): CacheFile {
  const components = new Map<string, unknown>();
  const operations = spec.operations.map((operation) => {
    const bundled = operation.__bundled__;
    if (!bundled) return operation;
    const names = Object.keys(bundled);
    // A name that stands for another object elsewhere (not what bundleOperations makes) stays inline.
    if (names.some((name) => components.has(name) && components.get(name) !== bundled[name])) return operation;
    for (const name of names) components.set(name, bundled[name]);
    return { ...operation, __bundled__: names };
  });
  return { ...spec, components: Object.fromEntries(components), operations };
}

function fromFile(file: CacheFile): PreparedSpec {
  const { components, ...spec } = file;
  const operations = file.operations.map((operation) => {
    const bundled = operation.__bundled__;
    if (!Array.isArray(bundled)) return operation as PreparedOperation;
    const shared: Record<string, unknown> = {};
    for (const name of bundled) {
      if (!Object.hasOwn(components, name)) throw new Error(`component ${name} missing`);
      shared[name] = components[name];
    }
    return { ...operation, __bundled__: shared } as PreparedOperation;
  });
  return { ...spec, operations };
}

export async function readCache(dir: string, key: string): Promise<PreparedSpec | undefined> {
  try {
    const text = await readFile(path.join(dir, `${key}.json`), 'utf8');
    return fromFile(JSON.parse(text) as CacheFile);
  } catch {
    return undefined;
  }
}

/**
 * Written to a temporary name and renamed, so a concurrent reader never sees half a file. Then
 * older prepared specs are removed (see `pruneCache`).
 */
export async function writeCache(dir: string, key: string, spec: PreparedSpec): Promise<void> {
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, `${key}.json`);
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  // ASCII only (a few dashes and accents escaped): read back, it is then a one-byte string, half
  // the transient memory of a start that a single character elsewhere would make two-byte.
  const text = JSON.stringify(toFile(spec)).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  await writeFile(temporary, text);
  await rename(temporary, target);
  await pruneCache(dir);
}

/** How many prepared specs the cache keeps: a few specs or versions used in turn stay warm. */
export const CACHE_KEEP = 3;

// Only names `cacheKey` makes (and their temporary files) are ever removed: the folder may be shared
// (the V8 compile cache lives in it) or chosen by the user.
const CACHE_FILE = /^[0-9a-f]{32}-format\d+-[\w.+-]+\.json$/;
const TEMPORARY_FILE = /^[0-9a-f]{32}-format\d+-[\w.+-]+\.json\.\d+\.\d+\.tmp$/;
// A temporary file this old was left by a process that died while writing it.
const STALE_TEMPORARY_MS = 60 * 60 * 1000;

/**
 * Removes all but the `keep` most recent prepared specs (by modification time), and temporary
 * files left by writers that died. Every step may fail (a file another process removed first, a
 * read-only folder): the cache is only worth start-up time, so failures are ignored.
 */
export async function pruneCache(dir: string, keep = CACHE_KEEP): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const now = Date.now();
  const found: { file: string; mtimeMs: number }[] = [];
  await Promise.all(
    names.map(async (name) => {
      const cacheFile = CACHE_FILE.test(name);
      if (!cacheFile && !TEMPORARY_FILE.test(name)) return;
      const file = path.join(dir, name);
      try {
        const info = await stat(file);
        if (!info.isFile()) return;
        if (cacheFile) found.push({ file, mtimeMs: info.mtimeMs });
        else if (now - info.mtimeMs > STALE_TEMPORARY_MS) await unlink(file);
      } catch {
        // Gone already, or not ours to remove.
      }
    }),
  );
  found.sort((a, b) => b.mtimeMs - a.mtimeMs);
  await Promise.all(found.slice(keep).map(({ file }) => unlink(file).catch(() => undefined)));
  // The validators compiled for a removed prepared spec go with it.
  const removedKeys = new Set(found.slice(keep).map(({ file }) => path.basename(file, '.json')));
  if (removedKeys.size === 0) return;
  const validators = path.join(dir, 'validators');
  const folders = await readdir(validators).catch(() => [] as string[]);
  await Promise.all(
    folders
      .filter((name) => removedKeys.has(name.replace(/-ajv[\w.+-]+$/, '')))
      .map((name) => rm(path.join(validators, name), { recursive: true, force: true }).catch(() => undefined)),
  );
}

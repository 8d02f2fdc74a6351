import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareSpec, SpecError, type PreparedSpec } from './prepare';
import { defaultSpecPath, specHome } from './locate';
import { cacheKey, readCache, writeCache } from './cache';
import { diffSpecs, type SpecDiff } from './spec-diff';

/**
 * `openai-mock spec update`: fetch a newer spec, check that it loads and prepares, show what
 * changed, and only then write it and its pin where the next start reads the default spec.
 * Nothing is written before every check has passed, and both files are written whole (a temporary
 * file renamed), so a failure at any point leaves the current spec as it was.
 */

/** spec/pin.json's format (also read by scripts/fetch-spec.js at install). */
export interface Pin {
  repository?: string;
  file?: string;
  /** The upstream commit; null when the spec came from elsewhere (`--from`) without `--ref`. */
  commit: string | null;
  url: string;
  sha256: string;
  /** The commit's date (ISO 8601), or when the spec was fetched if the commit is not known. */
  date?: string;
  /** The spec's `info.version`. */
  version?: string;
}

export const UPSTREAM = { repository: 'openai/openai-openapi', file: 'openapi.yaml' };

export class UpdateError extends Error {}

export interface UpdateOptions {
  /** A branch, tag or commit of the upstream repository (default: its default branch's latest commit). */
  ref?: string;
  /** The spec itself: an http(s) URL, a file: URL or a path; skips the upstream repository. */
  from?: string;
  dryRun?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Where the prepared form of the new spec is cached, so that the next start is a warm one. */
  cacheDir?: string | false;
  cwd?: string;
}

export interface UpdateResult {
  /** The folder the spec and pin go to (or would go to, with `dryRun`). */
  home: string;
  /** The spec the new one was compared with, if there was one. */
  current?: string;
  pin: Pin;
  diff: SpecDiff;
  operations: number;
  /** The new spec is byte for byte the current one. */
  unchanged: boolean;
  written: boolean;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const isHttp = (value: string) => /^https?:\/\//i.test(value);
const reason = (error: unknown) => {
  const cause = (error as { cause?: { message?: string; code?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
};

async function download(url: string, headers: Record<string, string> = {}): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { 'user-agent': 'openai-mock', ...headers }, signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    throw new UpdateError(`could not download ${url}: ${reason(error)}`);
  }
  if (!response.ok) throw new UpdateError(`could not download ${url}: HTTP ${response.status}`);
  try {
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw new UpdateError(`could not download ${url}: ${reason(error)}`);
  }
}

async function readLocal(source: string, cwd: string): Promise<Buffer> {
  const file = source.startsWith('file:') ? fileURLToPath(source) : path.resolve(cwd, source);
  try {
    return await readFile(file);
  } catch (error) {
    throw new UpdateError(`could not read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

/** The upstream commit that `ref` names (default branch's latest without one), with its date. */
async function resolveCommit(ref: string, env: NodeJS.ProcessEnv): Promise<{ sha: string; date?: string }> {
  const api = (env.OPENAI_MOCK_GITHUB_API || 'https://api.github.com').replace(/\/$/, '');
  const url = `${api}/repos/${UPSTREAM.repository}/commits/${encodeURIComponent(ref)}`;
  const headers: Record<string, string> = { accept: 'application/vnd.github+json' };
  if (env.GITHUB_TOKEN) headers.authorization = `Bearer ${env.GITHUB_TOKEN}`;
  const bytes = await download(url, headers);
  let body: { sha?: unknown; commit?: { committer?: { date?: unknown } } };
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new UpdateError(`${url} did not answer JSON`);
  }
  if (typeof body.sha !== 'string' || !/^[0-9a-f]{40}$/.test(body.sha)) throw new UpdateError(`${url} did not name a commit for "${ref}"`);
  const date = body.commit?.committer?.date;
  return { sha: body.sha, date: typeof date === 'string' ? date : undefined };
}

/** The spec to update to: its bytes and the pin that will describe it. */
async function fetchNew(options: UpdateOptions, env: NodeJS.ProcessEnv): Promise<{ bytes: Buffer; pin: Pin }> {
  const fetchedAt = new Date().toISOString();
  if (options.from) {
    const bytes = isHttp(options.from) ? await download(options.from) : await readLocal(options.from, options.cwd ?? process.cwd());
    const url = isHttp(options.from) || options.from.startsWith('file:') ? options.from : path.resolve(options.cwd ?? process.cwd(), options.from);
    return { bytes, pin: { commit: options.ref ?? null, url, sha256: sha256(bytes), date: fetchedAt } };
  }
  const commit = await resolveCommit(options.ref ?? 'HEAD', env);
  const raw = (env.OPENAI_MOCK_GITHUB_RAW || 'https://raw.githubusercontent.com').replace(/\/$/, '');
  const url = `${raw}/${UPSTREAM.repository}/${commit.sha}/${UPSTREAM.file}`;
  const bytes = await download(url);
  return { bytes, pin: { ...UPSTREAM, commit: commit.sha, url, sha256: sha256(bytes), date: commit.date ?? fetchedAt } };
}

function parseDocument(text: string): Record<string, unknown> | undefined {
  try {
    // Loaded here, by `spec update` alone: every start imports this module (for UpdateError), and js-yaml is heap it never needs.
    const { load: parseYaml, CORE_SCHEMA } = require('js-yaml') as typeof import('js-yaml');
    const doc = parseYaml(text, { schema: CORE_SCHEMA });
    return doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `bytes` whole: a reader sees the old file or the new one, never a part. */
async function writeWhole(file: string, bytes: Buffer | string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function updateSpec(options: UpdateOptions = {}): Promise<UpdateResult> {
  const env = options.env ?? process.env;
  const home = specHome(env);
  const { bytes, pin } = await fetchNew(options, env);

  let prepared: PreparedSpec | undefined;
  const key = cacheKey(pin.sha256);
  // A dry run before has prepared (and cached) this very spec already.
  if (options.cacheDir) prepared = await readCache(options.cacheDir, key);
  const fromCache = prepared?.sha256 === pin.sha256;
  if (!fromCache) prepared = undefined;
  try {
    prepared ??= prepareSpec(bytes.toString('utf8'), pin.sha256);
  } catch (error) {
    if (error instanceof SpecError) throw new UpdateError(`the new spec from ${pin.url} ${error.message}`);
    throw new UpdateError(`the new spec from ${pin.url} does not prepare: ${(error as Error).message}`);
  }
  if (prepared.operations.length === 0) throw new UpdateError(`the new spec from ${pin.url} has no operations`);
  pin.version = prepared.version;

  const currentFile = defaultSpecPath(env);
  const currentBytes = existsSync(currentFile) ? await readFile(currentFile) : undefined;
  const unchanged = currentBytes !== undefined && sha256(currentBytes) === pin.sha256;
  // prepareSpec rewrote its document in place: the diff reads both texts afresh.
  const diff = diffSpecs(currentBytes && parseDocument(currentBytes.toString('utf8')), parseDocument(bytes.toString('utf8'))!);
  const result: UpdateResult = { home, current: currentBytes ? currentFile : undefined, pin, diff, operations: prepared.operations.length, unchanged, written: false };
  if (options.cacheDir && !fromCache) {
    // Only speed is at stake: the next start (or update) prepares the spec itself if this fails.
    await writeCache(options.cacheDir, key, prepared).catch(() => undefined);
  }
  if (options.dryRun || unchanged) return result;

  try {
    await mkdir(home, { recursive: true });
    await writeWhole(path.join(home, 'openapi.yaml'), bytes);
    await writeWhole(path.join(home, 'pin.json'), JSON.stringify(pin, null, 2) + '\n');
  } catch (error) {
    throw new UpdateError(`could not write the spec to ${home}: ${(error as Error).message}`);
  }
  result.written = true;
  return result;
}

/** The pin beside a spec file, when it describes that very file. */
export async function pinOf(specFile: string, sha: string): Promise<{ pin: Pin; file: string } | undefined> {
  if (isHttp(specFile)) return undefined;
  const file = path.join(path.dirname(specFile), 'pin.json');
  try {
    const pin = JSON.parse(await readFile(file, 'utf8')) as Pin;
    return pin.sha256 === sha ? { pin, file } : undefined;
  } catch {
    // No pin, or not one: the spec is described by what it says of itself.
    return undefined;
  }
}

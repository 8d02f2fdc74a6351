import { createHash } from 'node:crypto';
import type { MockRequest } from '../pipeline/types';
import type { UploadedFile } from '../http/parse-body';
import { redactQuery } from './redact';
import { splitPath, visitPath } from './paths';

/**
 * One key function for the recorder and the replayer, so that what is recorded is found again:
 * method, API path (without `/v1` or Azure's deployment prefix), query and a normalised body.
 * Object keys are sorted; uploaded files count by their content (sha256), never by the random
 * multipart boundary the client chose; `ignore` drops volatile fields (`user`, `metadata`...).
 */

export interface NormalRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body?: unknown;
}

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

const isUpload = (value: unknown): value is UploadedFile =>
  typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).data) && typeof (value as UploadedFile).filename === 'string';

/** An uploaded file as a cassette keeps it: what it was, not its bytes. */
export interface FileSummary {
  filename: string;
  mimeType: string;
  bytes: number;
  sha256: string;
}

function summarise(value: unknown): unknown {
  if (isUpload(value)) return { filename: value.filename, mimeType: value.mimeType, bytes: value.bytes, sha256: sha256(value.data) } satisfies FileSummary;
  if (Buffer.isBuffer(value)) return { bytes: value.length, sha256: sha256(value) };
  if (Array.isArray(value)) return value.map(summarise);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, summarise(v)]));
  return value;
}

/** The request as a cassette stores it and as the key reads it. */
export function normalRequest(request: MockRequest): NormalRequest {
  const normal: NormalRequest = { method: request.method, path: request.apiPath, query: redactQuery(summarise(request.query) as Record<string, unknown>) };
  if (request.body !== undefined) normal.body = summarise(request.body);
  return normal;
}

/** Sorted keys at every level, so that `{a,b}` and `{b,a}` are the same request. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** The parts that count: `ignore` paths are read in the body (`user`, `metadata`, `messages.*.name`). */
export function keyedPart(normal: NormalRequest, ignore: readonly string[] = []): NormalRequest {
  const copy = structuredClone(normal);
  for (const path of ignore) {
    const segments = splitPath(path.startsWith('query.') ? path.slice(6) : path);
    const root = path.startsWith('query.') ? copy.query : copy.body;
    visitPath(root, segments, (parent, key) => {
      if (Array.isArray(parent)) parent[Number(key)] = null;
      else delete parent[key];
    });
  }
  return { method: copy.method.toUpperCase(), path: copy.path, query: canonical(copy.query) as Record<string, unknown>, body: canonical(copy.body) };
}

/** Twelve hex digits of the keyed part's sha256: short in a file name, long enough not to collide in a folder. */
export function keyOf(normal: NormalRequest, ignore: readonly string[] = []): string {
  return sha256(JSON.stringify(keyedPart(normal, ignore))).slice(0, 12);
}

/** Where two requests differ, as paths (`body.temperature`, `body.messages[0].content`), at most `limit`. */
export function differences(a: unknown, b: unknown, limit = 8, at = ''): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (out.length >= limit) return;
    if (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null && Array.isArray(x) === Array.isArray(y)) {
      const keys = Array.isArray(x) ? [...Array(Math.max(x.length, (y as unknown[]).length)).keys()].map(String) : [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
      for (const key of keys) {
        const next = Array.isArray(x) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
        walk((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key], next);
      }
      return;
    }
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push(path || '(whole)');
  };
  walk(a, b, at);
  return out;
}

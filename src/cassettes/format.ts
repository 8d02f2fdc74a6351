import fs from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { getAjv, takeErrors } from '../validation/ajv';
import type { NormalRequest } from './key';

/**
 * A cassette is one recorded exchange in one JSON file, `<operationId>-<key>.json` (a request made
 * again in the same recording adds `-2`, `-3`...). Bodies are kept readable: JSON as JSON, text as
 * text, streams as their events with the milliseconds since the request; binary bodies go beside
 * the cassette as `<sha256>.bin`. `version` changes only with an incompatible layout, and a reader
 * refuses versions it does not know rather than guessing.
 */

export const CASSETTE_VERSION = 1;
export const CASSETTE_MARK = 'openai-mock cassette';

export interface StreamEvent {
  /** Milliseconds after the request was sent upstream. */
  at: number;
  /** The event exactly as framed, without the blank line that ends it: `event: x\ndata: {...}`. */
  text: string;
}

export interface CassetteResponse {
  status: number;
  headers: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** A text body (not JSON, not a stream). */
  text?: string;
  /** A binary body, beside the cassette: `<sha256>.bin`. */
  file?: string;
  /** A server-sent event stream. */
  events?: StreamEvent[];
  /** The stream broke off upstream after these events (replayed as a cut connection). */
  cut?: boolean;
  /** Milliseconds from the request to the answer's headers. */
  headersAt?: number;
}

export interface Cassette {
  format: typeof CASSETTE_MARK;
  version: typeof CASSETTE_VERSION;
  /** The sha256 of the spec the recording server ran, as `GET /__admin/health` reports it. */
  spec: { sha256: string };
  recordedAt: string;
  operation: string;
  key: string;
  /** 1 for the first time this request was made in a recording, 2 for the second... */
  order: number;
  request: NormalRequest & { headers: Record<string, string> };
  /** The redaction rules applied when recording, applied again to a live request before matching. */
  redacted?: { paths: string[]; patterns: string[] };
  response: CassetteResponse;
}

const SCHEMA = {
  type: 'object',
  required: ['format', 'version', 'spec', 'operation', 'key', 'order', 'request', 'response'],
  properties: {
    format: { const: CASSETTE_MARK },
    version: { const: CASSETTE_VERSION },
    spec: { type: 'object', required: ['sha256'], properties: { sha256: { type: 'string' } } },
    operation: { type: 'string' },
    key: { type: 'string' },
    order: { type: 'integer', minimum: 1 },
    request: {
      type: 'object',
      required: ['method', 'path', 'query', 'headers'],
      properties: { method: { type: 'string' }, path: { type: 'string' }, query: { type: 'object' }, headers: { type: 'object' } },
    },
    redacted: { type: 'object', properties: { paths: { type: 'array', items: { type: 'string' } }, patterns: { type: 'array', items: { type: 'string' } } } },
    response: {
      type: 'object',
      required: ['status', 'headers'],
      properties: {
        status: { type: 'integer', minimum: 100, maximum: 599 },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        text: { type: 'string' },
        file: { type: 'string', pattern: '^[0-9a-f]{64}\\.bin$' },
        events: { type: 'array', items: { type: 'object', required: ['at', 'text'], properties: { at: { type: 'number' }, text: { type: 'string' } } } },
        cut: { type: 'boolean' },
      },
    },
  },
} as const;

let validate: ValidateFunction | undefined;

export class CassetteError extends Error {}

/** Reads and checks one cassette; throws a `CassetteError` saying what is wrong with the file. */
export function readCassette(file: string): Cassette {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CassetteError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const record = data as Partial<Cassette> | null;
  if (typeof record !== 'object' || record === null || record.format !== CASSETTE_MARK) throw new CassetteError(`${file} is not an openai-mock cassette`);
  if (record.version !== CASSETTE_VERSION) {
    throw new CassetteError(`${file} is cassette version ${record.version}; this openai-mock reads version ${CASSETTE_VERSION}`);
  }
  validate ??= getAjv('json').compile(SCHEMA);
  if (!validate(data)) {
    const first = takeErrors(validate)[0];
    throw new CassetteError(`${file} is not a valid cassette: ${first?.instancePath || '/'} ${first?.message}`);
  }
  return data as Cassette;
}

/** Pretty JSON with a final newline: cassettes are read and reviewed by people, and diffed in git. */
export function writeCassette(dir: string, name: string, cassette: Cassette): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  // Written whole then renamed, so that a replayer never reads half a file.
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(cassette, null, 2) + '\n');
  fs.renameSync(temporary, file);
  return file;
}

export function cassetteName(operation: string, key: string, order: number): string {
  return `${operation}-${key}${order > 1 ? `-${order}` : ''}.json`;
}

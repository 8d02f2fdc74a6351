import type busboy from 'busboy';
import { Readable } from 'node:stream';
import { assembleFields } from './form-fields';

/** A file part of a multipart upload, as override authors and reflection see it. */
export interface UploadedFile {
  filename: string;
  mimeType: string;
  bytes: number;
  data: Buffer;
}

export type ParsedBody =
  | { kind: 'none' }
  /** `text`: what `value` was parsed from, when it is still exactly that (see RequestParts.bodyText). */
  | { kind: 'json'; value: unknown; text?: string }
  | { kind: 'form'; value: Record<string, unknown>; files: Record<string, UploadedFile> }
  | { kind: 'raw'; value: Buffer };

export class BodyParseError extends Error {
  constructor(
    message: string,
    readonly kind: 'json' | 'multipart',
  ) {
    super(message);
  }
}

/** A JSON number too large for a double (`1e400`): it would reach the checks as Infinity. */
export class OutOfRangeNumberError extends Error {
  constructor(
    readonly param: string,
    readonly source: string,
  ) {
    const shown = source.length > 40 ? `${source.slice(0, 20)}...${source.slice(-10)} (${source.length} characters)` : source;
    super(`Invalid '${param}': ${shown} is out of range for a number (the largest is about 1.8e308).`);
  }
}

/**
 * Whether the text has a literal that could overflow a double: an exponent of three digits or
 * more, or a run of 309 digits. A plain loop, linear in the body: a regular expression for the same
 * (`\d{309}`) backtracks for seconds on a body of long digit runs.
 */
function mayOverflow(text: string): boolean {
  let run = 0;
  let exponent = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      run++;
      if (run >= 309 || (exponent && run >= 3)) return true;
    } else if ((c === 101 || c === 69) && run > 0) {
      exponent = true;
      run = 0;
      const sign = text.charCodeAt(i + 1);
      if (sign === 43 || sign === 45) i++;
    } else {
      run = 0;
      exponent = false;
    }
  }
  return false;
}

export function parseJsonBody(raw: Buffer): ParsedBody {
  if (raw.length === 0) return { kind: 'none' };
  const text = raw.toString('utf8');
  if (text.trim() === '') return { kind: 'none' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BodyParseError((error as Error).message, 'json');
  }
  if (mayOverflow(text)) checkFiniteNumbers(text, value);
  return { kind: 'json', value, text };
}

/**
 * JSON.parse reads `1e400` as Infinity, which every later message would show as `null`: the
 * request is refused here, naming the field and the number as it was sent.
 */
function checkFiniteNumbers(text: string, value: unknown): void {
  const path = firstNonFinite(value, '');
  if (path === undefined) return;
  // The reviver sees leaves in document order, as the walk above does: the first source is the one.
  let source: string | undefined;
  JSON.parse(text, (_key, v: unknown, context?: { source?: string }) => {
    if (source === undefined && typeof v === 'number' && !Number.isFinite(v)) source = context?.source ?? String(v);
    return v;
  });
  throw new OutOfRangeNumberError(path || 'body', source ?? 'the number');
}

/** The path of the first non-finite number, in document order; iterative, as bodies can nest 100,000 deep. */
function firstNonFinite(root: unknown, rootPath: string): string | undefined {
  const stack: [unknown, string][] = [[root, rootPath]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return path;
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}[${i}]`]);
    } else if (value && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i]![1], path ? `${path}.${entries[i]![0]}` : entries[i]![0]]);
    }
  }
  return undefined;
}

export function parseUrlEncodedBody(raw: Buffer): ParsedBody {
  return { kind: 'form', value: assembleFields(new URLSearchParams(raw.toString('utf8')).entries()), files: {} };
}

/**
 * Parts beyond this many are refused (a form of the spec has a few dozen fields at most): the
 * body limit alone would let a small body of empty parts cost far more than its size to assemble.
 */
export const MAX_MULTIPART_PARTS = 10_000;

/**
 * Reads a whole multipart body. Every emitter busboy creates (the parser and each file stream)
 * has its errors handled: a truncated or malformed body is this request's 400, never an
 * unhandled 'error' event that takes the process down. The promise settles exactly once.
 */
export function parseMultipartBody(raw: Buffer, headers: Record<string, string | string[] | undefined>): Promise<ParsedBody> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // Loaded with the first multipart body (an upload): most runs never see one.
      parser = (require('busboy') as typeof busboy)({
        headers: headers as Record<string, string>,
        // The body is already within the server's body limit: a field is never cut short silently.
        limits: { fieldSize: Infinity, parts: MAX_MULTIPART_PARTS },
      });
    } catch (error) {
      reject(new BodyParseError(`the multipart body cannot be read: ${(error as Error).message}`, 'multipart'));
      return;
    }
    const pairs: [string, unknown][] = [];
    const files: Record<string, UploadedFile> = {};
    let settled = false;
    let failed: BodyParseError | undefined;
    const fail = (error: BodyParseError) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    const unreadable = (error: Error) => fail(new BodyParseError(`the multipart body cannot be read: ${error.message}`, 'multipart'));

    parser.on('field', (name, value, info) => {
      const field = typedField(name, Buffer.from(value, 'utf8'), info.mimeType);
      if (field instanceof BodyParseError) failed ??= field;
      else pairs.push([name, field]);
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      // A part cut off before its closing boundary fails this stream ("Unexpected end of form"), and
      // busboy emits that on the file stream, not on the parser.
      stream.on('error', unreadable);
      stream.on('data', (chunk: Buffer) => {
        if (!settled) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (settled) return;
        const data = Buffer.concat(chunks);
        // A part with an empty file name is a field sent with its own type (the SDK sends the
        // realtime `session` as a JSON part and the `sdp` offer as an application/sdp part).
        if (!info.filename) {
          const field = typedField(name, data, info.mimeType);
          if (field instanceof BodyParseError) failed ??= field;
          else pairs.push([name, field]);
          return;
        }
        const file: UploadedFile = { filename: info.filename, mimeType: info.mimeType, bytes: data.length, data };
        files[name.replace(/\[\]$/, '')] = file;
        pairs.push([name, file]);
      });
    });
    parser.on('partsLimit', () => fail(new BodyParseError(`the multipart body has more than ${MAX_MULTIPART_PARTS} parts`, 'multipart')));
    parser.on('error', unreadable);
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      if (failed) reject(failed);
      else resolve({ kind: 'form', value: assembleFields(pairs), files });
    });
    const source = Readable.from([raw]);
    source.on('error', unreadable);
    source.pipe(parser);
  });
}

/** A field's value: text, or the parsed value of a part declared as JSON. */
function typedField(name: string, data: Buffer, mimeType: string): unknown {
  const text = data.toString('utf8');
  if (mimeType !== 'application/json' && !mimeType.endsWith('+json')) return text;
  try {
    return JSON.parse(text);
  } catch (error) {
    return new BodyParseError(`the multipart part '${name}' is declared as JSON but is not valid JSON: ${(error as Error).message}`, 'multipart');
  }
}

/** What the validator sees of a form: uploaded files become the binary strings the spec describes. */
export function formForValidation(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(formForValidation);
  if (value && typeof value === 'object') {
    if ('data' in value && Buffer.isBuffer((value as UploadedFile).data)) return (value as UploadedFile).filename || 'file';
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = formForValidation(v);
    return out;
  }
  return value;
}

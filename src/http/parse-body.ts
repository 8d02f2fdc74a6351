import busboy from 'busboy';
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
  | { kind: 'json'; value: unknown }
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

export function parseJsonBody(raw: Buffer): ParsedBody {
  if (raw.length === 0) return { kind: 'none' };
  const text = raw.toString('utf8');
  if (text.trim() === '') return { kind: 'none' };
  try {
    return { kind: 'json', value: JSON.parse(text) };
  } catch (error) {
    throw new BodyParseError((error as Error).message, 'json');
  }
}

export function parseUrlEncodedBody(raw: Buffer): ParsedBody {
  return { kind: 'form', value: assembleFields(new URLSearchParams(raw.toString('utf8')).entries()), files: {} };
}

export function parseMultipartBody(raw: Buffer, headers: Record<string, string | string[] | undefined>): Promise<ParsedBody> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: headers as Record<string, string> });
    } catch (error) {
      reject(new BodyParseError(`the multipart body cannot be read: ${(error as Error).message}`, 'multipart'));
      return;
    }
    const pairs: [string, unknown][] = [];
    const files: Record<string, UploadedFile> = {};
    let failed: BodyParseError | undefined;
    parser.on('field', (name, value, info) => {
      const field = typedField(name, Buffer.from(value, 'utf8'), info.mimeType);
      if (field instanceof BodyParseError) failed ??= field;
      else pairs.push([name, field]);
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
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
    parser.on('error', (error: Error) => reject(new BodyParseError(`the multipart body cannot be read: ${error.message}`, 'multipart')));
    parser.on('close', () => (failed ? reject(failed) : resolve({ kind: 'form', value: assembleFields(pairs), files })));
    Readable.from([raw]).pipe(parser);
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

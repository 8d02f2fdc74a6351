import type { MockResponse } from '../../pipeline/types';
import { deleted, json, listQueryOf, notFound } from '../respond';
import type { StateContext, StateHandlers, StoredObject } from '../types';
import { bodyOf, isObject, numberField, param, realistic, stringField } from './common';

/**
 * Files: an upload keeps its bytes beside the file object, `files.content` gives them back, the
 * list filters by `purpose`, a delete removes both. Other resources make files too (an upload's
 * completion, a batch's output): they call `putFile`.
 */

export const FILE = 'file';

export interface FileObject extends StoredObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: string;
  expires_at?: number | null;
  status_details?: string | null;
}

/** Keeps a file and its bytes; `base` is a realistic body to start from (a create's), if any. */
export function putFile(
  context: StateContext,
  file: { filename: string; purpose: string; bytes: Buffer; expiresAfterSeconds?: number },
  base: Record<string, unknown> = {},
): FileObject {
  const created = context.nowSeconds();
  const object: FileObject = {
    ...base,
    id: context.newId('file-'),
    object: 'file',
    bytes: file.bytes.length,
    created_at: created,
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed',
    expires_at: file.expiresAfterSeconds !== undefined ? created + file.expiresAfterSeconds : null,
    status_details: null,
  };
  context.store.putBytes(object.id, file.bytes);
  return context.store.put(FILE, object);
}

/** The file of `id` and its bytes, or the API's 404. */
export function fileOf(context: StateContext, id: string): { file: FileObject; bytes: Buffer } | { response: MockResponse } {
  const file = context.store.get<FileObject>(FILE, id);
  if (!file) return { response: notFound(FILE, id) };
  return { file, bytes: context.store.getBytes(id) ?? Buffer.alloc(0) };
}

async function createFile(context: StateContext): Promise<MockResponse> {
  const body = bodyOf(context);
  const upload = context.exchange.request.files.file;
  const start = await realistic(context);
  if ('response' in start) return start.response;
  const expires = isObject(body.expires_after) ? numberField(body.expires_after.seconds) : undefined;
  const file = putFile(
    context,
    {
      filename: upload?.filename ?? stringField(body.file) ?? 'file',
      purpose: stringField(body.purpose) ?? 'user_data',
      bytes: upload?.data ?? Buffer.from(typeof body.file === 'string' ? body.file : ''),
      expiresAfterSeconds: expires,
    },
    start.body,
  );
  return json(file);
}

export const files: StateHandlers = {
  createFile,
  async retrieveFile(context) {
    const found = fileOf(context, param(context, 'file_id'));
    return 'response' in found ? found.response : json(found.file);
  },
  async downloadFile(context) {
    const found = fileOf(context, param(context, 'file_id'));
    if ('response' in found) return found.response;
    return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: found.bytes, source: 'state' };
  },
  async deleteFile(context) {
    const id = param(context, 'file_id');
    if (!context.store.delete(FILE, id)) return notFound(FILE, id);
    context.store.deleteBytes(id);
    return deleted(id, 'file');
  },
  async listFiles(context) {
    const { query } = context.exchange.request;
    const purpose = stringField(query.purpose);
    return json(context.store.list<FileObject>(FILE, listQueryOf(query, purpose ? (f) => f.purpose === purpose : undefined, { max: 10_000, limit: 10_000 })));
  },
};

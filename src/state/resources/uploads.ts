import type { MockResponse } from '../../pipeline/types';
import { badRequest, json, notFound } from '../respond';
import type { StateContext, StateHandlers, StoredObject } from '../types';
import { bodyOf, isObject, numberField, param, realistic, stringField } from './common';
import { putFile } from './files';

/**
 * Uploads in parts: each part's bytes are kept; completing the upload makes a file of the parts'
 * bytes in the order `part_ids` gives, which must add up to the `bytes` announced at creation.
 */

const UPLOAD = 'upload';
const PART = 'upload.part';

interface UploadObject extends StoredObject {
  id: string;
  object: 'upload';
  bytes: number;
  filename: string;
  purpose: string;
  status: 'pending' | 'completed' | 'cancelled' | 'expired';
  created_at: number;
  expires_at: number;
  file?: unknown;
  _mock_mime?: string;
  _mock_expires_after?: number;
}

const ONE_HOUR = 3600;

function pending(context: StateContext): { upload: UploadObject } | { response: MockResponse } {
  const id = param(context, 'upload_id');
  const upload = context.store.get<UploadObject>(UPLOAD, id);
  if (!upload) return { response: notFound(UPLOAD, id) };
  if (upload.status !== 'pending') return { response: badRequest(`Upload ${id} is already ${upload.status}.`, null) };
  return { upload };
}

export const uploads: StateHandlers = {
  async createUpload(context) {
    const body = bodyOf(context);
    const start = await realistic(context);
    if ('response' in start) return start.response;
    const created = context.nowSeconds();
    const upload: UploadObject = {
      ...start.body,
      id: context.newId('upload_'),
      object: 'upload',
      bytes: numberField(body.bytes) ?? 0,
      filename: stringField(body.filename) ?? 'file',
      purpose: stringField(body.purpose) ?? 'user_data',
      status: 'pending',
      created_at: created,
      expires_at: created + ONE_HOUR,
      file: null,
      _mock_mime: stringField(body.mime_type),
      _mock_expires_after: isObject(body.expires_after) ? numberField(body.expires_after.seconds) : undefined,
    };
    return json(context.store.put(UPLOAD, upload));
  },

  async addUploadPart(context) {
    const found = pending(context);
    if ('response' in found) return found.response;
    const data = context.exchange.request.files.data;
    const part = { id: context.newId('part_'), object: 'upload.part', created_at: context.nowSeconds(), upload_id: found.upload.id };
    context.store.putBytes(part.id, data?.data ?? Buffer.alloc(0));
    return json(context.store.put(`${PART}:${found.upload.id}`, part));
  },

  async completeUpload(context) {
    const found = pending(context);
    if ('response' in found) return found.response;
    const { upload } = found;
    const body = bodyOf(context);
    const ids = Array.isArray(body.part_ids) ? body.part_ids.map(String) : [];
    const chunks: Buffer[] = [];
    for (const id of ids) {
      if (!context.store.get(`${PART}:${upload.id}`, id)) return badRequest(`Part ${id} does not belong to upload ${upload.id}.`, 'part_ids');
      chunks.push(context.store.getBytes(id) ?? Buffer.alloc(0));
    }
    const bytes = Buffer.concat(chunks);
    if (bytes.length !== upload.bytes) {
      return badRequest(`The number of bytes in the uploaded parts (${bytes.length}) does not match the expected number of bytes (${upload.bytes}) given when the upload was created.`, 'part_ids');
    }
    const file = putFile(context, { filename: upload.filename, purpose: upload.purpose, bytes, expiresAfterSeconds: upload._mock_expires_after });
    for (const part of context.store.all(`${PART}:${upload.id}`)) {
      context.store.deleteBytes(part.id);
      context.store.delete(`${PART}:${upload.id}`, part.id);
    }
    return json(context.store.put(UPLOAD, { ...upload, status: 'completed', file }));
  },

  async cancelUpload(context) {
    const found = pending(context);
    if ('response' in found) return found.response;
    for (const part of context.store.all(`${PART}:${found.upload.id}`)) {
      context.store.deleteBytes(part.id);
      context.store.delete(`${PART}:${found.upload.id}`, part.id);
    }
    return json(context.store.put(UPLOAD, { ...found.upload, status: 'cancelled' }));
  },
};

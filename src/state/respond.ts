import { openAIError } from '../http/errors';
import type { MockResponse } from '../pipeline/types';
import type { ListQuery, StoredObject } from './types';

/**
 * What resource handlers answer with: JSON bodies without the mock's own bookkeeping, the API's
 * 404 for an unknown id in the API's words, and a list query read from the request.
 */

/**
 * Top-level fields starting with this are the mock's own (when a lifecycle started, which
 * request made the object...): kept in the store, never sent.
 */
export const PRIVATE_PREFIX = '_mock';

export function publicView<T>(object: T): T {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return object;
  if (!Object.keys(object).some((k) => k.startsWith(PRIVATE_PREFIX))) return object;
  return Object.fromEntries(Object.entries(object).filter(([k]) => !k.startsWith(PRIVATE_PREFIX))) as T;
}

/** A JSON answer; a list's items and a plain object lose their private fields. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): MockResponse {
  let sent = body;
  if (typeof body === 'object' && body !== null && (body as { object?: unknown }).object === 'list' && Array.isArray((body as { data?: unknown }).data)) {
    sent = { ...(body as object), data: (body as { data: unknown[] }).data.map(publicView) };
  } else sent = publicView(body);
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: sent, source: 'state' };
}

/** The API's deleted object: `{ id, object: 'file', deleted: true }`. */
export const deleted = (id: string, object: string) => json({ id, object, deleted: true });

/**
 * The API's 404 for an unknown id, by object kind. The wordings differ between the older
 * resources (Stripe-like `No such File object: file-abc`, param `id`) and the newer ones
 * (`No vector store found with id 'vs_abc'.`).
 */
const NOT_FOUND: Record<string, (id: string, parent?: string) => { message: string; param?: string }> = {
  file: (id) => ({ message: `No such File object: ${id}`, param: 'id' }),
  batch: (id) => ({ message: `No such Batch object: ${id}`, param: 'id' }),
  upload: (id) => ({ message: `No such Upload object: ${id}`, param: 'id' }),
  vector_store: (id) => ({ message: `No vector store found with id '${id}'.` }),
  'vector_store.file': (id, parent) => ({ message: `No file found with id '${id}' in vector store '${parent}'.` }),
  'vector_store.file_batch': (id, parent) => ({ message: `No file batch found with id '${id}' in vector store '${parent}'.` }),
  'chat.completion': (id) => ({ message: `No chat completion found with id '${id}'.` }),
  container: (id) => ({ message: `No container found with id '${id}'.` }),
  'container.file': (id, parent) => ({ message: `No file found with id '${id}' in container '${parent}'.` }),
  assistant: (id) => ({ message: `No assistant found with id '${id}'.` }),
  thread: (id) => ({ message: `No thread found with id '${id}'.` }),
  'thread.message': (id, parent) => ({ message: `No message found with id '${id}' in thread '${parent}'.` }),
  'thread.run': (id, parent) => ({ message: `No run found with id '${id}' in thread '${parent}'.` }),
  'thread.run.step': (id, parent) => ({ message: `No run step found with id '${id}' in run '${parent}'.` }),
  'fine_tuning.job': (id) => ({ message: `Could not find fine tune job: ${id}`, param: 'fine_tune_id' }),
  response: (id) => ({ message: `Response with id '${id}' not found.` }),
  conversation: (id) => ({ message: `Conversation with id '${id}' not found.` }),
};

/**
 * The 404 for `id` of `kind` (a store kind; a child's `kind:parent` gives the parent for the
 * wording, or `parent` does); `param` names the request field that held the id, when not `id`.
 */
export function notFound(kind: string, id: string, parent?: string, param?: string): MockResponse {
  const base = kind.split(':')[0]!;
  const wording = NOT_FOUND[base]?.(id, parent ?? kind.split(':')[1]) ?? { message: `No ${base.replace(/[._]/g, ' ')} found with id '${id}'.` };
  return { ...openAIError(404, wording.message, { param: param ?? wording.param ?? null }), source: 'state' };
}

export function badRequest(message: string, param: string | null = null, code: string | null = null): MockResponse {
  return { ...openAIError(400, message, { param, code }), source: 'state' };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** An operation's own paging defaults, where they differ from the API's usual (20, desc, at most 100). */
export interface ListDefaults {
  /** The API's ceiling (100 for most; 10,000 for files). */
  max?: number;
  /** The default limit (20 for most; 10,000 for files). */
  limit?: number;
  /** The default order (desc for most; asc for stored chat completions and their messages). */
  order?: 'asc' | 'desc';
}

/**
 * A list call's paging from its query (validated by the spec already: limit a number, order
 * asc/desc); `defaults` as the operation documents them (a number: just the ceiling).
 */
export function listQueryOf<T extends StoredObject>(query: Record<string, unknown>, where?: (object: T) => boolean, defaults: ListDefaults | number = {}): ListQuery<T> {
  const { max = 100, limit: defaultLimit, order: defaultOrder } = typeof defaults === 'number' ? { max: defaults } : defaults;
  const limit = query.limit === undefined ? defaultLimit : Number(query.limit);
  const order = query.order === 'asc' || query.order === 'desc' ? query.order : defaultOrder;
  return {
    after: text(query.after),
    before: text(query.before),
    limit: limit === undefined || !Number.isFinite(limit) ? undefined : Math.max(1, Math.min(Math.trunc(limit), max)),
    order,
    where,
  };
}

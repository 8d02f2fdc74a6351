import type { PreparedOperation } from '../openapi/prepare';
import { idPrefix } from './prefixes';
import { reflectionPlan, setIfFits, fitsPrimitive } from './reflect';
import { deref, objectProperties, refsOf } from '../openapi/schema/walk';
import type { IdSource } from './ids';

/**
 * What every answer gets, whatever its kind: ids (fresh with OpenAI's prefix on create, the
 * path's id on read, update, delete and actions), path parameters in the fields of the same name,
 * and timestamps moved to now, keeping their distances (a run's `expires_at` stays ten minutes
 * after its `created_at`).
 */

/** Path endings that act on the object named by the id before them, and answer that object. */
const ACTIONS = new Set([
  'cancel', 'pause', 'resume', 'complete', 'archive', 'submit_tool_outputs', 'accept', 'hangup', 'refer', 'reject',
]);

export interface OperationRole {
  /** `reflect`: the answer is the object the last path id names; `create`: a new object. */
  kind: 'reflect' | 'create' | 'other';
  /** The path parameter whose value is the object's id, for `reflect`. */
  idParam?: string;
}

const roles = new WeakMap<PreparedOperation, OperationRole>();

export function operationRole(operation: PreparedOperation): OperationRole {
  let role = roles.get(operation);
  if (role) return role;
  const segments = operation.path.split('?')[0]!.split('/').filter(Boolean);
  let last = segments.length - 1;
  while (last >= 0 && !segments[last]!.startsWith('{')) last--;
  const after = segments.slice(last + 1);
  const method = operation.method.toLowerCase();
  if (last >= 0 && (after.length === 0 || (after.length === 1 && ACTIONS.has(after[0]!)))) {
    role = { kind: 'reflect', idParam: segments[last]!.slice(1, -1) };
  } else if (method === 'post') {
    role = { kind: 'create' };
  } else {
    role = { kind: 'other' };
  }
  roles.set(operation, role);
  return role;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The fields of a list answer's items, for reflecting path parameters into them. */
function itemFields(operation: PreparedOperation): Map<string, unknown> | undefined {
  const data = reflectionPlan(operation).responseFields?.get('data');
  const refs = refsOf(operation);
  const items = deref(data, refs)?.items;
  return items ? objectProperties(items, refs) : undefined;
}

export function applyIds(
  body: Record<string, unknown>,
  operation: PreparedOperation,
  params: Record<string, string>,
  request: Record<string, unknown>,
  ids: IdSource,
  exampleId: unknown,
): void {
  const role = operationRole(operation);
  if (role.kind === 'reflect' && role.idParam && typeof body.id === 'string' && params[role.idParam] !== undefined) {
    setIfFits(body, 'id', params[role.idParam], operation);
  } else if (role.kind === 'create' && typeof body.id === 'string') {
    // A vector store file is the file itself, under the store: it keeps the file's id.
    if (body.object === 'vector_store.file' && typeof request.file_id === 'string') setIfFits(body, 'id', request.file_id, operation);
    else body.id = ids.next(idPrefix(body.object, exampleId));
    if (body.object === 'thread.run' && typeof body.thread_id === 'string' && !('thread_id' in params)) body.thread_id = ids.next('thread_');
  }

  // Parent ids from the path into the fields of the same name (`thread_id`, `vector_store_id`).
  const names = Object.keys(params).filter((name) => name !== role.idParam || role.kind !== 'reflect');
  if (names.length === 0) return;
  for (const name of names) {
    if (typeof body[name] === 'string') setIfFits(body, name, params[name], operation);
  }
  if (Array.isArray(body.data)) {
    const fields = itemFields(operation);
    if (!fields) return;
    const refs = refsOf(operation);
    for (const name of names) {
      const schema = fields.get(name);
      if (schema === undefined || !fitsPrimitive(params[name], schema, refs)) continue;
      for (const item of body.data) if (isRecord(item) && typeof item[name] === 'string') item[name] = params[name];
    }
  }
}

const EPOCH_2001 = 1_000_000_000;
const isTimeKey = (key: string) => key === 'created' || key.endsWith('_at');

/**
 * Moves the body's timestamps so that its own `created`/`created_at` is `now`, the others by the
 * same amount. Placeholder zeros (Prism's) in `created`/`created_at` become `now`.
 */
export function applyTimestamps(body: Record<string, unknown>, now: number): void {
  const anchor = typeof body.created === 'number' ? body.created : typeof body.created_at === 'number' ? body.created_at : undefined;
  const delta = anchor !== undefined && anchor >= EPOCH_2001 ? now - anchor : 0;
  shift(body, delta, now, 0);
  // Some documented examples expire before they are created.
  const created = typeof body.created === 'number' ? body.created : body.created_at;
  if (typeof body.expires_at === 'number' && typeof created === 'number' && body.expires_at < created) body.expires_at = created + 3600;
}

function shift(node: unknown, delta: number, now: number, depth: number): void {
  if (depth > 8) return;
  if (Array.isArray(node)) {
    // Arrays of numbers (embeddings) hold no timestamps; skip them quickly.
    if (node.length > 0 && typeof node[0] !== 'object') return;
    for (const item of node) shift(item, delta, now, depth + 1);
    return;
  }
  if (!isRecord(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (typeof value === 'number') {
      if (!isTimeKey(key) || !Number.isInteger(value)) continue;
      if (value >= EPOCH_2001) node[key] = value + delta;
      else if (value === 0 && (key === 'created' || key === 'created_at')) node[key] = now;
    } else if (typeof value === 'object' && value !== null) {
      shift(value, delta, now, depth + 1);
    }
  }
}


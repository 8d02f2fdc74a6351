import type { PreparedOperation } from '../openapi/prepare';
import { allowsNull, branches, deref, flatten, refsOf, type RefResolver } from '../openapi/schema/walk';
import { operationRole } from './coherence';
import { isRecord } from './context';
import { reflectionPlan } from './reflect';

/**
 * A create answers a new object: what the documented example says about *its* object (the
 * `customer_id` in its metadata, a description, 3 files and 139,920 bytes in a vector store) must
 * not leak into it. Before reflection copies in what the request sent, a create's body is emptied
 * of those: counts and sizes 0, `metadata` `{}`, free text the request did not send `null` where
 * the schema allows it. Ids, timestamps, status and model outputs are other steps' business.
 */

/** Counters of what an object holds: all 0 in a new one. */
const COUNTS = new Set(['file_counts', 'request_counts']);
const SIZES = new Set(['usage_bytes', 'bytes_used']);
/** Free text a user gives an object; an example's is somebody else's. */
const GIVEN_TEXT = new Set(['description', 'instructions', 'name']);

/**
 * A user's metadata map (`Metadata`: string values, nothing required), as opposed to a structured
 * `metadata` of the API's own (a grader's, with required fields), which is left alone.
 */
function isUserMap(schema: unknown, refs: RefResolver, depth = 0): boolean {
  const s = deref(schema, refs);
  if (!s || depth > 4) return false;
  const union = branches(s);
  if (union) return union.some((branch) => isUserMap(branch, refs, depth + 1));
  const flat = flatten(s, refs);
  const object = flat.types === undefined || flat.types.includes('object');
  return object && flat.properties.size === 0 && flat.required.size === 0 && flat.additionalProperties !== false;
}

export function startEmpty(body: Record<string, unknown>, request: Record<string, unknown>, operation: PreparedOperation): void {
  if (operationRole(operation).kind !== 'create') return;
  const fields = reflectionPlan(operation).responseFields;
  if (!fields) return;
  const refs = refsOf(operation);
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (key === 'metadata' && isRecord(value)) {
      if (!isUserMap(fields.get(key), refs)) continue;
      // The request's map was validated against the same kind of schema: string values only.
      const sent = request.metadata;
      body[key] = isRecord(sent) ? Object.fromEntries(Object.entries(sent).filter(([k, v]) => typeof v === 'string' && !['__proto__', 'constructor', 'prototype'].includes(k))) : {};
    }
    else if (COUNTS.has(key) && isRecord(value)) {
      for (const [name, count] of Object.entries(value)) if (typeof count === 'number') value[name] = 0;
    } else if (SIZES.has(key) && typeof value === 'number') body[key] = 0;
    else if (GIVEN_TEXT.has(key) && typeof value === 'string' && !(key in request) && allowsNull(fields.get(key), refs)) body[key] = null;
  }
}

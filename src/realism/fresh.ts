import type { PreparedOperation } from '../openapi/prepare';
import { allowsNull, refsOf } from '../openapi/schema/walk';
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

export function startEmpty(body: Record<string, unknown>, request: Record<string, unknown>, operation: PreparedOperation): void {
  if (operationRole(operation).kind !== 'create') return;
  const fields = reflectionPlan(operation).responseFields;
  if (!fields) return;
  const refs = refsOf(operation);
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (key === 'metadata' && isRecord(value)) body[key] = {};
    else if (COUNTS.has(key) && isRecord(value)) {
      for (const [name, count] of Object.entries(value)) if (typeof count === 'number') value[name] = 0;
    } else if (SIZES.has(key) && typeof value === 'number') body[key] = 0;
    else if (GIVEN_TEXT.has(key) && typeof value === 'string' && !(key in request) && allowsNull(fields.get(key), refs)) body[key] = null;
  }
}

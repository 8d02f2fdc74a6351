import type { IHttpOperation } from '@stoplight/types';
import type { PreparedOperation } from '../openapi/prepare';
import { flatten, isSchema, refsOf, type RefResolver } from '../openapi/schema/walk';
import type { ValidationProblem } from './describe-errors';

/**
 * The API rejects a JSON body with a top-level parameter it does not know, and the spec's schemas
 * (which leave `additionalProperties` unsaid) would let it through. Two wordings, by the age of
 * the endpoint: chat completions and the other early endpoints say
 * `Unrecognized request argument supplied: bogus` (no param, no code); the Responses API and the
 * newer ones say `Unknown parameter: 'bogus'.` with `param` and `code: "unknown_parameter"`.
 * Objects the spec leaves open (`additionalProperties`, a free-form object, a union whose
 * branches do not say) are not checked.
 */

/** Operations answering with the older wording, by method and spec path. */
const OLDER = new Set(['POST /chat/completions', 'POST /completions', 'POST /embeddings', 'POST /moderations']);

interface KnownKeys {
  /** Undefined when the body's schema leaves its keys open. */
  keys?: ReadonlySet<string>;
  older: boolean;
}

const known = new WeakMap<PreparedOperation, KnownKeys>();

/** The keys a body schema declares, through refs, allOf and one level of unions; undefined if it is open. */
function declaredKeys(schema: unknown, refs: RefResolver): Set<string> | undefined {
  const flat = flatten(schema, refs);
  if (flat.additionalProperties !== undefined && flat.additionalProperties !== false) return undefined;
  const keys = new Set(flat.properties.keys());
  for (const union of flat.unions) {
    for (const branch of union) {
      const inner = flatten(branch, refs);
      if (inner.types?.length && !inner.types.includes('object')) continue;
      if (inner.unions.length > 0 || (inner.additionalProperties !== undefined && inner.additionalProperties !== false)) return undefined;
      if (inner.properties.size === 0) return undefined;
      for (const key of inner.properties.keys()) keys.add(key);
    }
  }
  return keys.size > 0 ? keys : undefined;
}

function knownKeys(operation: PreparedOperation): KnownKeys {
  let entry = known.get(operation);
  if (entry) return entry;
  const content = (operation as IHttpOperation).request?.body?.contents?.find((c) => c.mediaType === 'application/json');
  const older = OLDER.has(`${operation.method.toUpperCase()} ${operation.path.split('?')[0]}`);
  entry = { keys: isSchema(content?.schema) ? declaredKeys(content.schema, refsOf(operation)) : undefined, older };
  known.set(operation, entry);
  return entry;
}

/** The API's 400 for the body's first unknown top-level parameters, or undefined. */
export function unknownParameters(operation: PreparedOperation, body: unknown): ValidationProblem | undefined {
  if (!isSchema(body)) return undefined;
  const { keys, older } = knownKeys(operation);
  if (!keys) return undefined;
  const unknown = Object.keys(body).filter((key) => !keys.has(key));
  if (unknown.length === 0) return undefined;
  if (older) {
    const message = unknown.length === 1 ? `Unrecognized request argument supplied: ${unknown[0]}` : `Unrecognized request arguments supplied: ${unknown.join(', ')}`;
    return { message, param: null, code: null };
  }
  return { message: `Unknown parameter: '${unknown[0]}'.`, param: unknown[0]!, code: 'unknown_parameter' };
}

import type { ErrorObject, ValidateFunction } from 'ajv';
import { minimalValue, resolve, type Bundle, type Schema } from './schema-walk';

/**
 * Makes a nearly valid body valid, with the smallest edits: OpenAI's documented examples lag
 * behind the schemas (a newly required `refusal`, `logprobs` or `usage_bytes` is missing, a
 * deprecated field is `null` where the schema says string), and Prism's generated bodies miss a
 * few constraints. Edits: add a missing required property (null when allowed, else a minimal
 * value), drop an optional `null` the schema does not allow, drop a property a closed object
 * does not declare. Errors from union branches that plainly do not apply (their `type` differs
 * from the value's) are ignored, so a function-call item does not get a message's fields.
 * Returns the repaired copy, or undefined when it is still invalid after a few rounds.
 */
export function repairBody(body: unknown, validate: ValidateFunction, bundle: Bundle, rounds = 6): unknown {
  if (validate(body)) return body;
  const copy = structuredClone(body);
  // Replacing a value of the wrong type is the last resort: in a union, the error may come from
  // a branch the value was never meant for.
  for (const replace of [false, true]) {
    for (let round = 0; round < rounds; round++) {
      let changed = false;
      for (const error of validate.errors ?? []) changed = applyFix(copy, error, bundle, replace) || changed;
      if (validate(copy)) return copy;
      if (!changed) break;
    }
  }
  return undefined;
}

function pointerParts(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function at(root: unknown, parts: readonly string[]): unknown {
  let node = root;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A union branch whose `type` property cannot match the value's `type` is not the value's branch. */
function branchDoesNotApply(branch: Schema | undefined, value: unknown, bundle: Bundle): boolean {
  if (!branch || !isRecord(value) || typeof value.type !== 'string') return false;
  const typeSchema = resolve(branch.properties?.type, bundle);
  if (!typeSchema) return false;
  if ('const' in typeSchema) return typeSchema.const !== value.type;
  if (Array.isArray(typeSchema.enum)) return !typeSchema.enum.includes(value.type);
  return false;
}

function applyFix(root: unknown, error: ErrorObject, bundle: Bundle, replace: boolean): boolean {
  const parts = pointerParts(error.instancePath);
  const value = at(root, parts);
  const parentSchema = error.parentSchema as Schema | undefined;
  // Errors come from every branch of a failed union, and after a `$ref` the schema path no
  // longer shows the union; a branch whose `type` cannot be the value's is not its schema.
  if (isRecord(value) && branchDoesNotApply(parentSchema, value, bundle)) return false;

  if (error.keyword === 'required' && isRecord(value)) {
    const name = (error.params as { missingProperty: string }).missingProperty;
    if (name === '__proto__' || name in value) return false;
    const propertySchema = parentSchema?.properties?.[name] ?? {};
    value[name] = minimalValue(propertySchema, bundle, { preferNull: true, name });
    return true;
  }

  if (error.keyword === 'type' && value === null && parts.length > 0) {
    const parent = at(root, parts.slice(0, -1));
    const key = parts[parts.length - 1]!;
    if (!isRecord(parent) || !(key in parent)) return false;
    // An optional field: dropping it is valid; a required one comes back next round as a minimal
    // non-null value (the `required` fix would put null back only where null is allowed).
    delete parent[key];
    return true;
  }

  if (error.keyword === 'additionalProperties' && isRecord(value)) {
    const name = (error.params as { additionalProperty: string }).additionalProperty;
    if (!(name in value)) return false;
    delete value[name];
    return true;
  }

  if (replace && error.keyword === 'type' && value !== null && parts.length > 0 && parentSchema) {
    const parent = at(root, parts.slice(0, -1));
    const key = parts[parts.length - 1]!;
    if (!parent || typeof parent !== 'object') return false;
    (parent as Record<string, unknown>)[key] = minimalValue(parentSchema, bundle, { preferNull: false, name: key });
    return true;
  }
  return false;
}

import type { IHttpOperation } from '@stoplight/types';
import type { PreparedOperation } from '../openapi/prepare';
import { successJson } from '../openapi/default-bodies';
import { branches, deref, objectProperties, refsOf, type RefResolver } from '../openapi/schema/walk';

/**
 * Reflection, as stripe-mock does it: a request field whose name is also a field of the response
 * is copied into the response (`model`, `metadata`, `instructions`, `temperature`, `purpose` ...).
 * Only when the copy is sure to stay valid, decided without compiling anything: the two fields
 * share one schema (the request was validated against it), or the value is a plain string,
 * number or boolean that the response field's schema plainly accepts.
 */

/** Never copied: they are the server's to set, or say how to answer rather than what. */
const NOT_REFLECTED = new Set(['id', 'object', 'created', 'created_at', 'status', 'stream', 'service_tier', 'usage', 'type', 'n']);
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface ReflectionPlan {
  /** The response's top-level fields (undefined when its schema is a union). */
  responseFields: Map<string, unknown> | undefined;
  /** Request field -> response field schema, and whether both fields share one schema. */
  fields: Map<string, { schema: unknown; sameSchema: boolean }>;
}

const plans = new WeakMap<PreparedOperation, ReflectionPlan>();

function requestFields(operation: IHttpOperation, refs: RefResolver): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const content of operation.request?.body?.contents ?? []) {
    const props = content.schema ? objectProperties(content.schema, refs) : undefined;
    if (props) for (const [name, schema] of props) if (!out.has(name)) out.set(name, schema);
  }
  return out;
}

export function reflectionPlan(operation: PreparedOperation): ReflectionPlan {
  let plan = plans.get(operation);
  if (plan) return plan;
  const refs = refsOf(operation);
  const success = successJson(operation);
  const responseFields = success ? objectProperties(success.schema, refs) : undefined;
  const fields = new Map<string, { schema: unknown; sameSchema: boolean }>();
  if (responseFields) {
    for (const [name, requestSchema] of requestFields(operation, refs)) {
      if (NOT_REFLECTED.has(name) || !responseFields.has(name)) continue;
      const responseSchema = responseFields.get(name);
      const sameSchema = requestSchema === responseSchema || JSON.stringify(requestSchema) === JSON.stringify(responseSchema);
      fields.set(name, { schema: responseSchema, sameSchema });
    }
  }
  plan = { responseFields, fields };
  plans.set(operation, plan);
  return plan;
}

/** A copy of a JSON value without prototype-polluting keys. */
export function safeCopy(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 64) return null;
  if (Array.isArray(value)) return value.map((item) => safeCopy(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (UNSAFE_KEYS.has(key)) continue;
    out[key] = safeCopy(item, depth + 1);
  }
  return out;
}

const KNOWN_KEYWORDS = new Set([
  'type', 'enum', 'const', 'description', 'title', 'default', 'examples', 'example', 'deprecated', 'nullable',
  'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'anyOf', 'oneOf', 'allOf', '$ref', 'readOnly', 'writeOnly', 'format', 'discriminator', '$schema',
]);

/** Whether a primitive value is valid for the schema; false whenever unsure. */
export function fitsPrimitive(value: unknown, schema: unknown, refs: RefResolver, depth = 0): boolean {
  const s = deref(schema, refs);
  if (!s || depth > 8) return false;
  for (const key of Object.keys(s)) if (!KNOWN_KEYWORDS.has(key) && !key.startsWith('x-')) return false;
  if ('const' in s && s.const !== value) return false;
  if (Array.isArray(s.enum) && !s.enum.includes(value)) return false;
  if (s.nullable === true && value === null) return true;
  if (Array.isArray(s.allOf) && !s.allOf.every((part: unknown) => fitsPrimitive(value, part, refs, depth + 1))) return false;
  if (Array.isArray(s.anyOf) && !s.anyOf.some((part: unknown) => fitsPrimitive(value, part, refs, depth + 1))) return false;
  if (Array.isArray(s.oneOf)) {
    // Exactly one branch may match; one that cannot be judged makes the answer "unsure".
    const matches = s.oneOf.filter((part: unknown) => fitsPrimitive(value, part, refs, depth + 1)).length;
    if (matches !== 1) return false;
  }
  if (s.type !== undefined && !typeMatches(value, s.type)) return false;
  if (typeof value === 'string') {
    if (s.format !== undefined) return false;
    if (typeof s.minLength === 'number' && [...value].length < s.minLength) return false;
    if (typeof s.maxLength === 'number' && [...value].length > s.maxLength) return false;
    if (typeof s.pattern === 'string') {
      try {
        if (!new RegExp(s.pattern, 'u').test(value)) return false;
      } catch {
        return false;
      }
    }
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) return false;
    if (typeof s.maximum === 'number' && value > s.maximum) return false;
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) return false;
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) return false;
    if (typeof s.exclusiveMinimum === 'boolean' || typeof s.exclusiveMaximum === 'boolean') return false;
  }
  // A schema with nothing to say about the value type (no type, enum, const or union) is not
  // taken as accepting everything: it may be an object schema written without `type`.
  return s.type !== undefined || 'const' in s || Array.isArray(s.enum) || branches(s) !== undefined || Array.isArray(s.allOf);
}

function typeMatches(value: unknown, type: unknown): boolean {
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => {
    switch (t) {
      case 'string':
        return typeof value === 'string';
      case 'number':
        return typeof value === 'number' && Number.isFinite(value);
      case 'integer':
        return typeof value === 'number' && Number.isInteger(value);
      case 'boolean':
        return typeof value === 'boolean';
      case 'null':
        return value === null;
      default:
        return false;
    }
  });
}

const isPlainValue = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/**
 * Copies the request's matching fields into the response object, in place. Form fields arrive
 * as text and were validated with coercion, so only a JSON body's values count as validated.
 */
export function reflectRequest(response: Record<string, unknown>, body: Record<string, unknown>, operation: PreparedOperation, json: boolean): void {
  const plan = reflectionPlan(operation);
  const refs = refsOf(operation);
  for (const [name, field] of plan.fields) {
    if (!Object.hasOwn(body, name)) continue;
    const value = body[name];
    if (value === undefined || isUpload(value)) continue;
    if (field.sameSchema && json) response[name] = safeCopy(value);
    else if (isPlainValue(value) && fitsPrimitive(value, field.schema, refs)) response[name] = value;
  }
}

/** Sets a response field to a value when the field exists and the value plainly fits it. */
export function setIfFits(response: Record<string, unknown>, name: string, value: unknown, operation: PreparedOperation): boolean {
  const schema = reflectionPlan(operation).responseFields?.get(name);
  if (schema === undefined || !fitsPrimitive(value, schema, refsOf(operation))) return false;
  response[name] = value;
  return true;
}

export function isUpload(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as { data?: unknown }).data);
}


import type { ErrorObject } from 'ajv';
import { takeErrors } from '../../validation/ajv';
import { minimalValue, type MinimalOptions } from './minimal-value';
import {
  allOf,
  bestRanked,
  branchExcluded,
  copyFlat,
  flatten,
  isSchema,
  jsonType,
  pointerParts,
  propertySchema,
  tagFit,
  typeAllowed,
  valueAt,
  type CompileSchema,
  type FlatSchema,
  type SchemaTools,
} from './walk';

/**
 * Brings a JSON body into its schema while keeping as much of it as possible. OpenAI's documented
 * examples, which both the realism step and Prism answer with, lag behind the schemas: a newly
 * required `refusal` or `usage_bytes` is missing, a deprecated field is `null` where the schema
 * says string, an output item lacks its `id`, a `schema` should be an object.
 *
 * Two depths. `repairBody` makes the smallest edits Ajv's complaints point to, and gives up when
 * they are not enough (a documented example that needs more is not shown as one).
 * `conformToSchema` always ends with a valid body when one can be made: the smallest edits first,
 * else the body rebuilt along its schema, else the schema's smallest value.
 */

type Validate = ReturnType<CompileSchema>;

/**
 * The smallest edits: add a missing required property (null when allowed, else a plausible
 * minimal value), drop an optional `null` the schema does not allow, drop a property a closed
 * object does not declare; replacing a value of the wrong type comes last. Complaints from union
 * branches whose `type` tag cannot be the value's are ignored, so a function-call item does not
 * get a message's fields. Returns the repaired copy (the body itself when valid), or undefined
 * when it is still invalid after a few rounds.
 */
export function repairBody(body: unknown, validate: Validate, tools: SchemaTools, rounds = 6): unknown {
  if (validate(body)) return body;
  const copy = structuredClone(body);
  // Replacing a value of the wrong type is the last resort: in a union, the complaint may come
  // from a branch the value was never meant for.
  for (const replace of [false, true]) {
    for (let round = 0; round < rounds; round++) {
      let changed = false;
      for (const error of takeErrors(validate)) changed = applyEdit(copy, error, tools, replace) || changed;
      if (validate(copy)) return copy;
      if (!changed) break;
    }
  }
  return undefined;
}

/** The body made valid for `schema` by whatever it takes; the body itself when nothing validates. */
export function conformToSchema(value: unknown, schema: object, tools: SchemaTools): unknown {
  const validate = tools.compile(schema);
  if (validate(value)) return value;
  const edited = repairBody(value, validate, tools);
  if (edited !== undefined) return edited;
  let rebuilt: Rebuilt;
  try {
    rebuilt = rebuild(value, schema, tools, 0);
  } catch {
    rebuilt = UNFIT;
  }
  if (rebuilt !== UNFIT && validate(rebuilt)) return rebuilt;
  try {
    const minimal = minimalValue(schema, tools);
    return validate(minimal) ? minimal : value;
  } catch {
    return value;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => isSchema(value);

/** A minimal value, or undefined when the schema cannot give one. */
function filler(schema: unknown, tools: SchemaTools, options: MinimalOptions, name: string): unknown {
  try {
    return minimalValue(schema, tools, { ...options, plausible: true }, name);
  } catch {
    return undefined;
  }
}

function applyEdit(root: unknown, error: ErrorObject, tools: SchemaTools, replace: boolean): boolean {
  const parts = pointerParts(error.instancePath);
  const value = valueAt(root, parts);
  const parentSchema = error.parentSchema;
  // Errors come from every branch of a failed union, and after a `$ref` the schema path no
  // longer shows the union; a branch whose `type` cannot be the value's is not its schema.
  if (branchExcluded(parentSchema, value, tools)) return false;

  if (error.keyword === 'required' && isRecord(value)) {
    const name = (error.params as { missingProperty: string }).missingProperty;
    if (name === '__proto__' || name in value) return false;
    const filled = filler(parentSchema?.properties?.[name] ?? {}, tools, { preferNull: true }, name);
    if (filled === undefined) return false;
    value[name] = filled;
    return true;
  }

  const parent = parts.length > 0 ? valueAt(root, parts.slice(0, -1)) : undefined;
  const key = parts[parts.length - 1]!;

  if (error.keyword === 'type' && value === null && isRecord(parent) && key in parent) {
    // An optional field: dropping it is valid; a required one comes back next round as a minimal
    // non-null value (the `required` edit puts null back only where null is allowed).
    delete parent[key];
    return true;
  }

  if (error.keyword === 'additionalProperties' && isRecord(value)) {
    const name = (error.params as { additionalProperty: string }).additionalProperty;
    if (!(name in value)) return false;
    delete value[name];
    return true;
  }

  if (replace && error.keyword === 'type' && value !== null && parentSchema && parent !== null && typeof parent === 'object') {
    const filled = filler(parentSchema, tools, {}, key);
    if (filled === undefined) return false;
    (parent as Record<string, unknown>)[key] = filled;
    return true;
  }
  return false;
}

const UNFIT = Symbol('unfit');
type Rebuilt = unknown | typeof UNFIT;

const MAX_DEPTH = 60;

/**
 * The body rebuilt along its schema: the union branch its tags fit, optional values that do not
 * fit dropped, required ones replaced by the smallest valid value, missing required ones added,
 * arrays cut or filled to their bounds.
 */
function rebuild(value: unknown, schema: unknown, tools: SchemaTools, depth: number): Rebuilt {
  if (schema === true || schema === undefined) return value;
  if (!isSchema(schema)) return UNFIT;
  if (depth > MAX_DEPTH) return UNFIT;
  return rebuildFlat(value, flatten(schema, tools), tools, depth);
}

/** The branch whose tags the value fits (no tag wrong, then the type right, then the most tags). */
function chooseBranch(union: unknown[], value: unknown, tools: SchemaTools): unknown {
  const ranks = union.map((branch) => {
    const fit = tagFit(branch, value, tools);
    return [fit.mismatches > 0 ? 1 : 0, typeAllowed(flatten(branch, tools), value) ? 0 : 1, -fit.matches];
  });
  return union[bestRanked(ranks)];
}

function rebuildFlat(value: unknown, flat: FlatSchema, tools: SchemaTools, depth: number): Rebuilt {
  while (flat.unions.length > 0) {
    const [union, ...rest] = flat.unions;
    const branch = chooseBranch(union!, value, tools);
    flat = copyFlat(flat);
    flat.unions = rest;
    flatten(branch, tools, flat);
  }
  if (flat.const) return flat.const.value;
  if (flat.enum) return flat.enum.includes(value) ? value : UNFIT;
  if (!typeAllowed(flat, value)) return UNFIT;
  const k = flat.keywords as Record<string, any>;

  switch (jsonType(value)) {
    case 'object': {
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(source)) {
        const parts = flat.properties.get(key);
        const schema = parts ? allOf(parts) : flat.additionalProperties;
        if (schema === false) continue;
        const fixed = schema === undefined ? item : rebuild(item, schema, tools, depth + 1);
        if (fixed !== UNFIT) out[key] = fixed;
        else if (flat.required.has(key)) out[key] = minimalValue(schema, tools);
      }
      for (const name of flat.required) if (!(name in out)) out[name] = minimalValue(propertySchema(flat, name), tools);
      return out;
    }
    case 'array': {
      const itemSchema = flat.items.length > 0 ? allOf(flat.items) : undefined;
      let items = (value as unknown[]).map((item) => (itemSchema === undefined ? item : rebuild(item, itemSchema, tools, depth + 1))).filter((i) => i !== UNFIT);
      if (typeof k.maxItems === 'number') items = items.slice(0, k.maxItems);
      while (typeof k.minItems === 'number' && items.length < k.minItems) items.push(minimalValue(itemSchema, tools));
      return items;
    }
    case 'string': {
      const text = value as string;
      if (typeof k.minLength === 'number' && text.length < k.minLength) return UNFIT;
      if (typeof k.maxLength === 'number' && text.length > k.maxLength) return UNFIT;
      if (typeof k.pattern === 'string' && !safeTest(k.pattern, text)) return UNFIT;
      return text;
    }
    case 'integer':
    case 'number': {
      const n = value as number;
      if (typeof k.minimum === 'number' && n < k.minimum) return UNFIT;
      if (typeof k.maximum === 'number' && n > k.maximum) return UNFIT;
      if (typeof k.exclusiveMinimum === 'number' && n <= k.exclusiveMinimum) return UNFIT;
      if (typeof k.exclusiveMaximum === 'number' && n >= k.exclusiveMaximum) return UNFIT;
      return n;
    }
    default:
      return value;
  }
}

function safeTest(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(text);
  } catch {
    return true;
  }
}

import { minimalValue } from '../validation/minimal-value';
import { allOf, copyFlat, flatten, isSchema, jsonType, tagFit, typeAllowed, type FlatSchema, type SchemaTools } from '../validation/schema-walk';

/**
 * Brings a mock body into its response schema while keeping as much of it as possible. The spec's
 * own examples (which Prism answers with) disagree with its schemas in places: `user: null` where
 * the schema says string, output items without their required `id`, a `schema` that should be an
 * object. Optional values that do not fit are dropped, required ones are replaced by the smallest
 * valid value, missing required ones are added.
 */

const UNFIT = Symbol('unfit');
type Result = unknown | typeof UNFIT;

export function conformToSchema(value: unknown, schema: object, tools: SchemaTools): unknown {
  if (tools.compile(schema)(value)) return value;
  let result: Result;
  try {
    result = conform(value, schema, tools, 0);
  } catch {
    result = UNFIT;
  }
  if (result !== UNFIT && tools.compile(schema)(result)) return result;
  try {
    const minimal = minimalValue(schema, tools);
    return tools.compile(schema)(minimal) ? minimal : value;
  } catch {
    return value;
  }
}

const MAX_DEPTH = 60;

function conform(value: unknown, schema: unknown, tools: SchemaTools, depth: number): Result {
  if (schema === true || schema === undefined) return value;
  if (!isSchema(schema)) return UNFIT;
  if (depth > MAX_DEPTH) return UNFIT;
  return conformFlat(value, flatten(schema, tools), tools, depth);
}

function chooseBranch(union: unknown[], value: unknown, tools: SchemaTools): unknown {
  let best: { branch: unknown; rank: number[] } | undefined;
  union.forEach((branch, index) => {
    const fit = tagFit(branch, value, tools);
    const typeOk = typeAllowed(flatten(branch, tools), value);
    const rank = [fit.mismatches > 0 ? 1 : 0, typeOk ? 0 : 1, -fit.matches, index];
    if (!best || lexicallyBefore(rank, best.rank)) best = { branch, rank };
  });
  return best?.branch;
}

function lexicallyBefore(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

function conformFlat(value: unknown, flat: FlatSchema, tools: SchemaTools, depth: number): Result {
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
        const fixed = schema === undefined ? item : conform(item, schema, tools, depth + 1);
        if (fixed !== UNFIT) out[key] = fixed;
        else if (flat.required.has(key)) out[key] = minimalValue(schema, tools);
      }
      for (const name of flat.required) {
        if (name in out) continue;
        const parts = flat.properties.get(name);
        out[name] = minimalValue(parts ? allOf(parts) : isSchema(flat.additionalProperties) ? flat.additionalProperties : undefined, tools);
      }
      return out;
    }
    case 'array': {
      const itemSchema = flat.items.length > 0 ? allOf(flat.items) : undefined;
      let items = (value as unknown[]).map((item) => (itemSchema === undefined ? item : conform(item, itemSchema, tools, depth + 1))).filter((i) => i !== UNFIT);
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

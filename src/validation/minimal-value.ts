import { allOf, copyFlat, flatten, isSchema, type FlatSchema, type Schema, type SchemaTools } from './schema-walk';

/**
 * The smallest value a schema accepts: objects with only their required properties, arrays with
 * their minimum number of items, the first value of an enum, the first branch of a union that
 * turns out valid. Used to fill what a mock body lacks and to build minimal requests.
 */

export interface MinimalOptions {
  /** The value for `format: binary` strings (an upload in a form). Default: `"file"`. */
  binary?: unknown;
  /** At least one item in every array: a form cannot send an empty array (it sends nothing). */
  nonEmptyArrays?: boolean;
}

const MAX_DEPTH = 40;

export function minimalValue(schema: unknown, tools: SchemaTools, options: MinimalOptions = {}): unknown {
  return generate(schema, tools, options, 0);
}

function generate(schema: unknown, tools: SchemaTools, options: MinimalOptions, depth: number): unknown {
  if (schema === true || schema === undefined) return 'x';
  if (!isSchema(schema)) return null;
  if (depth > MAX_DEPTH) throw new Error('the schema nests too deep for a minimal value');
  const flat = flatten(schema, tools);
  if (flat.unions.length === 0) return fromFlat(flat, tools, options, depth);
  // Each branch of the first open union is tried with the rest of the schema; the first that the
  // whole schema accepts wins (branches can be narrowed by siblings, e.g. `anyOf: [{required}]`).
  const [union, ...rest] = flat.unions;
  const ordered = [...union!.filter((b) => !(isSchema(b) && b.type === 'null')), ...union!.filter((b) => isSchema(b) && b.type === 'null')];
  let first: { value: unknown } | undefined;
  for (const branch of ordered) {
    const narrowed = copyFlat(flat);
    narrowed.unions = rest;
    flatten(branch, tools, narrowed);
    let value: unknown;
    try {
      value = resolveUnions(narrowed, tools, options, depth + 1);
    } catch {
      continue;
    }
    first ??= { value };
    if (tools.compile(schema)(value)) return value;
  }
  if (first) return first.value;
  throw new Error('no branch of a union can be generated');
}

function resolveUnions(flat: FlatSchema, tools: SchemaTools, options: MinimalOptions, depth: number): unknown {
  if (flat.unions.length === 0) return fromFlat(flat, tools, options, depth);
  const [union, ...rest] = flat.unions;
  for (const branch of union!) {
    if (isSchema(branch) && branch.type === 'null') continue;
    const narrowed = copyFlat(flat);
    narrowed.unions = rest;
    flatten(branch, tools, narrowed);
    return resolveUnions(narrowed, tools, options, depth + 1);
  }
  return null;
}

function fromFlat(flat: FlatSchema, tools: SchemaTools, options: MinimalOptions, depth: number): unknown {
  if (flat.const) return flat.const.value;
  if (flat.enum && flat.enum.length > 0) return flat.enum.find((v) => v !== null) ?? flat.enum[0];
  const k = flat.keywords as Record<string, any>;
  const type = (flat.types ?? [inferType(flat)]).find((t) => t !== 'null') ?? (flat.types?.includes('null') ? 'null' : 'string');
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of flat.required) {
        const parts = flat.properties.get(name);
        const schema = parts ? allOf(parts) : isSchema(flat.additionalProperties) ? flat.additionalProperties : undefined;
        out[name] = generate(schema, tools, options, depth + 1);
      }
      return out;
    }
    case 'array': {
      const count = Math.max(Number(k.minItems ?? 0), options.nonEmptyArrays && k.maxItems !== 0 ? 1 : 0);
      return Array.from({ length: count }, () => generate(allOf(flat.items) as Schema | undefined, tools, options, depth + 1));
    }
    case 'string':
      return stringFor(k, options);
    case 'integer':
    case 'number': {
      let n: number = k.minimum ?? (typeof k.exclusiveMinimum === 'number' ? k.exclusiveMinimum + (type === 'integer' ? 1 : 0.5) : 1);
      if (typeof k.maximum === 'number' && n > k.maximum) n = k.maximum;
      if (typeof k.exclusiveMaximum === 'number' && n >= k.exclusiveMaximum) n = k.exclusiveMaximum - (type === 'integer' ? 1 : 0.5);
      return type === 'integer' ? Math.ceil(n) : n;
    }
    case 'boolean':
      return false;
    default:
      return null;
  }
}

function inferType(flat: FlatSchema): string | undefined {
  if (flat.properties.size > 0 || flat.required.size > 0) return 'object';
  if (flat.items.length > 0) return 'array';
  return undefined;
}

function stringFor(k: Record<string, any>, options: MinimalOptions): unknown {
  if (k.format === 'binary') return options.binary ?? 'file';
  if (typeof k.example === 'string' && (k.pattern || k.format)) return k.example;
  switch (k.format) {
    case 'date-time':
      return '2025-01-01T00:00:00Z';
    case 'date':
      return '2025-01-01';
    case 'uri':
    case 'url':
      return 'https://example.com/';
    case 'email':
      return 'someone@example.com';
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
  }
  const length = Math.max(Number(k.minLength ?? 1), 1);
  return 'x'.repeat(Math.min(length, Number(k.maxLength ?? length)));
}

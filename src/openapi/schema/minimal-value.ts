import { allOf, allowsNull, copyFlat, flatten, isSchema, propertySchema, type FlatSchema, type Schema, type SchemaTools } from './walk';

/**
 * The smallest value a schema accepts: objects with only their required properties, arrays with
 * their minimum number of items, a value of an enum, the first branch of a union that turns out
 * valid. Used to build minimal requests, to fill what a body lacks, and to replace what cannot be
 * kept (see repair.ts).
 */

export interface MinimalOptions {
  /** The value for `format: binary` strings (an upload in a form). Default: `"file"`. */
  binary?: unknown;
  /** At least one item in every array: a form cannot send an empty array (it sends nothing). */
  nonEmptyArrays?: boolean;
  /**
   * `null` wherever the schema allows it, for the value and the properties below it (not for
   * array items): a field a documented body lacks then reads as absent, as the API would say it.
   */
  preferNull?: boolean;
  /**
   * Values that read like a real answer's rather than the shortest: the schema's default or first
   * example, a finished state from an enum (`completed`, `stop`...), a string named after its
   * field, now for timestamps (`created`, `*_at`), zero for numbers, null where nothing is said.
   */
  plausible?: boolean;
}

// Values that read as a finished, healthy object when a status has to be picked from an enum.
const PREFERRED = ['completed', 'processed', 'active', 'succeeded', 'success', 'ok', 'assistant', 'stop'];

const MAX_DEPTH = 40;

/** Throws when the schema nests too deep or no branch of a union can be generated. */
export function minimalValue(schema: unknown, tools: SchemaTools, options: MinimalOptions = {}, name?: string): unknown {
  return generate(schema, tools, options, name, 0);
}

function generate(schema: unknown, tools: SchemaTools, options: MinimalOptions, name: string | undefined, depth: number): unknown {
  if (schema === true || schema === undefined) return options.preferNull || options.plausible ? null : 'x';
  if (!isSchema(schema)) return null;
  if (depth > MAX_DEPTH) throw new Error('the schema nests too deep for a minimal value');
  if (options.preferNull && allowsNull(schema, tools)) return null;
  const flat = flatten(schema, tools);
  if (flat.unions.length === 0) return fromFlat(flat, tools, options, name, depth);
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
      value = resolveUnions(narrowed, tools, options, name, depth + 1);
    } catch {
      continue;
    }
    first ??= { value };
    if (tools.compile(schema)(value)) return value;
  }
  if (first) return first.value;
  throw new Error('no branch of a union can be generated');
}

function resolveUnions(flat: FlatSchema, tools: SchemaTools, options: MinimalOptions, name: string | undefined, depth: number): unknown {
  if (flat.unions.length === 0) return fromFlat(flat, tools, options, name, depth);
  const [union, ...rest] = flat.unions;
  for (const branch of union!) {
    if (isSchema(branch) && branch.type === 'null') continue;
    const narrowed = copyFlat(flat);
    narrowed.unions = rest;
    flatten(branch, tools, narrowed);
    return resolveUnions(narrowed, tools, options, name, depth + 1);
  }
  return null;
}

function fromFlat(flat: FlatSchema, tools: SchemaTools, options: MinimalOptions, name: string | undefined, depth: number): unknown {
  if (flat.const) return flat.const.value;
  const k = flat.keywords as Record<string, any>;
  if (flat.enum && flat.enum.length > 0) {
    const preferred = options.plausible ? PREFERRED.find((v) => flat.enum!.includes(v)) : undefined;
    return preferred ?? flat.enum.find((v) => v !== null) ?? flat.enum[0];
  }
  if (options.plausible) {
    if (k.default !== undefined) return k.default;
    if (Array.isArray(k.examples) && k.examples.length > 0) return k.examples[0];
  }
  const type = (flat.types ?? [inferType(flat)]).find((t) => t !== 'null') ?? (flat.types?.includes('null') || options.plausible ? 'null' : 'string');
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const property of flat.required) out[property] = generate(propertySchema(flat, property), tools, options, property, depth + 1);
      return out;
    }
    case 'array': {
      const count = Math.max(Number(k.minItems ?? 0), options.nonEmptyArrays && k.maxItems !== 0 ? 1 : 0);
      const items = allOf(flat.items) as Schema | undefined;
      return Array.from({ length: count }, () => generate(items, tools, { ...options, preferNull: false }, undefined, depth + 1));
    }
    case 'string':
      return stringFor(k, options, name);
    case 'integer':
    case 'number':
      return numberFor(k, type, options, name);
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

function numberFor(k: Record<string, any>, type: 'integer' | 'number', options: MinimalOptions, name: string | undefined): number {
  if (options.plausible && name && /(^created$|_at$)/.test(name)) return Math.floor(Date.now() / 1000);
  const step = type === 'integer' ? 1 : 0.5;
  let n: number = k.minimum ?? (typeof k.exclusiveMinimum === 'number' ? k.exclusiveMinimum + step : options.plausible ? 0 : 1);
  if (typeof k.maximum === 'number' && n > k.maximum) n = k.maximum;
  if (typeof k.exclusiveMaximum === 'number' && n >= k.exclusiveMaximum) n = k.exclusiveMaximum - step;
  return type === 'integer' ? Math.ceil(n) : n;
}

function stringFor(k: Record<string, any>, options: MinimalOptions, name: string | undefined): unknown {
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
  const min = Math.max(Number(k.minLength ?? 1), 1);
  const max = Number(k.maxLength ?? Infinity);
  if (options.plausible) {
    const text = (name ?? 'string').padEnd(min, 'x');
    if (text.length <= max) return text;
  }
  return 'x'.repeat(Math.min(min, max));
}

import type { ErrorObject } from 'ajv';

/**
 * Reading the spec's schemas by hand, where Ajv's yes/no is not enough: which branch of a union
 * a value was meant for (its tags), and what one schema with its `allOf` parts and `$ref`s
 * requires once flattened.
 */

export type Schema = Record<string, unknown>;

export const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Compiles one schema (with the operation's bundle); the result is cached by the caller. */
export type CompileSchema = (schema: object) => ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** What a closer look at a schema needs: a compiler for its parts and the target of a `$ref`. */
export interface SchemaTools {
  compile: CompileSchema;
  resolve(ref: string): unknown;
}

const MAX_DEPTH = 12;

/**
 * The constant values a schema allows (its `enum`s and `const`s, through refs and unions): the
 * tags, like `role: 'user'` or `type: 'message'`, that say which branch a value was meant for.
 * Undefined when the schema allows any value.
 */
export function tagValues(schema: unknown, tools: SchemaTools, depth = 0): unknown[] | undefined {
  if (!isSchema(schema) || depth > MAX_DEPTH) return undefined;
  if (typeof schema.$ref === 'string') return tagValues(tools.resolve(schema.$ref), tools, depth + 1);
  if (Array.isArray(schema.enum)) return schema.enum;
  if ('const' in schema) return [schema.const];
  const union = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(union)) {
    const all = union.map((b) => tagValues(b, tools, depth + 1));
    // A union with one unconstrained branch (other than null) constrains nothing.
    if (all.some((v, i) => v === undefined && !(isSchema(union[i]) && union[i].type === 'null'))) return undefined;
    return all.flatMap((v) => v ?? [null]);
  }
  return undefined;
}

export interface TagFit {
  /** The value's own properties whose tag the schema allows. */
  matches: number;
  /** The value's own properties whose tag the schema forbids. */
  mismatches: number;
}

/** How well a value's tags fit a schema (through `$ref`, `allOf`, and the best branch of a union). */
export function tagFit(schema: unknown, value: unknown, tools: SchemaTools, depth = 0): TagFit {
  const fit = { matches: 0, mismatches: 0 };
  if (!isSchema(schema) || !isSchema(value) || depth > MAX_DEPTH) return fit;
  const add = (other: TagFit) => {
    fit.matches += other.matches;
    fit.mismatches += other.mismatches;
  };
  if (typeof schema.$ref === 'string') add(tagFit(tools.resolve(schema.$ref), value, tools, depth + 1));
  for (const part of (schema.allOf as unknown[] | undefined) ?? []) add(tagFit(part, value, tools, depth + 1));
  const union = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(union) && union.length > 0) {
    const fits = union.map((b) => tagFit(b, value, tools, depth + 1));
    add(fits.reduce((best, f) => (f.mismatches < best.mismatches || (f.mismatches === best.mismatches && f.matches > best.matches) ? f : best)));
  }
  if (isSchema(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties)) {
      if (!(name in value)) continue;
      const allowed = tagValues(property, tools);
      if (!allowed || !allowed.some((v) => v !== null)) continue;
      if (allowed.includes(value[name])) fit.matches++;
      else fit.mismatches++;
    }
  }
  return fit;
}

/** One schema's requirements with its `$ref`s followed and its `allOf` parts merged. */
export interface FlatSchema {
  types?: string[];
  enum?: unknown[];
  const?: { value: unknown };
  properties: Map<string, Schema[]>;
  required: Set<string>;
  additionalProperties?: unknown;
  items: unknown[];
  /** Unions still to be decided, each a list of branches. */
  unions: unknown[][];
  /** Numeric and length bounds, format, pattern, example: the first seen wins. */
  keywords: Schema;
}

const BOUND_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'format', 'pattern', 'example', 'default'];

export function emptyFlat(): FlatSchema {
  return { properties: new Map(), required: new Set(), items: [], unions: [], keywords: {} };
}

export function copyFlat(flat: FlatSchema): FlatSchema {
  return {
    ...flat,
    types: flat.types && [...flat.types],
    properties: new Map([...flat.properties].map(([k, v]) => [k, [...v]])),
    required: new Set(flat.required),
    items: [...flat.items],
    unions: [...flat.unions],
    keywords: { ...flat.keywords },
  };
}

/** Merges `schema` into `into` (mutating it) and returns it. */
export function flatten(schema: unknown, tools: SchemaTools, into: FlatSchema = emptyFlat(), depth = 0): FlatSchema {
  if (!isSchema(schema) || depth > MAX_DEPTH) return into;
  if (typeof schema.$ref === 'string') flatten(tools.resolve(schema.$ref), tools, into, depth + 1);
  for (const part of (schema.allOf as unknown[] | undefined) ?? []) flatten(part, tools, into, depth + 1);
  const union = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(union) && union.length > 0) into.unions.push(union);
  if (schema.type !== undefined) {
    const types = [schema.type].flat() as string[];
    // `number` admits integers: an intersection of number and integer is integer.
    const meets = (a: string, b: string) => a === b || (a === 'number' && b === 'integer') || (a === 'integer' && b === 'number');
    into.types = into.types === undefined ? types : into.types.filter((t) => types.some((u) => meets(t, u))).map((t) => (types.includes('integer') && t === 'number' ? 'integer' : t));
  }
  if (Array.isArray(schema.enum)) into.enum = into.enum ? into.enum.filter((v) => (schema.enum as unknown[]).includes(v)) : schema.enum;
  if ('const' in schema) into.const = { value: schema.const };
  if (isSchema(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties)) {
      if (!isSchema(property)) continue;
      const list = into.properties.get(name);
      if (list) list.push(property);
      else into.properties.set(name, [property]);
    }
  }
  if (Array.isArray(schema.required)) for (const name of schema.required) into.required.add(String(name));
  if ('additionalProperties' in schema) into.additionalProperties = schema.additionalProperties;
  if (schema.items !== undefined) into.items.push(schema.items);
  for (const keyword of BOUND_KEYWORDS) if (keyword in schema && !(keyword in into.keywords)) into.keywords[keyword] = schema[keyword];
  return into;
}

/** A schema that means all of `parts` (the one part itself when there is one). */
export const allOf = (parts: readonly unknown[]): unknown => (parts.length === 1 ? parts[0] : { allOf: parts });

export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Whether a value's JSON type is one the flattened schema allows (no constraint: yes). */
export function typeAllowed(flat: FlatSchema, value: unknown): boolean {
  if (!flat.types) return true;
  const type = jsonType(value);
  return flat.types.includes(type) || (type === 'integer' && flat.types.includes('number'));
}

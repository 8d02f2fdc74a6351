import type { ErrorObject } from 'ajv';

/**
 * Reading the spec's schemas by hand, where Ajv's yes/no is not enough: following `$ref`s into an
 * operation's `__bundled__` components, the branches of a union, whether `null` is allowed, what
 * one schema with its `allOf` parts requires once flattened, and which branch of a union a value
 * was meant for (its tags, like `role: 'user'` or `type: 'message'`).
 */

export type Schema = Record<string, any>;

export const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where an operation's `$ref`s point: its `__bundled__` components (see prepare.ts). */
export const BUNDLE_REF = '#/__bundled__/';

/** The target of a `$ref`, or undefined. */
export interface RefResolver {
  resolve(ref: string): unknown;
}

/** Compiles one schema (with the operation's bundle); the result is cached by the caller. */
export type CompileSchema = (schema: object) => ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** What a closer look at a schema needs: a compiler for its parts and the target of a `$ref`. */
export interface SchemaTools extends RefResolver {
  compile: CompileSchema;
}

/** The parts of a JSON pointer (`/a/b~1c` -> `a`, `b/c`). */
export function pointerParts(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at a path of keys, or undefined. */
export function valueAt(root: unknown, parts: readonly string[]): unknown {
  let node = root;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** The schema a `#/__bundled__/...` ref names in `bundle`; undefined for any other ref. */
export function bundledTarget(ref: string, bundle: Record<string, unknown>): unknown {
  if (!ref.startsWith(BUNDLE_REF)) return undefined;
  const parts = ref
    .slice(BUNDLE_REF.length)
    .split('/')
    .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'));
  return valueAt(bundle, parts);
}

type Bundled = { __bundled__?: Record<string, unknown> };

const resolvers = new WeakMap<Bundled, RefResolver>();

/** The `$ref` resolver of one prepared operation. */
export function refsOf(operation: Bundled): RefResolver {
  let refs = resolvers.get(operation);
  if (!refs) {
    const bundle = operation.__bundled__ ?? {};
    resolvers.set(operation, (refs = { resolve: (ref) => bundledTarget(ref, bundle) }));
  }
  return refs;
}

/**
 * A schema to compile on its own: with the operation's bundle beside it for its refs, and without
 * the draft-07 `$schema` http-spec stamps on it (the document is 3.1: the schemas are 2020-12).
 */
export function withBundle(schema: object, operation: Bundled): Schema {
  return { ...withoutDialect(schema), __bundled__: operation.__bundled__ ?? {} };
}

export function withoutDialect(schema: object): Schema {
  const { $schema: _dialect, ...rest } = schema as Schema;
  return rest;
}

/** Follows `$ref`s (a few hops) to the schema they name; undefined when it cannot. */
export function deref(schema: unknown, refs: RefResolver): Schema | undefined {
  let current = schema;
  for (let hops = 0; hops < 16; hops++) {
    if (typeof current !== 'object' || current === null) return undefined;
    const ref = (current as Schema).$ref;
    if (typeof ref !== 'string') return current as Schema;
    current = refs.resolve(ref);
  }
  return undefined;
}

/** The schema's branches when it is a union. */
export function branches(schema: Schema): unknown[] | undefined {
  return Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
}

const MAX_DEPTH = 12;

/** Whether `null` is a valid value of the schema, as far as can be told without Ajv. */
export function allowsNull(schema: unknown, refs: RefResolver, depth = 0): boolean {
  const s = deref(schema, refs);
  if (!s || depth > 8) return false;
  if (s.nullable === true) return true;
  if (s.const === null) return true;
  if (Array.isArray(s.enum)) return s.enum.includes(null);
  if (s.type !== undefined) return [s.type].flat().includes('null');
  const union = branches(s);
  if (union) return union.some((branch) => allowsNull(branch, refs, depth + 1));
  return false;
}

/**
 * The properties an object schema declares, through `$ref`s and `allOf` (top level only, which is
 * how the spec composes its objects: `allOf: [ModelResponseProperties, ResponseProperties, {...}]`).
 * Undefined for unions, whose fields depend on the branch.
 */
export function objectProperties(schema: unknown, refs: RefResolver, depth = 0): Map<string, unknown> | undefined {
  const s = deref(schema, refs);
  if (!s || depth > 8 || branches(s)) return undefined;
  const out = new Map<string, unknown>();
  if (Array.isArray(s.allOf)) {
    for (const part of s.allOf) {
      const props = objectProperties(part, refs, depth + 1);
      if (!props) return undefined;
      for (const [name, value] of props) if (!out.has(name)) out.set(name, value);
    }
  }
  if (isSchema(s.properties)) for (const [name, value] of Object.entries(s.properties)) out.set(name, value);
  return out;
}

/**
 * The constant values a schema allows (its `enum`s and `const`s, through refs and unions): the
 * tags that say which branch a value was meant for. Undefined when the schema allows any value.
 */
export function tagValues(schema: unknown, refs: RefResolver, depth = 0): unknown[] | undefined {
  if (!isSchema(schema) || depth > MAX_DEPTH) return undefined;
  if (typeof schema.$ref === 'string') return tagValues(refs.resolve(schema.$ref), refs, depth + 1);
  if (Array.isArray(schema.enum)) return schema.enum;
  if ('const' in schema) return [schema.const];
  const union = branches(schema);
  if (union) {
    const all = union.map((b) => tagValues(b, refs, depth + 1));
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
export function tagFit(schema: unknown, value: unknown, refs: RefResolver, depth = 0): TagFit {
  const fit = { matches: 0, mismatches: 0 };
  if (!isSchema(schema) || !isSchema(value) || depth > MAX_DEPTH) return fit;
  const add = (other: TagFit) => {
    fit.matches += other.matches;
    fit.mismatches += other.mismatches;
  };
  if (typeof schema.$ref === 'string') add(tagFit(refs.resolve(schema.$ref), value, refs, depth + 1));
  for (const part of (schema.allOf as unknown[] | undefined) ?? []) add(tagFit(part, value, refs, depth + 1));
  const union = branches(schema);
  if (union && union.length > 0) {
    const fits = union.map((b) => tagFit(b, value, refs, depth + 1));
    add(fits.reduce((best, f) => (f.mismatches < best.mismatches || (f.mismatches === best.mismatches && f.matches > best.matches) ? f : best)));
  }
  if (isSchema(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties)) {
      if (!(name in value)) continue;
      const allowed = tagValues(property, refs);
      if (!allowed || !allowed.some((v) => v !== null)) continue;
      if (allowed.includes(value[name])) fit.matches++;
      else fit.mismatches++;
    }
  }
  return fit;
}

/** The index of the smallest rank, compared element by element (the first of equals). */
export function bestRanked(ranks: readonly (readonly number[])[]): number {
  let best = 0;
  for (let i = 1; i < ranks.length; i++) if (before(ranks[i]!, ranks[best]!)) best = i;
  return best;
}

function before(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/** Whether a union branch plainly is not the value's: its `type` tag cannot be the value's `type`. */
export function branchExcluded(branch: unknown, value: unknown, refs: RefResolver): boolean {
  if (!isSchema(branch) || !isSchema(value) || typeof value.type !== 'string') return false;
  const typeSchema = deref(branch.properties?.type, refs);
  if (!typeSchema) return false;
  if ('const' in typeSchema) return typeSchema.const !== value.type;
  if (Array.isArray(typeSchema.enum)) return !typeSchema.enum.includes(value.type);
  return false;
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
  /** Numeric and length bounds, format, pattern, examples, default: the first seen wins. */
  keywords: Schema;
}

const FIRST_WINS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'format', 'pattern', 'example', 'examples', 'default'];

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
export function flatten(schema: unknown, refs: RefResolver, into: FlatSchema = emptyFlat(), depth = 0): FlatSchema {
  if (!isSchema(schema) || depth > MAX_DEPTH) return into;
  if (typeof schema.$ref === 'string') flatten(refs.resolve(schema.$ref), refs, into, depth + 1);
  for (const part of (schema.allOf as unknown[] | undefined) ?? []) flatten(part, refs, into, depth + 1);
  const union = branches(schema);
  if (union && union.length > 0) into.unions.push(union);
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
  for (const keyword of FIRST_WINS) if (keyword in schema && !(keyword in into.keywords)) into.keywords[keyword] = schema[keyword];
  return into;
}

/** A schema that means all of `parts` (the one part itself when there is one). */
export const allOf = (parts: readonly unknown[]): unknown => (parts.length === 1 ? parts[0] : { allOf: parts });

/** The schema of a flattened object's property (its declared parts, else `additionalProperties`). */
export function propertySchema(flat: FlatSchema, name: string): unknown {
  const parts = flat.properties.get(name);
  return parts ? allOf(parts) : isSchema(flat.additionalProperties) ? flat.additionalProperties : undefined;
}

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

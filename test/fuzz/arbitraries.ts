/**
 * fast-check arbitraries made from an operation's own request schemas (refs, allOf, unions read
 * with the project's schema walker): bodies, query and path values that aim at valid, and
 * mutations that aim at invalid. Sizes are capped (depth, array lengths, string lengths, numbers)
 * so that one generated request stays small: the suite fuzzes the server's handling of requests,
 * not its patience with huge ones (the reliability suite covers those).
 */
import fc from 'fast-check';
import type { IHttpOperation } from '@stoplight/types';
import type { PreparedOperation } from '../../src/openapi/prepare';
import { allOf, copyFlat, flatten, isSchema, type FlatSchema, type SchemaTools } from '../../src/openapi/schema/walk';
import { minimalValue } from '../../src/openapi/schema/minimal-value';
import { FILE } from '../foundation/minimal-request';

const MAX_DEPTH = 5;
/** Optional properties are generated down to this depth; below it, objects hold what they require. */
const OPTIONAL_DEPTH = 3;
const MAX_EXTRA_ITEMS = 2;
const MAX_STRING = 24;
const NUMBER_CAP = 1e6;
/** Integers without a maximum stay small: `n`, `limit`, `dimensions` make answers grow with them. */
const INTEGER_CAP = 16;

type Arb = fc.Arbitrary<unknown>;

function fallback(schema: unknown, tools: SchemaTools): Arb {
  try {
    return fc.constant(minimalValue(schema, tools, { binary: FILE, nonEmptyArrays: true }));
  } catch {
    return fc.constant(null);
  }
}

export function arbitraryFor(schema: unknown, tools: SchemaTools, depth = 0): Arb {
  if (schema === true || schema === undefined) return fc.constantFrom<unknown>('x', 1, true);
  if (!isSchema(schema)) return fc.constant(null);
  if (depth > MAX_DEPTH) return fallback(schema, tools);
  return fromFlatWithUnions(flatten(schema, tools), tools, depth, 0);
}

function fromFlatWithUnions(flat: FlatSchema, tools: SchemaTools, depth: number, unionDepth: number): Arb {
  if (flat.unions.length === 0 || unionDepth > 3) return fromFlat(flat, tools, depth);
  const [union, ...rest] = flat.unions;
  const choices = union!.map((branch) => {
    const narrowed = copyFlat(flat);
    narrowed.unions = rest;
    flatten(branch, tools, narrowed);
    return narrowed;
  });
  // The null branch last and rarely: a value is what the fuzz is after.
  const weighted = choices.map((narrowed) => ({ arbitrary: fc.constant(narrowed), weight: narrowed.types?.length === 1 && narrowed.types[0] === 'null' ? 1 : 4 }));
  return fc.oneof(...weighted).chain((narrowed) => fromFlatWithUnions(narrowed, tools, depth, unionDepth + 1));
}

function numberBounds(flat: FlatSchema, integer: boolean): { min: number; max: number } {
  const k = flat.keywords;
  let min = typeof k.minimum === 'number' ? k.minimum : typeof k.exclusiveMinimum === 'number' ? k.exclusiveMinimum + (integer ? 1 : 1e-6) : integer ? 0 : -NUMBER_CAP;
  let max = typeof k.maximum === 'number' ? k.maximum : typeof k.exclusiveMaximum === 'number' ? k.exclusiveMaximum - (integer ? 1 : 1e-6) : undefined;
  if (max === undefined) max = integer ? Math.max(min, 0) + INTEGER_CAP : NUMBER_CAP;
  min = Math.max(min, -NUMBER_CAP);
  max = Math.min(max, NUMBER_CAP);
  if (integer) {
    min = Math.ceil(min);
    max = Math.floor(max);
    if (max - min > 4096) max = min + 4096;
  }
  return { min, max: Math.max(min, max) };
}

function stringArbitrary(flat: FlatSchema): Arb {
  const k = flat.keywords;
  if (k.format === 'binary') return fc.constant(FILE);
  const minLength = typeof k.minLength === 'number' ? k.minLength : 0;
  const maxLength = Math.max(minLength, Math.min(typeof k.maxLength === 'number' ? k.maxLength : MAX_STRING, minLength + MAX_STRING));
  if (typeof k.pattern === 'string') {
    // A generator for every regular expression is not the point: a documented value that fits it, else its minimal one.
    const candidates = [k.default, k.example, ...(Array.isArray(k.examples) ? k.examples : [])].filter((v) => typeof v === 'string' && safeTest(k.pattern, v));
    if (candidates.length) return fc.constantFrom(...candidates);
    try {
      return fc.stringMatching(new RegExp(k.pattern)).filter((s) => s.length >= minLength && s.length <= Math.max(maxLength, minLength + 64));
    } catch {
      return fc.constant('x');
    }
  }
  switch (k.format) {
    case 'date-time':
      return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date':
      return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'uri':
    case 'url':
      return fc.webUrl();
    case 'email':
      return fc.emailAddress();
    case 'uuid':
      return fc.uuid();
  }
  return fc.oneof(
    { arbitrary: fc.string({ minLength, maxLength }), weight: 3 },
    { arbitrary: fc.string({ minLength, maxLength, unit: 'grapheme' }), weight: 1 },
  );
}

function safeTest(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return false;
  }
}

function typesOf(flat: FlatSchema): string[] {
  if (flat.types) return flat.types;
  if (flat.properties.size > 0 || flat.required.size > 0) return ['object'];
  if (flat.items.length > 0) return ['array'];
  return ['string', 'integer', 'boolean'];
}

function fromFlat(flat: FlatSchema, tools: SchemaTools, depth: number): Arb {
  if (flat.const) return fc.constant(flat.const.value);
  if (flat.enum && flat.enum.length > 0) return fc.constantFrom(...flat.enum);
  const types = typesOf(flat);
  if (types.length === 0) return fc.constant(null);
  const nonNull = types.filter((t) => t !== 'null');
  const chosen = nonNull.length > 0 ? nonNull : types;
  const arbs = chosen.map((type) => ofType(type, flat, tools, depth));
  return arbs.length === 1 ? arbs[0]! : fc.oneof(...arbs);
}

function ofType(type: string, flat: FlatSchema, tools: SchemaTools, depth: number): Arb {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const { min, max } = numberBounds(flat, true);
      return fc.integer({ min, max });
    }
    case 'number': {
      const { min, max } = numberBounds(flat, false);
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
    }
    case 'string':
      return stringArbitrary(flat);
    case 'array': {
      const items = flat.items.length ? allOf(flat.items) : {};
      const minLength = typeof flat.keywords.minItems === 'number' ? flat.keywords.minItems : 0;
      const maxItems = typeof flat.keywords.maxItems === 'number' ? flat.keywords.maxItems : Infinity;
      const maxLength = Math.min(maxItems, minLength + (depth >= OPTIONAL_DEPTH ? 0 : MAX_EXTRA_ITEMS));
      return fc.array(arbitraryFor(items, tools, depth + 1), { minLength, maxLength: Math.max(minLength, maxLength) });
    }
    case 'object': {
      const model: Record<string, Arb> = {};
      for (const name of flat.properties.keys()) {
        if (name === '__proto__') continue;
        if (!flat.required.has(name) && depth >= OPTIONAL_DEPTH) continue;
        model[name] = arbitraryFor(allOf(flat.properties.get(name)!), tools, depth + 1);
      }
      // Required names without a declared schema get any simple value.
      for (const name of flat.required) if (!(name in model)) model[name] = fc.constant('x');
      return fc.record(model, { requiredKeys: [...flat.required].filter((name) => name in model), noNullPrototype: true });
    }
    default:
      return fc.constant(null);
  }
}

export type Mutation = { kind: string; apply(value: unknown): unknown };

/**
 * Ways to break a body that aim at an invalid request: a required field dropped or of the wrong
 * type, a value outside its enum, an unknown field where none is allowed, the wrong JSON type.
 */
export function mutationsFor(schema: unknown, tools: SchemaTools): fc.Arbitrary<Mutation> {
  const flat = isSchema(schema) ? flatten(schema, tools) : undefined;
  const required = flat ? [...flat.required] : [];
  const properties = flat ? [...flat.properties.keys()].filter((n) => n !== '__proto__') : [];
  const options: fc.Arbitrary<Mutation>[] = [
    fc.constantFrom<unknown>([], 42, 'a string', true, null).map((replacement) => ({ kind: `the body replaced by ${JSON.stringify(replacement)}`, apply: () => replacement })),
  ];
  if (required.length) {
    options.push(fc.constantFrom(...required).map((name) => ({ kind: `required '${name}' dropped`, apply: (v) => omit(v, name) })));
  }
  if (properties.length) {
    const wrong = fc.constantFrom<unknown>({ wrong: true }, [[1]], 'not-a-documented-value', -1e9, false);
    options.push(
      fc.tuple(fc.constantFrom(...properties), wrong).map(([name, replacement]) => ({
        kind: `'${name}' set to ${JSON.stringify(replacement)}`,
        apply: (v) => (isSchema(v) ? { ...v, [name]: replacement } : v),
      })),
    );
  }
  if (flat?.additionalProperties === false) {
    options.push(fc.constant({ kind: 'an unknown field', apply: (v) => (isSchema(v) ? { ...v, fuzz_unknown_field: 1 } : v) }));
  }
  return fc.oneof(...options);
}

function omit(value: unknown, name: string): unknown {
  if (!isSchema(value)) return value;
  const { [name]: _dropped, ...rest } = value;
  return rest;
}

/** Path parameter values: ids as the API makes them (a path segment the router takes as it is). */
export const pathValue = fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/);

export function requestParams(operation: PreparedOperation, tools: SchemaTools) {
  const op = operation as IHttpOperation;
  const path: Record<string, Arb> = {};
  for (const param of op.request?.path ?? []) path[param.name] = pathValue;
  const query: Record<string, Arb> = {};
  const requiredQuery: string[] = [];
  for (const param of op.request?.query ?? []) {
    if (param.name === '__proto__') continue;
    query[param.name] = arbitraryFor(param.schema ?? { type: 'string' }, tools, OPTIONAL_DEPTH);
    if (param.required) requiredQuery.push(param.name);
  }
  return fc.record({
    path: fc.record(path, { noNullPrototype: true }),
    query: fc.record(query, { requiredKeys: requiredQuery, noNullPrototype: true }),
  });
}

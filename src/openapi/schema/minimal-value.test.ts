import { getAjv } from '../../validation/ajv';
import { minimalValue } from './minimal-value';
import type { SchemaTools } from './walk';

const DEFS: Record<string, object> = {
  Comparison: { type: 'object', properties: { type: { enum: ['eq', 'ne'] }, key: { type: 'string' }, value: {} }, required: ['type', 'key', 'value'] },
  Compound: {
    type: 'object',
    properties: { type: { enum: ['and', 'or'] }, filters: { type: 'array', items: { anyOf: [{ $ref: '#/$defs/Comparison' }, { $ref: '#/$defs/Compound' }] } } },
    required: ['type', 'filters'],
  },
};

const tools: SchemaTools = {
  compile: (schema) => getAjv('json').compile({ ...schema, $defs: DEFS }),
  resolve: (ref) => DEFS[ref.replace('#/$defs/', '')],
};

const valid = (schema: object, value: unknown) => tools.compile(schema)(value);

describe('minimalValue', () => {
  test.each([
    [{ type: 'string' }, 'x'],
    [{ type: 'string', minLength: 3 }, 'xxx'],
    [{ type: 'string', format: 'date-time' }, '2025-01-01T00:00:00Z'],
    [{ type: 'integer', minimum: 5 }, 5],
    [{ type: 'number', exclusiveMinimum: 0 }, 0.5],
    [{ type: 'integer', maximum: 0 }, 0],
    [{ type: 'boolean' }, false],
    [{ enum: [null, 'auto'] }, 'auto'],
    [{ const: 'response' }, 'response'],
    [{ type: ['null', 'string'] }, 'x'],
    [{ type: 'array', items: { type: 'integer' }, minItems: 2 }, [1, 1]],
    [{ type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, required: ['b'] }, { b: 1 }],
  ])('%j -> %j', (schema, expected) => {
    expect(minimalValue(schema, tools)).toEqual(expected);
    expect(valid(schema, expected)).toBe(true);
  });

  test('allOf parts and $refs are merged', () => {
    const schema = { allOf: [{ $ref: '#/$defs/Comparison' }, { properties: { note: { type: 'string' } }, required: ['note'] }] };
    const value = minimalValue(schema, tools);
    expect(value).toEqual({ type: 'eq', key: 'x', value: 'x', note: 'x' });
    expect(valid(schema, value)).toBe(true);
  });

  test('a union narrowed by its siblings: the first branch that makes the whole valid', () => {
    const schema = {
      type: 'object',
      properties: { ids: { type: 'array', items: { type: 'string' }, minItems: 1 }, files: { type: 'array', minItems: 1, items: { type: 'string' } } },
      anyOf: [{ required: ['ids'] }, { required: ['files'] }],
    };
    const value = minimalValue(schema, tools);
    expect(value).toEqual({ ids: ['x'] });
    expect(valid(schema, value)).toBe(true);
  });

  test('recursive schemas end', () => {
    const value = minimalValue({ $ref: '#/$defs/Compound' }, tools);
    expect(value).toEqual({ type: 'and', filters: [] });
  });

  test('binary strings and non-empty arrays for forms', () => {
    const schema = { type: 'object', properties: { files: { type: 'array', items: { type: 'string', format: 'binary' } } }, required: ['files'] };
    expect(minimalValue(schema, tools, { binary: 'FILE', nonEmptyArrays: true })).toEqual({ files: ['FILE'] });
    expect(minimalValue(schema, tools)).toEqual({ files: [] });
  });
});

describe('minimalValue for a body that should read as real (preferNull, plausible)', () => {
  test('null wherever allowed, for the value and its fields, but not for array items', () => {
    const schema = {
      type: 'object',
      properties: { a: { anyOf: [{ type: 'string' }, { type: 'null' }] }, b: { type: 'string' }, c: { type: 'array', minItems: 1, items: { type: ['string', 'null'] } } },
      required: ['a', 'b', 'c'],
    };
    expect(minimalValue(schema, tools, { preferNull: true })).toEqual({ a: null, b: 'x', c: ['x'] });
    expect(minimalValue({ type: ['integer', 'null'] }, tools, { preferNull: true })).toBeNull();
  });

  test.each([
    [{ type: 'string', enum: ['queued', 'in_progress', 'completed'] }, undefined, 'completed'],
    [{ type: 'string', enum: ['queued', 'in_progress'] }, undefined, 'queued'],
    [{ type: 'string', default: 'auto' }, undefined, 'auto'],
    [{ type: 'integer', examples: [42] }, undefined, 42],
    [{ type: 'integer' }, 'usage_bytes', 0],
    [{ type: 'string' }, 'user', 'user'],
    [{ type: 'string', minLength: 5 }, 'id', 'idxxx'],
    [{ type: 'string', maxLength: 2 }, 'name', 'x'],
    [{}, 'anything', null],
  ])('plausible: %j (field %s) -> %j', (schema, name, expected) => {
    expect(minimalValue(schema, tools, { plausible: true }, name)).toEqual(expected);
  });

  test('plausible timestamps are now', () => {
    const before = Math.floor(Date.now() / 1000);
    expect(minimalValue({ type: 'integer' }, tools, { plausible: true }, 'created_at')).toBeGreaterThanOrEqual(before);
  });
});

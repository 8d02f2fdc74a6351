import { getAjv } from '../validation/ajv';
import { normalizeSpec } from './normalize';

function doc(schemas: Record<string, unknown>, paths: Record<string, unknown> = {}) {
  return { openapi: '3.1.0', info: { title: 't', version: '1' }, paths, components: { schemas } } as any;
}

describe('normalizeSpec', () => {
  test('nullable beside a type becomes a null type (and a null enum value)', () => {
    const d = doc({ A: { type: 'string', nullable: true, enum: ['a', 'b'] }, B: { type: ['integer'], nullable: true } });
    const report = normalizeSpec(d);
    expect(d.components.schemas.A).toEqual({ type: ['string', 'null'], enum: ['a', 'b', null] });
    expect(d.components.schemas.B).toEqual({ type: ['integer', 'null'] });
    expect(report.nullable).toBe(2);
  });

  test('nullable without a type wraps the schema in anyOf with null, annotations outside', () => {
    const d = doc({ Stop: { description: 'stop words', nullable: true, oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } });
    normalizeSpec(d);
    expect(d.components.schemas.Stop).toEqual({
      description: 'stop words',
      anyOf: [{ anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, { type: 'null' }],
    });
    const validate = getAjv('json').compile(d.components.schemas.Stop);
    expect([validate(null), validate('x'), validate(['x']), validate(5)]).toEqual([true, true, true, false]);
  });

  test('nullable: false is simply dropped', () => {
    const d = doc({ A: { type: 'string', nullable: false } });
    normalizeSpec(d);
    expect(d.components.schemas.A).toEqual({ type: 'string' });
  });

  test('$recursiveRef "#" points at its component', () => {
    const d = doc({
      CompoundFilter: {
        $recursiveAnchor: true,
        type: 'object',
        properties: { filters: { type: 'array', items: { oneOf: [{ $ref: '#/components/schemas/ComparisonFilter' }, { $recursiveRef: '#' }] } } },
      },
    });
    const report = normalizeSpec(d);
    const schema = d.components.schemas.CompoundFilter;
    expect(schema.$recursiveAnchor).toBeUndefined();
    expect(schema.properties.filters.items.anyOf[1]).toEqual({ $ref: '#/components/schemas/CompoundFilter' });
    expect(report.recursiveRefs).toBe(1);
  });

  test('duplicate required entries are removed', () => {
    const d = doc({ A: { type: 'object', required: ['id', 'id', 'name'] } });
    expect(normalizeSpec(d).duplicateRequired).toBe(1);
    expect(d.components.schemas.A.required).toEqual(['id', 'name']);
  });

  test('oneOf becomes anyOf (first fitting branch, as the API parses), unless anyOf is there too', () => {
    const d = doc({ A: { oneOf: [{ type: 'string' }] }, B: { oneOf: [{ type: 'string' }], anyOf: [{ type: 'string' }] } });
    expect(normalizeSpec(d).oneOfToAnyOf).toBe(1);
    expect(d.components.schemas.A).toEqual({ anyOf: [{ type: 'string' }] });
    expect(d.components.schemas.B.oneOf).toEqual([{ type: 'string' }]);
  });

  test('3.0-style boolean exclusive bounds become 2020-12 numbers', () => {
    const d = doc({
      A: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 2 },
      B: { type: 'number', maximum: 10, exclusiveMaximum: true },
      C: { type: 'number', minimum: 1, exclusiveMinimum: false },
    });
    expect(normalizeSpec(d).exclusiveBounds).toBe(3);
    expect(d.components.schemas.A).toEqual({ type: 'number', exclusiveMinimum: 0, maximum: 2 });
    expect(d.components.schemas.B).toEqual({ type: 'number', exclusiveMaximum: 10 });
    expect(d.components.schemas.C).toEqual({ type: 'number', minimum: 1 });
    const validate = getAjv('json').compile(d.components.schemas.A);
    expect([validate(0), validate(0.1), validate(2)]).toEqual([false, true, true]);
  });

  test('property names, examples, enums and extensions are data, not schemas', () => {
    const d = doc({
      A: {
        type: 'object',
        properties: { nullable: { type: 'boolean' }, oneOf: { type: 'string' } },
        example: { nullable: true, oneOf: [1] },
        'x-oaiMeta': { oneOf: [1], nullable: true },
        enum: [{ nullable: true }],
      },
    });
    normalizeSpec(d);
    expect(d.components.schemas.A.properties).toEqual({ nullable: { type: 'boolean' }, oneOf: { type: 'string' } });
    expect(d.components.schemas.A.example).toEqual({ nullable: true, oneOf: [1] });
    expect(d.components.schemas.A['x-oaiMeta']).toEqual({ oneOf: [1], nullable: true });
    expect(d.components.schemas.A.enum).toEqual([{ nullable: true }]);
  });

  test('schemas inside paths are normalised too', () => {
    const d = doc({}, { '/x': { post: { requestBody: { content: { 'application/json': { schema: { type: 'string', nullable: true } } } } } } });
    normalizeSpec(d);
    expect(d.paths['/x'].post.requestBody.content['application/json'].schema).toEqual({ type: ['string', 'null'] });
  });
});

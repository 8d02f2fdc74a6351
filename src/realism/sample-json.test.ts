/**
 * Schema sampling has a budget, as a model's output does: over random schemas (nested arrays with
 * huge minItems, huge minLength, enums, consts, refs), what is built never runs more than one
 * value past the budget, and a sample that says it is complete is valid for its schema.
 */
import fc from 'fast-check';
import Ajv2020 from 'ajv/dist/2020';
import { sampleJson } from './sample-json';

type Schema = Record<string, unknown>;

const name = fc.string({ minLength: 1, maxLength: 12 });
const atom = fc.oneof(fc.string({ maxLength: 16 }), fc.integer(), fc.boolean(), fc.constant(null));

/** Bounds drawn from small and from absurd: a model must not be made to build 10^9 of anything. */
const count = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1_000_000_000 }));

const inner = fc.letrec<{ schema: Schema }>((tie) => ({
  schema: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ type: fc.constant('string'), minLength: count }, { requiredKeys: ['type'] }),
    fc.tuple(count, count).map(([a, b]) => ({ type: 'string', minLength: Math.min(a, b), maxLength: Math.max(a, b) })),
    fc.record({ type: fc.constantFrom('integer', 'number'), minimum: fc.integer({ min: -1e9, max: 1e9 }) }, { requiredKeys: ['type'] }),
    fc.constant({ type: 'boolean' }),
    fc.constant({ type: 'null' }),
    atom.map((value) => ({ const: value })),
    fc.array(atom, { minLength: 1, maxLength: 4 }).map((values) => ({ enum: values })),
    fc.tuple(tie('schema'), count, fc.option(count, { nil: undefined })).map(([items, minItems, extra]) => {
      const schema: Schema = { type: 'array', items, minItems };
      if (extra !== undefined) schema.maxItems = Math.max(minItems, extra);
      return schema;
    }),
    fc.dictionary(name, tie('schema'), { maxKeys: 4 }).map((properties) => ({ type: 'object', properties })),
    fc.array(tie('schema'), { minLength: 1, maxLength: 3 }).map((branches) => ({ anyOf: branches })),
  ),
})).schema;

/** Schemas as a request gives them, some with `$defs` that properties refer to (refs resolve from the root). */
const rootSchemas = fc.oneof(
  inner,
  fc.tuple(inner, fc.integer({ min: 1, max: 3 })).map(([target, uses]) => ({
    $defs: { target },
    type: 'object',
    properties: Object.fromEntries(Array.from({ length: uses }, (_, i) => [`p${i}`, { $ref: '#/$defs/target' }])),
  })),
);

const budgets = fc.integer({ min: 0, max: 200_000 });

/** The largest single value a schema can make the sampler emit at once beyond the budget. */
function largestAtom(schema: unknown): number {
  let largest = 64;
  const walk = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    const s = node as Schema;
    if ('const' in s) largest = Math.max(largest, JSON.stringify(s.const).length);
    if (Array.isArray(s.enum)) largest = Math.max(largest, JSON.stringify(s.enum[0]).length);
    for (const value of Object.values(s)) {
      if (typeof value === 'object' && value !== null) {
        if (!Array.isArray(value)) for (const key of Object.keys(value)) largest = Math.max(largest, JSON.stringify(key).length + 12);
        walk(value);
      }
    }
  };
  walk(schema);
  return largest;
}

const ajv = new Ajv2020({ strict: false, allErrors: false });

test('what is built stays within the budget, whatever the schema asks for', () => {
  fc.assert(
    fc.property(rootSchemas, budgets, (schema, budget) => {
      const { value } = sampleJson(schema, budget);
      const text = JSON.stringify(value) ?? 'null';
      // A JSON text of nesting depth d closes d brackets more than were charged: at most 11.
      expect(text.length).toBeLessThanOrEqual(budget + largestAtom(schema) + 2 * 11);
    }),
    { numRuns: 400 },
  );
});

test('a sample that says it is complete is valid for its schema and within the budget', () => {
  fc.assert(
    fc.property(rootSchemas, budgets, (schema, budget) => {
      const { value, complete } = sampleJson(schema, budget);
      if (!complete) return;
      expect(JSON.stringify(value).length).toBeLessThanOrEqual(budget);
      const validate = ajv.compile(schema);
      // The sampler takes the first branch of a union and the first enum value: still valid.
      expect(validate(value)).toBe(true);
    }),
    { numRuns: 400 },
  );
});

test('the issue\'s schemas: 10^9 nested items and a 10^9-character string cost the budget', () => {
  const nested = { type: 'array', minItems: 1000, items: { type: 'array', minItems: 1000, items: { type: 'array', minItems: 1000, items: { type: 'string' } } } };
  const tool = sampleJson({ type: 'object', properties: { a: nested } }, 4096);
  expect(tool.complete).toBe(false);
  expect(JSON.stringify(tool.value).length).toBeLessThan(4096 + 64);
  const long = sampleJson({ type: 'object', properties: { s: { type: 'string', minLength: 1_000_000_000 } } }, 4096);
  expect(long.complete).toBe(false);
  expect(JSON.stringify(long.value).length).toBeLessThan(4096 + 64);
  const small = sampleJson({ type: 'object', properties: { city: { type: 'string' }, days: { type: 'array', items: { type: 'integer', minimum: 1 } } } }, 4096);
  expect(small).toEqual({ value: { city: 'example city', days: [1] }, complete: true });
});

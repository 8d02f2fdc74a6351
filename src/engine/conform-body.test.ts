import { getAjv } from '../validation/ajv';
import type { SchemaTools } from '../validation/schema-walk';
import { conformToSchema } from './conform-body';

const DEFS: Record<string, object> = {
  OutputText: {
    type: 'object',
    properties: { type: { type: 'string', enum: ['output_text'] }, text: { type: 'string' }, annotations: { type: 'array', items: {} } },
    required: ['type', 'text', 'annotations'],
  },
  Refusal: { type: 'object', properties: { type: { const: 'refusal' }, refusal: { type: 'string' } }, required: ['type', 'refusal'] },
  Message: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      type: { type: 'string', enum: ['message'] },
      content: { type: 'array', items: { anyOf: [{ $ref: '#/$defs/OutputText' }, { $ref: '#/$defs/Refusal' }] } },
    },
    required: ['id', 'type', 'content'],
  },
};

const tools: SchemaTools = {
  compile: (schema) => getAjv('json').compile({ ...schema, $defs: DEFS }),
  resolve: (ref) => DEFS[ref.replace('#/$defs/', '')],
};

const RESPONSE = {
  type: 'object',
  properties: {
    object: { type: 'string', enum: ['response'] },
    created_at: { type: 'integer' },
    user: { type: 'string' },
    instructions: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    temperature: { type: 'number', minimum: 0, maximum: 2 },
    output: { type: 'array', items: { $ref: '#/$defs/Message' } },
    tags: { type: 'array', items: { type: 'string' }, minItems: 1 },
  },
  required: ['object', 'created_at', 'output', 'temperature'],
};

const conform = (value: unknown) => conformToSchema(value, RESPONSE, tools);

describe('conformToSchema', () => {
  test('a valid body is returned as it is (the same object)', () => {
    const body = { object: 'response', created_at: 1, output: [], temperature: 1 };
    expect(conform(body)).toBe(body);
  });

  test('an optional value of the wrong type is dropped; nulls that are allowed stay', () => {
    expect(conform({ object: 'response', created_at: 1, output: [], temperature: 1, user: null, instructions: null })).toEqual({
      object: 'response',
      created_at: 1,
      output: [],
      temperature: 1,
      instructions: null,
    });
  });

  test('a required value of the wrong type, or out of range, becomes the smallest valid one', () => {
    expect(conform({ object: 'response', created_at: 'soon', output: [], temperature: 7 })).toEqual({
      object: 'response',
      created_at: 1,
      output: [],
      temperature: 0,
    });
  });

  test('missing required properties are added deep inside, the rest of the body kept', () => {
    const body = {
      object: 'response',
      created_at: 5,
      temperature: 1,
      output: [{ type: 'message', content: [{ type: 'output_text', text: 'Hello' }, { type: 'refusal' }] }],
    };
    expect(conform(body)).toEqual({
      object: 'response',
      created_at: 5,
      temperature: 1,
      output: [{ id: 'x', type: 'message', content: [{ type: 'output_text', text: 'Hello', annotations: [] }, { type: 'refusal', refusal: 'x' }] }],
    });
  });

  test('arrays are brought to their minimum length', () => {
    expect(conform({ object: 'response', created_at: 1, output: [], temperature: 1, tags: [] })).toMatchObject({ tags: ['x'] });
  });

  test('whatever comes out validates', () => {
    const validate = tools.compile(RESPONSE);
    for (const body of [null, 'text', [], {}, { output: 'none' }, { object: 'list', output: [{ content: [{}] }] }]) {
      expect(validate(conform(body))).toBe(true);
    }
  });
});

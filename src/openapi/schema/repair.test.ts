import { getAjv } from '../../validation/ajv';
import type { SchemaTools } from './walk';
import { conformToSchema, repairBody } from './repair';

const DEFS: Record<string, object> = {
  OutputText: {
    type: 'object',
    properties: { type: { type: 'string', enum: ['output_text'] }, text: { type: 'string' }, annotations: { type: 'array', items: {} } },
    required: ['type', 'text', 'annotations'],
  },
  Refusal: { type: 'object', properties: { type: { const: 'refusal' }, refusal: { type: 'string' } }, required: ['type', 'refusal'] },
  FunctionCall: {
    type: 'object',
    properties: { type: { const: 'function_call' }, call_id: { type: 'string' }, name: { type: 'string' }, arguments: { type: 'string' } },
    required: ['type', 'call_id', 'name', 'arguments'],
  },
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

  test('missing required properties are added deep inside (named after their field), the rest of the body kept', () => {
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
      output: [{ id: 'id', type: 'message', content: [{ type: 'output_text', text: 'Hello', annotations: [] }, { type: 'refusal', refusal: 'refusal' }] }],
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

const LIST = {
  type: 'object',
  properties: {
    object: { const: 'list' },
    data: { type: 'array', items: { anyOf: [{ $ref: '#/$defs/Message' }, { $ref: '#/$defs/FunctionCall' }] } },
    status: { type: 'string', enum: ['queued', 'in_progress', 'completed'] },
    expires_at: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
    created_at: { type: 'integer' },
    note: { type: 'string' },
    temperature: { type: 'number', maximum: 2 },
  },
  required: ['object', 'data', 'status', 'expires_at', 'created_at'],
  additionalProperties: false,
};

describe('repairBody (the smallest edits, for documented examples)', () => {
  const validate = tools.compile(LIST);
  const repair = (body: unknown) => repairBody(body, validate, tools);

  test('a valid body is returned as it is (the same object)', () => {
    const body = { object: 'list', data: [], status: 'queued', expires_at: 1, created_at: 1 };
    expect(repair(body)).toBe(body);
  });

  test('missing required fields: null where allowed, else a value that reads as real; optional nulls and undeclared fields dropped', () => {
    const before = Math.floor(Date.now() / 1000);
    const body = { object: 'list', data: [], note: null, extra: 1 };
    const repaired = repair(body) as Record<string, unknown>;
    expect(repaired).toEqual({ object: 'list', data: [], status: 'completed', expires_at: null, created_at: expect.any(Number) });
    expect(repaired.created_at).toBeGreaterThanOrEqual(before);
    expect(body).toEqual({ object: 'list', data: [], note: null, extra: 1 });
  });

  test("a union branch whose `type` tag cannot match is not the value's: a function call gets no message fields", () => {
    const body = { object: 'list', data: [{ type: 'function_call', call_id: 'call_1', name: 'f' }], status: 'queued', expires_at: null, created_at: 1 };
    expect(repair(body)).toEqual({ ...body, data: [{ type: 'function_call', call_id: 'call_1', name: 'f', arguments: 'arguments' }] });
  });

  test('a value of the wrong type is replaced as a last resort', () => {
    const body = { object: 'list', data: [], status: 'queued', expires_at: null, created_at: 'yesterday' };
    expect(repair(body)).toEqual({ ...body, created_at: expect.any(Number) });
  });

  test('undefined when the smallest edits are not enough (a bound broken); conformToSchema still gets a valid body', () => {
    const body = { object: 'list', data: [], status: 'queued', expires_at: null, created_at: 1, temperature: 7 };
    expect(repair(body)).toBeUndefined();
    const conformed = conformToSchema(body, LIST, tools);
    expect(validate(conformed)).toBe(true);
    expect(conformed).toEqual({ object: 'list', data: [], status: 'queued', expires_at: null, created_at: 1 });
  });
});

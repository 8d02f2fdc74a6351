import { getAjv } from './ajv';
import { describeErrors, paramName } from './describe-errors';
import type { SchemaTools } from '../openapi/schema/walk';

const DEFS: Record<string, object> = {
  UserMessage: {
    type: 'object',
    properties: { role: { type: 'string', enum: ['user'] }, content: { type: 'string' }, name: { type: 'string' } },
    required: ['role', 'content'],
  },
  AssistantMessage: {
    type: 'object',
    properties: { role: { type: 'string', enum: ['assistant'] }, content: { anyOf: [{ type: 'string' }, { type: 'null' }] } },
    required: ['role'],
  },
  ItemReference: { type: 'object', properties: { type: { type: 'string', enum: ['item_reference'] }, id: { type: 'string' } }, required: ['id'] },
};

const tools: SchemaTools = {
  compile: (schema) => getAjv('json').compile({ ...schema, $defs: DEFS }),
  resolve: (ref) => DEFS[ref.replace('#/$defs/', '')],
};

const REQUEST = {
  type: 'object',
  properties: {
    model: { type: 'string' },
    messages: { type: 'array', minItems: 1, items: { anyOf: [{ $ref: '#/$defs/UserMessage' }, { $ref: '#/$defs/AssistantMessage' }] } },
    input: { type: 'array', items: { anyOf: [{ $ref: '#/$defs/ItemReference' }, { $ref: '#/$defs/UserMessage' }] } },
    temperature: { type: 'number', minimum: 0, maximum: 2 },
    n: { type: 'integer', minimum: 1, maximum: 128 },
    encoding_format: { type: 'string', enum: ['float', 'base64'] },
    stop: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 4 }, { type: 'null' }] },
    user: { type: 'string', maxLength: 8 },
  },
  required: ['model', 'messages'],
  additionalProperties: false,
};

function problemOf(body: unknown) {
  const validate = tools.compile(REQUEST);
  expect(validate(body)).toBe(false);
  return describeErrors(validate.errors ?? [], body, undefined, tools);
}

const chat = (extra: object) => ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('paramName', () => {
  test.each([
    ['', null],
    ['/model', 'model'],
    ['/messages/0/role', 'messages[0].role'],
    ['/input/2/content/0/text', 'input[2].content[0].text'],
    ['/a~1b/c~0d', 'a/b.c~d'],
  ])('%j -> %j', (pointer, expected) => {
    expect(paramName(pointer)).toBe(expected);
  });
});

describe('describeErrors', () => {
  test('a missing required parameter', () => {
    expect(problemOf({ messages: [{ role: 'user', content: 'x' }] })).toEqual({
      message: "Missing required parameter: 'model'.",
      param: 'model',
      code: 'missing_required_parameter',
    });
  });

  test('the outermost type error wins over what it causes below', () => {
    expect(problemOf({ model: 'm', messages: 'hi' })).toEqual({
      message: "Invalid type for 'messages': expected an array, but got a string instead.",
      param: 'messages',
      code: 'invalid_type',
    });
  });

  test('an unknown tag: every branch of the union is named', () => {
    expect(problemOf({ model: 'm', messages: [{ role: 'bot', content: 'x' }] })).toEqual({
      message: "Invalid value: 'bot'. Supported values are: 'user' and 'assistant'.",
      param: 'messages[0].role',
      code: 'invalid_value',
    });
  });

  test('a known tag: the error is the one of the branch the tag names', () => {
    expect(problemOf({ model: 'm', messages: [{ role: 'user', content: 5 }] })).toMatchObject({ param: 'messages[0].content', code: 'invalid_type' });
    expect(problemOf({ model: 'm', messages: [{ role: 'user' }] })).toMatchObject({
      param: 'messages[0].content',
      code: 'missing_required_parameter',
    });
  });

  test('a branch whose tag the value carries is preferred over one with fewer complaints', () => {
    // As ItemReference, the value lacks only `id`; but its role says it is a UserMessage.
    expect(problemOf(chat({ input: [{ role: 'user', content: 42 }] }))).toMatchObject({ param: 'input[0].content', code: 'invalid_type' });
  });

  test('a value no branch takes: the types of all branches are named', () => {
    expect(problemOf(chat({ stop: 5 }))).toEqual({
      message: "Invalid type for 'stop': expected one of a string or an array, but got an integer instead.",
      param: 'stop',
      code: 'invalid_type',
    });
  });

  test('enum values, two and more', () => {
    expect(problemOf(chat({ encoding_format: 'hex' })).message).toBe("Invalid value: 'hex'. Supported values are: 'float' and 'base64'.");
  });

  test('numbers out of range, in OpenAI words', () => {
    expect(problemOf(chat({ temperature: 5 }))).toEqual({
      message: "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 5 instead.",
      param: 'temperature',
      code: 'decimal_above_max_value',
    });
    expect(problemOf(chat({ n: 0 }))).toEqual({
      message: "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead.",
      param: 'n',
      code: 'integer_below_min_value',
    });
  });

  test('lengths, in OpenAI words', () => {
    expect(problemOf({ model: 'm', messages: [] })).toEqual({
      message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      param: 'messages',
      code: 'empty_array',
    });
    expect(problemOf(chat({ user: 'x'.repeat(10) }))).toEqual({
      message: "Invalid 'user': string too long. Expected a string with maximum length 8, but got a string with length 10 instead.",
      param: 'user',
      code: 'string_above_max_length',
    });
  });

  test('an unknown parameter', () => {
    expect(problemOf(chat({ colour: 'red' }))).toEqual({
      message: 'Unrecognized request argument supplied: colour',
      param: 'colour',
      code: 'unknown_parameter',
    });
  });

  test('a body of the wrong type names no parameter', () => {
    expect(problemOf([1, 2])).toMatchObject({ param: null, code: 'invalid_type' });
  });

  test('no errors at all still gives a message', () => {
    expect(describeErrors([], {})).toMatchObject({ param: null });
  });
});

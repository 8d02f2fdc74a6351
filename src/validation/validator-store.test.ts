import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileValidator } from './validator-store';

const schema = {
  type: 'object',
  required: ['model', 'messages'],
  properties: {
    model: { type: 'string' },
    messages: { type: 'array', minItems: 1, items: { anyOf: [{ $ref: '#/__bundled__/User' }, { $ref: '#/__bundled__/System' }] } },
  },
  __bundled__: {
    User: { type: 'object', required: ['role', 'content'], properties: { role: { enum: ['user'] }, content: { type: 'string' } } },
    System: { type: 'object', required: ['role', 'content'], properties: { role: { enum: ['system'] }, content: { type: 'string' } } },
  },
};

const good = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const bad = { model: 'm', messages: [{ role: 'bot', content: 'hi' }] };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'openai-mock-validators-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a compiled validator is stored, and a later compile loads it with the same verdicts and errors', () => {
  const compiled = compileValidator('json', schema, { dir }, 'op.body.application/json');
  expect(readdirSync(dir)).toEqual(['json-op.body.application_json.js']);
  const loaded = compileValidator('json', { ...schema }, { dir }, 'op.body.application/json');
  expect(loaded).not.toBe(compiled);
  for (const validate of [compiled, loaded]) {
    expect(validate(good)).toBe(true);
    expect(validate(bad)).toBe(false);
  }
  compiled(bad);
  loaded(bad);
  const shape = (errors: typeof compiled.errors) => errors?.map((e) => [e.instancePath, e.keyword, e.params]);
  expect(shape(loaded.errors)).toEqual(shape(compiled.errors));
  // Unions keep their branches on the error, for describe-errors to examine.
  expect(Array.isArray(loaded.errors?.find((e) => e.keyword === 'anyOf')?.schema)).toBe(true);
});

test('an unreadable stored file is compiled again and replaced', () => {
  writeFileSync(path.join(dir, 'json-op.js'), 'this is not javascript (');
  const validate = compileValidator('json', schema, { dir }, 'op');
  expect(validate(good)).toBe(true);
  expect(validate(bad)).toBe(false);
  expect(compileValidator('json', schema, { dir }, 'op')(good)).toBe(true);
});

test('without a store nothing is written', () => {
  compileValidator('json', schema, undefined, 'op');
  expect(readdirSync(dir)).toEqual([]);
});

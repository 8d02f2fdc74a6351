/**
 * Default bodies are chosen when the spec is prepared, with Ajv, and cached with the operations:
 * a start from the cache finds them there and compiles nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { loadSpec } from '../../src/openapi/load-spec';
import { locateSpec } from '../../src/openapi/locate';
import { SPEC } from '../helpers/server';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openai-mock-realism-'));
});

afterAll(async () => {
  jest.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

test('a cold start chooses documented examples with Ajv; a warm start reads them from the cache without compiling', async () => {
  const location = locateSpec({ flag: SPEC, env: process.env.OPENAI_MOCK_SPEC, cwd: process.cwd() });
  const calls = [
    jest.spyOn(Ajv2020.prototype, 'compile'),
    jest.spyOn(Ajv2020.prototype, 'getSchema'),
    jest.spyOn(Ajv2020.prototype, 'addSchema'),
  ];
  const count = () => calls.reduce((sum, spy) => sum + spy.mock.calls.length, 0);

  const cold = await loadSpec(location, { dir });
  expect(cold.fromCache).toBe(false);
  expect(count()).toBeGreaterThan(100);
  const chat = cold.spec.defaultBodies.createChatCompletion!;
  expect(chat.source).toBe('Default');
  expect((chat.body as { object: string }).object).toBe('chat.completion');
  expect(cold.spec.defaultBodiesReport.chosen + cold.spec.defaultBodiesReport.repaired).toBe(Object.keys(cold.spec.defaultBodies).length);

  for (const spy of calls) spy.mockClear();
  const warm = await loadSpec(location, { dir });
  expect(warm.fromCache).toBe(true);
  expect(count()).toBe(0);
  expect(warm.spec.defaultBodies).toEqual(cold.spec.defaultBodies);
});

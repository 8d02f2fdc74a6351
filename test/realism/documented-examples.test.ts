/**
 * The documented examples chosen at prepare time are valid default bodies. (That every answer
 * that reaches a client, after reflection and the id, time and model-output edits, is valid is
 * checked over HTTP for every operation by test/foundation/every-operation.test.ts.)
 */
import type { PreparedSpec } from '../../src/openapi/prepare';
import type { ResponseSchemas } from '../../src/openapi/default-bodies';
import { preparedSpec, responseSchemas, successChecker } from './support';

let spec: PreparedSpec;
let schemas: ResponseSchemas;

beforeAll(async () => {
  spec = await preparedSpec();
  schemas = responseSchemas(spec);
});

afterAll(() => {
  schemas?.dispose();
});

test('documented examples are the default bodies: chosen at prepare time for most operations', () => {
  const chosen = Object.keys(spec.defaultBodies);
  expect(chosen.length).toBeGreaterThan(200);
  expect(spec.defaultBodies.createChatCompletion?.source).toBe('Default');
  for (const iid of chosen) {
    const operation = spec.operations.find((o) => o.iid === iid)!;
    expect(successChecker(schemas, operation)?.validate(spec.defaultBodies[iid]!.body)).toBeUndefined();
  }
});

/**
 * Every operation with a JSON success answer, through the realism step: the smallest valid
 * request gets a body that validates against the operation's response schema, whether it came
 * from a documented example, a repaired one, or the engine, after reflection and the id, time and
 * model-output edits. Failures are listed together (operationId: reason).
 */
import type { MockServer } from '../../src';
import type { PreparedSpec } from '../../src/spec/prepare';
import type { ResponseSchemas } from '../../src/realism/default-bodies';
import { successJson } from '../../src/realism/default-bodies';
import { startMock } from '../helpers/server';
import { minimalRequest } from '../foundation/minimal-request';
import { preparedSpec, responseSchemas, successChecker } from './support';

let mock: MockServer;
let spec: PreparedSpec;
let schemas: ResponseSchemas;

beforeAll(async () => {
  mock = await startMock();
  spec = await preparedSpec();
  schemas = responseSchemas(spec);
});

afterAll(async () => {
  schemas?.dispose();
  await mock?.close();
});

test('every 2xx JSON default body validates against its response schema', async () => {
  const failures: string[] = [];
  let checked = 0;
  for (const operation of spec.operations) {
    const success = successJson(operation);
    if (!success) continue;
    const request = minimalRequest(operation);
    const response = await fetch(mock.url + request.url, { method: request.method, headers: request.headers, body: request.body });
    const text = await response.text();
    const where = `${operation.iid} (${request.method} ${request.url})`;
    if (String(response.status) !== success.response.code) {
      failures.push(`${where}: status ${response.status}: ${text.slice(0, 200)}`);
      continue;
    }
    if (!(response.headers.get('content-type') ?? '').includes('json')) continue;
    let checker;
    try {
      checker = successChecker(schemas, operation);
    } catch (error) {
      failures.push(`${where}: the response schema does not compile: ${(error as Error).message}`);
      continue;
    }
    const problem = checker?.validate(JSON.parse(text));
    if (problem) failures.push(`${where}: ${problem}`);
    checked++;
  }
  expect(failures).toEqual([]);
  // The spec has about 280 such operations; a walk that checks few of them checks nothing.
  expect(checked).toBeGreaterThan(200);
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

/**
 * Every request schema (body, query, path) and every 2xx response schema of the spec compiles
 * with the project's Ajv. Prism skips validation silently when a schema fails to compile; this
 * server would answer 500, so a failure here is a route that cannot be served.
 */
import type { IHttpOperation } from '@stoplight/types';
import { loadSpec } from '../../src/openapi/load-spec';
import { locateSpec } from '../../src/openapi/locate';
import { defaultCacheDir } from '../../src/openapi/cache';
import type { PreparedOperation } from '../../src/openapi/prepare';
import { getAjv } from '../../src/validation/ajv';
import { compileChecks } from '../../src/validation/request-validator';
import { withBundle } from '../../src/openapi/schema/walk';
import { SPEC } from '../helpers/server';

let operations: PreparedOperation[];

beforeAll(async () => {
  const location = locateSpec({ flag: SPEC, env: process.env.OPENAI_MOCK_SPEC, cwd: process.cwd() });
  operations = (await loadSpec(location, { dir: process.env.OPENAI_MOCK_CACHE_DIR || defaultCacheDir() })).spec.operations;
});

function attempt(failures: string[], label: string, compile: () => unknown) {
  try {
    compile();
  } catch (error) {
    failures.push(`${label}: ${(error as Error).message.split('\n')[0]}`);
  }
}

test('every request schema compiles (bodies, query and path parameters)', () => {
  const failures: string[] = [];
  let bodies = 0;
  for (const operation of operations) {
    // The server's own compile step: path, query, and one validator per body media type.
    attempt(failures, `${operation.iid} ${operation.method.toUpperCase()} ${operation.path}`, () => {
      bodies += compileChecks(operation).bodies.size;
    });
  }
  expect(bodies).toBeGreaterThan(100);
  expect(`${failures.length} failed:\n${failures.join('\n')}`).toBe('0 failed:\n');
});

test('every 2xx response schema compiles', () => {
  const failures: string[] = [];
  let schemas = 0;
  for (const operation of operations) {
    for (const response of (operation as IHttpOperation).responses) {
      if (!/^2\d\d$/.test(response.code)) continue;
      for (const content of response.contents ?? []) {
        if (!content.schema) continue;
        schemas++;
        attempt(failures, `${operation.iid} ${response.code} ${content.mediaType}`, () =>
          getAjv('json').compile(withBundle(content.schema!, operation)),
        );
      }
    }
  }
  expect(schemas).toBeGreaterThan(250);
  expect(`${failures.length} failed:\n${failures.join('\n')}`).toBe('0 failed:\n');
});

test('a schema that does not compile is reported, not skipped (the check can fail)', () => {
  const broken = { type: 'object', properties: { n: { type: 'number', minimum: 0, exclusiveMinimum: true } } };
  const failures: string[] = [];
  attempt(failures, 'broken', () => getAjv('json').compile(broken));
  expect(failures).toEqual([expect.stringMatching(/^broken: .*exclusiveMinimum/)]);
});

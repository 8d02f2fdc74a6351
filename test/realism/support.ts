/**
 * Shared by the realism suites: the prepared spec, and response validators compiled the way the
 * server's preparation compiles them. The smallest valid request of an operation is the
 * foundation suite's (`minimalRequest` in test/foundation/minimal-request.ts).
 */
import type { ValidateFunction } from 'ajv';
import { loadSpec } from '../../src/openapi/load-spec';
import { locateSpec } from '../../src/openapi/locate';
import { defaultCacheDir } from '../../src/openapi/cache';
import type { PreparedOperation, PreparedSpec } from '../../src/openapi/prepare';
import { ResponseSchemas, scratchAjv, successJson } from '../../src/openapi/default-bodies';
import type OpenAI from 'openai';
import type { MockServer } from '../../src';
import { SPEC, sdk, startMock } from '../helpers/server';

export async function preparedSpec(): Promise<PreparedSpec> {
  const location = locateSpec({ flag: SPEC, env: process.env.OPENAI_MOCK_SPEC, cwd: process.cwd() });
  const loaded = await loadSpec(location, { dir: process.env.OPENAI_MOCK_CACHE_DIR || defaultCacheDir() });
  return loaded.spec;
}

export interface BodyCheck {
  validate(body: unknown): string | undefined;
}

/** A checker of an operation's default success JSON body; undefined when it has none. */
export function successChecker(schemas: ResponseSchemas, operation: PreparedOperation): BodyCheck | undefined {
  const success = successJson(operation);
  if (!success) return undefined;
  const validate: ValidateFunction | undefined = schemas.validator(operation, success.response.code, success.mediaType);
  if (!validate) return undefined;
  return {
    validate(body) {
      if (validate(body)) return undefined;
      return (validate.errors ?? [])
        .filter((e) => !['anyOf', 'oneOf', 'if'].includes(e.keyword))
        .slice(0, 4)
        .map((e) => `${e.instancePath || '/'} ${e.message}`)
        .join('; ');
    },
  };
}

export function responseSchemas(spec: PreparedSpec): ResponseSchemas {
  return new ResponseSchemas(scratchAjv(), spec.operations);
}

/**
 * A suite's server, SDK client and the spec's response checkers, started before its tests and
 * stopped after; `expectValid` checks an answer against its operation's success schema.
 */
export function mockWithSchemas() {
  const suite = {} as { mock: MockServer; client: OpenAI; spec: PreparedSpec; schemas: ResponseSchemas };
  beforeAll(async () => {
    suite.mock = await startMock();
    suite.client = sdk(suite.mock);
    suite.spec = await preparedSpec();
    suite.schemas = responseSchemas(suite.spec);
  });
  afterAll(async () => {
    suite.schemas?.dispose();
    await suite.mock?.close();
  });
  const expectValid = (operationId: string, body: unknown): void => {
    const operation = suite.spec.operations.find((o) => o.iid === operationId)!;
    expect(successChecker(suite.schemas, operation)!.validate(JSON.parse(JSON.stringify(body)))).toBeUndefined();
  };
  return { suite, expectValid };
}

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
import { ResponseSchemas, scratchAjv, successJson } from '../../src/realism/default-bodies';
import { SPEC } from '../helpers/server';

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

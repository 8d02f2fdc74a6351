import type { ValidateFunction } from 'ajv';
import type { Exchange, MockResponse } from '../pipeline/types';
import type { PreparedOperation } from '../openapi/prepare';
import { findResponse } from '../engine/negotiate';
import { getAjv, takeErrors } from '../validation/ajv';
import { withBundle } from '../openapi/schema/walk';
import { describeErrors } from '../validation/describe-errors';

/**
 * An override's body is sent as the user wrote it, but one that the spec's response schema would
 * reject is drift from the real API: say so, naming the field. Validators compile on first use,
 * once per operation and status.
 */

const validators = new WeakMap<PreparedOperation, Map<string, ValidateFunction | null>>();

function validatorFor(operation: PreparedOperation, status: number): ValidateFunction | null {
  let byStatus = validators.get(operation);
  if (!byStatus) validators.set(operation, (byStatus = new Map()));
  const key = String(status);
  if (byStatus.has(key)) return byStatus.get(key)!;
  const schema = findResponse(operation, status)?.contents?.find((c) => c.mediaType === 'application/json')?.schema;
  let validate: ValidateFunction | null = null;
  if (schema) {
    try {
      validate = getAjv('json').compile(withBundle(schema, operation));
    } catch {
      // A schema Ajv cannot compile cannot judge the body either.
      validate = null;
    }
  }
  byStatus.set(key, validate);
  return validate;
}

const isJsonBody = (body: unknown) =>
  typeof body === 'object' && body !== null && !Buffer.isBuffer(body) && !(Symbol.asyncIterator in body) && !ArrayBuffer.isView(body);

/** The problem with a 2xx JSON body, or undefined when it fits the spec (or cannot be judged). */
export function responseProblem(exchange: Exchange, response: MockResponse): string | undefined {
  if (response.status < 200 || response.status > 299 || !isJsonBody(response.body)) return undefined;
  const type = response.headers['content-type'] ?? exchange.responseMediaType;
  if (!/json/i.test(type)) return undefined;
  const validate = validatorFor(exchange.operation, response.status);
  if (!validate || validate(response.body)) return undefined;
  const problem = describeErrors(takeErrors(validate), response.body);
  return problem.param ? `at \`${problem.param}\`: ${problem.message}` : problem.message;
}

import type { ValidateFunction } from 'ajv';
import { getAjv, takeErrors } from '../validation/ajv';
import { describeErrors } from '../validation/describe-errors';
import { compileValidator, type ValidatorStore } from '../validation/validator-store';
import { refsOf, withBundle, type SchemaTools } from '../openapi/schema/walk';
import type { RealtimeEventSchemas } from './spec';

/** What the API's `error` event says of a client event it refuses. */
export interface EventProblem {
  code: string;
  message: string;
  param: string | null;
}

export interface ClientEvent {
  type: string;
  event_id?: string;
  [key: string]: unknown;
}

export type Checked = { event: ClientEvent } | { problem: EventProblem; eventId?: string };

/**
 * Checks client events against the spec's schemas, each type's validator compiled on its first
 * use and kept (on disk too, with the request validators: a start from the cache compiles none):
 * a session of a thousand appends compiles one.
 */
export function createEventChecker(schemas: RealtimeEventSchemas | undefined, store?: ValidatorStore) {
  const compiled = new Map<string, ValidateFunction>();
  const byType = schemas?.byType ?? {};
  const bundle = { __bundled__: schemas?.__bundled__ ?? {} };
  const tools: SchemaTools = {
    compile: (schema) => getAjv('json').compile(withBundle(schema, bundle)),
    resolve: refsOf(bundle).resolve,
  };
  const known = Object.keys(byType).sort();

  const validatorOf = (type: string): ValidateFunction | undefined => {
    let validate = compiled.get(type);
    if (!validate && byType[type]) {
      validate = compileValidator('json', withBundle({ $ref: `#/__bundled__/${byType[type]}` }, bundle), store, `realtime.${byType[type]}`);
      compiled.set(type, validate);
    }
    return validate;
  };

  return function check(text: string): Checked {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { problem: { code: 'invalid_json', message: `The server could not parse the event as JSON: ${(error as Error).message}`, param: null } };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { problem: { code: 'invalid_event', message: 'An event must be a JSON object.', param: null } };
    }
    const record = value as Record<string, unknown>;
    const eventId = typeof record.event_id === 'string' ? record.event_id : undefined;
    if (record.type === undefined) return { problem: { code: 'invalid_event', message: "The 'type' field is missing.", param: null }, eventId };
    if (typeof record.type !== 'string' || !byType[record.type]) {
      return {
        problem: {
          code: 'invalid_value',
          message: `Invalid value: '${String(record.type)}'. Supported values are: ${known.map((t) => `'${t}'`).join(', ')}.`,
          param: 'type',
        },
        eventId,
      };
    }
    const validate = validatorOf(record.type)!;
    if (!validate(value)) {
      const described = describeErrors(takeErrors(validate), value, undefined, tools);
      return { problem: { code: described.code ?? 'invalid_value', message: described.message, param: described.param }, eventId };
    }
    return { event: record as ClientEvent };
  };
}

export type EventChecker = ReturnType<typeof createEventChecker>;

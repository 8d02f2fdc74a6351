import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ErrorObject } from 'ajv';

/**
 * The spec declares OpenAPI 3.1, whose schema dialect is JSON Schema 2020-12; Prism reads it as
 * draft-07 (note 2). Two instances: JSON bodies are checked as sent, while query strings, path
 * segments and form fields arrive as text and are coerced the way the API parses them.
 */
function createAjv(coerce: boolean) {
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    // Errors carry their schema, so that a failed union's branches can be examined one by one.
    verbose: true,
    allowUnionTypes: true,
    allowMatchingProperties: true,
    coerceTypes: coerce ? 'array' : false,
    logger: false,
    // The spec's schemas are trusted input; checking them against the meta-schema costs start-up time.
    validateSchema: false,
    // Ajv keeps compiled schemas by key; our schemas are compiled once per operation and cached
    // by us, so its own map would only hold a second copy.
    addUsedSchema: false,
    // Keeps each validator's source, so that validator-store.ts can write it to disk.
    code: { source: true },
  });
  addFormats(ajv);
  return ajv;
}

/**
 * A failed validator's errors, taken from it. Ajv leaves them on the function until its next call,
 * and with `verbose` each holds the data it complains of: a validator that fails rarely (a union's
 * branch, a rarely called operation) kept the last bad request it saw, a megabyte string or
 * body, for as long as the server ran; with hundreds of validators, hundreds of such bodies.
 */
export function takeErrors(validate: { errors?: ErrorObject[] | null }): ErrorObject[] {
  const errors = validate.errors ?? [];
  validate.errors = null;
  return errors;
}

let instances: { json: Ajv2020; text: Ajv2020 } | undefined;

export function getAjv(kind: 'json' | 'text'): Ajv2020 {
  instances ??= { json: createAjv(false), text: createAjv(true) };
  return instances[kind];
}

import type { ValidateFunction } from 'ajv';
import type { IHttpOperation, IHttpParam } from '@stoplight/types';
import type { PreparedOperation } from '../openapi/prepare';
import { getAjv, takeErrors } from './ajv';
import { describeErrors, type ValidationProblem } from './describe-errors';
import { compileValidator, type ValidatorStore } from './validator-store';
import { unknownParameters } from './unknown-params';
import { refsOf, withBundle, type SchemaTools } from '../openapi/schema/walk';

/**
 * Request checks for one operation: path parameters, query and body, each against the spec's
 * schemas in the 2020-12 dialect. Validators compile on first use and stay cached per operation:
 * compiling all of them up front costs seconds and hundreds of MB (notes, start-up section).
 */

export interface RequestParts {
  pathParams: Record<string, string>;
  query: Record<string, unknown>;
  /** Parsed body (JSON value, or form fields as an object), undefined when none was sent. */
  body: unknown;
  /** Media type of the body as sent, without parameters. */
  mediaType: string | undefined;
  /**
   * The JSON body's text as sent, when `body` is exactly what it parses to: equal text, equal
   * verdict, so a text already found valid for the operation is not checked again.
   */
  bodyText?: string;
}

export interface CompiledChecks {
  path?: ValidateFunction;
  query?: ValidateFunction;
  bodies: Map<string, ValidateFunction>;
  bodyRequired: boolean;
  /** JSON body texts found valid: [unknown parameters refused, allowed] (see VALID_TEXTS). */
  valid: [Set<string>, Set<string>];
}

/**
 * Load tests send the same few bodies thousands of times, and Ajv on a chat request's union of
 * message shapes is the largest single cost of answering it. Valid texts are remembered, up to
 * this many per operation (then forgotten all at once), each no longer than VALID_TEXT_MAX: at
 * most a few MiB however many operations are used.
 */
const VALID_TEXTS = 64;
const VALID_TEXT_MAX = 16 * 1024;

const cache = new WeakMap<PreparedOperation, CompiledChecks>();

function paramsSchema(params: readonly IHttpParam[] | undefined) {
  if (!params || params.length === 0) return undefined;
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const param of params) {
    properties[param.name] = param.schema ?? {};
    if (param.required) required.push(param.name);
  }
  return { type: 'object', properties, required };
}

/**
 * Compiles every check of an operation (or loads them from `store`); throws what Ajv throws,
 * which the spec test reports.
 */
export function compileChecks(operation: PreparedOperation, store?: ValidatorStore): CompiledChecks {
  const cached = cache.get(operation);
  if (cached) return cached;
  const request = (operation as IHttpOperation).request;
  const path = paramsSchema(request?.path);
  const query = paramsSchema(request?.query);
  const bodies = new Map<string, ValidateFunction>();
  for (const content of request?.body?.contents ?? []) {
    if (!content.schema) continue;
    const kind = content.mediaType === 'application/json' ? 'json' : 'text';
    bodies.set(content.mediaType, compileValidator(kind, withBundle(content.schema, operation), store, `${operation.iid}.body.${content.mediaType}`));
  }
  const checks: CompiledChecks = {
    path: path && compileValidator('text', withBundle(path, operation), store, `${operation.iid}.path`),
    query: query && compileValidator('text', withBundle(query, operation), store, `${operation.iid}.query`),
    bodies,
    bodyRequired: Boolean(request?.body?.required),
    valid: [new Set(), new Set()],
  };
  cache.set(operation, checks);
  return checks;
}

export function requestMediaTypes(operation: PreparedOperation): string[] {
  return ((operation as IHttpOperation).request?.body?.contents ?? []).map((c) => c.mediaType);
}

// Per Ajv instance: the same branch schema compiles differently for JSON and for text.
const branchCaches = { json: new WeakMap<object, ValidateFunction>(), text: new WeakMap<object, ValidateFunction>() };

/** Compiler and `$ref` resolver for the schemas of one operation (their refs point into its bundle). */
export function schemaTools(operation: PreparedOperation, kind: 'json' | 'text'): SchemaTools {
  return {
    compile(schema) {
      const cache = branchCaches[kind];
      let validate = cache.get(schema);
      if (!validate) {
        validate = getAjv(kind).compile(withBundle(schema, operation));
        cache.set(schema, validate);
      }
      return validate;
    },
    resolve: refsOf(operation).resolve,
  };
}

/** Returns the first problem found, in the order the API reports them, or undefined. */
export function validateRequest(
  operation: PreparedOperation,
  parts: RequestParts,
  store?: ValidatorStore,
  options: { allowUnknownParams?: boolean } = {},
): ValidationProblem | undefined {
  const checks = compileChecks(operation, store);
  if (checks.path && !checks.path(parts.pathParams)) return describeErrors(takeErrors(checks.path), parts.pathParams, undefined, schemaTools(operation, 'text'));
  if (checks.query && !checks.query(parts.query)) return describeErrors(takeErrors(checks.query), parts.query, undefined, schemaTools(operation, 'text'));
  if (checks.bodies.size === 0) return undefined;
  if (parts.body === undefined) {
    if (!checks.bodyRequired) return undefined;
    return { message: 'You must provide a request body.', param: null, code: 'missing_required_parameter' };
  }
  const mediaType = parts.mediaType && checks.bodies.has(parts.mediaType) ? parts.mediaType : checks.bodies.keys().next().value!;
  const text = mediaType === 'application/json' && parts.bodyText !== undefined && parts.bodyText.length <= VALID_TEXT_MAX ? parts.bodyText : undefined;
  const valid = checks.valid[options.allowUnknownParams ? 1 : 0];
  if (text !== undefined && valid.has(text)) return undefined;
  // The API names an unknown parameter before checking the known ones.
  if (mediaType === 'application/json' && !options.allowUnknownParams) {
    const unknown = unknownParameters(operation, parts.body);
    if (unknown) return unknown;
  }
  const validate = checks.bodies.get(mediaType)!;
  if (!validate(parts.body)) {
    return describeErrors(takeErrors(validate), parts.body, undefined, schemaTools(operation, mediaType === 'application/json' ? 'json' : 'text'));
  }
  if (text !== undefined) {
    if (valid.size >= VALID_TEXTS) valid.clear();
    valid.add(text);
  }
  return undefined;
}

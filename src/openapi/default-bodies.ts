import type { ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type JSON5 from 'json5';
import { getAjv } from '../validation/ajv';
import type { IHttpOperation, IHttpOperationResponse } from '@stoplight/types';
import type { PreparedOperation } from './operation';
import { repairBody } from './schema/repair';
import { BUNDLE_REF, deref, refsOf, withBundle, withoutDialect, type SchemaTools } from './schema/walk';

/**
 * OpenAI documents each operation with realistic example responses in its `x-oaiMeta` block
 * (and many component schemas with one example object). The first of those that parses as JSON
 * and validates against the operation's default success response becomes that operation's
 * default body. Chosen once, when the spec is prepared, and cached with the operations.
 */

export interface DefaultBody {
  /** The status and media type whose schema the body was checked against. */
  status: number;
  mediaType: string;
  body: unknown;
  /** Which example won: the operation example's title (or index), or `schema:<Component>`. */
  source: string;
}

export interface DefaultBodiesReport {
  /** Operations with a default success JSON response. */
  candidates: number;
  /** Documented examples valid as they are. */
  chosen: number;
  /** Documented examples made valid by small edits. */
  repaired: number;
  /** Operations whose response schema Ajv cannot compile: no example can be shown valid. */
  unresolved: string[];
  /** Milliseconds spent compiling and checking. */
  ms: number;
}

interface Candidate {
  source: string;
  body: unknown;
}

// Placeholders the documentation site fills with a model name.
const PLACEHOLDERS: Record<string, string> = {
  VAR_chat_model_id: 'gpt-4o',
  VAR_completion_model_id: 'gpt-3.5-turbo-instruct',
};

function parseExample(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  const filled = text.replace(/VAR_[a-z_]+/g, (name) => PLACEHOLDERS[name] ?? name);
  let value: unknown;
  try {
    value = JSON.parse(filled);
  } catch {
    // Hand-written examples: trailing commas, unquoted keys, "... (1536 floats total)" lines.
    try {
      // Loaded with the first example written in JSON5: a start from the cache reads none.
      value = (require('json5') as typeof JSON5).parse(filled.replace(/^\s*(\.{3}|…).*$/gm, ''));
    } catch {
      // Streamed chunks, text formats: not a JSON body.
      return undefined;
    }
  }
  // A bare string or number is never a whole OpenAI JSON response.
  return value !== null && typeof value === 'object' ? value : undefined;
}

const SUCCESS = /^2\d\d$/;

/** The operation's first 2xx response and its JSON content, if it has one. */
export function successJson(operation: IHttpOperation): { response: IHttpOperationResponse; mediaType: string; schema: object } | undefined {
  const response = [...operation.responses].filter((r) => SUCCESS.test(r.code)).sort((a, b) => Number(a.code) - Number(b.code))[0];
  const content = response?.contents?.find((c) => c.mediaType === 'application/json' || c.mediaType.endsWith('+json'));
  if (!response || !content?.schema) return undefined;
  return { response, mediaType: content.mediaType, schema: content.schema };
}

function candidatesOf(operation: PreparedOperation, schema: object): Candidate[] {
  const out: Candidate[] = [];
  const meta = (operation.extensions as Record<string, any> | undefined)?.['x-oaiMeta'];
  const examples: unknown[] = Array.isArray(meta?.examples) ? meta.examples : meta?.examples ? [meta.examples] : [];
  examples.forEach((example, index) => {
    const record = example as { title?: unknown; response?: unknown } | null;
    const body = parseExample(record?.response);
    if (body !== undefined) out.push({ source: typeof record?.title === 'string' ? record.title : `example ${index + 1}`, body });
  });
  // The response's schema (http-spec inlines a top-level `$ref`) may carry an example of the
  // object; a list's item schema, one of its items, from which a one-item page is made.
  const refs = refsOf(operation);
  const resolved = deref(schema, refs);
  const own = parseExample(resolved?.['x-oaiMeta']?.example);
  if (own !== undefined) out.push({ source: `schema:${schemaName(schema, resolved)}`, body: own });
  const data = deref(resolved?.properties?.data, refs);
  const itemSchema = data?.type === 'array' ? data.items : undefined;
  const item = parseExample(deref(itemSchema, refs)?.['x-oaiMeta']?.example);
  if (item !== undefined && !Array.isArray(item)) {
    const declared = (name: string) => Boolean(resolved?.properties?.[name]);
    const id = (item as { id?: unknown }).id;
    const page: Record<string, unknown> = { object: 'list', data: [item] };
    if (declared('first_id')) page.first_id = id ?? null;
    if (declared('last_id')) page.last_id = id ?? null;
    if (declared('has_more')) page.has_more = false;
    out.push({ source: `list of schema:${schemaName(itemSchema, undefined)}`, body: page });
  }
  return out;
}

/** Bump when the choice or repair of default bodies changes: the cache key holds it. */
export const DEFAULT_BODIES_VERSION = 3;

const ROOT_ID = 'openai-mock:responses';

function schemaName(schema: unknown, resolved: Record<string, any> | undefined): string {
  const ref = (schema as { $ref?: unknown } | undefined)?.$ref;
  if (typeof ref === 'string' && ref.startsWith(BUNDLE_REF)) return decodeURIComponent(ref.slice(BUNDLE_REF.length));
  return typeof resolved?.title === 'string' ? resolved.title : 'inline';
}

/**
 * An Ajv configured as the project's JSON one, but of its own: what it compiles while the spec
 * is prepared (tens of MB for all success responses) is dropped with it afterwards.
 */
export function scratchAjv(): Ajv2020 {
  const ajv = new Ajv2020({ ...getAjv('json').opts });
  addFormats(ajv);
  return ajv;
}

/**
 * Validators for the operations' success responses, compiled under one root that holds every
 * component once: Ajv then compiles a component shared by many operations (a `Response`, a
 * `Run`) once, not once per operation as `withBundle` would.
 */
export class ResponseSchemas {
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly parts = new Map<PreparedOperation, WeakMap<object, ValidateFunction>>();
  private added = false;

  constructor(
    private readonly ajv: Ajv2020,
    private readonly operations: readonly PreparedOperation[],
  ) {}

  private addRoot(): void {
    if (this.added) return;
    const bundled: Record<string, unknown> = {};
    const responses: Record<string, unknown> = {};
    for (const operation of this.operations) {
      for (const [name, schema] of Object.entries(operation.__bundled__ ?? {})) bundled[name] ??= schema;
      operation.responses.forEach((response, r) => {
        (response.contents ?? []).forEach((content, c) => {
          if (content.schema) responses[key(operation, r, c)] = withoutDialect(content.schema);
        });
      });
    }
    this.ajv.addSchema({ $id: ROOT_ID, __bundled__: bundled, responses });
    this.added = true;
  }

  /** The validator of one response content of an operation (by status code and media type). */
  validator(operation: PreparedOperation, status: string, mediaType: string): ValidateFunction | undefined {
    const r = operation.responses.findIndex((response) => response.code === status);
    const c = r < 0 ? -1 : (operation.responses[r]!.contents ?? []).findIndex((content) => content.mediaType === mediaType);
    if (c < 0 || !operation.responses[r]!.contents![c]!.schema) return undefined;
    const id = key(operation, r, c);
    let validate = this.validators.get(id);
    if (!validate) {
      this.addRoot();
      validate = this.ajv.getSchema(`${ROOT_ID}#/responses/${encodeURIComponent(id)}`);
      if (!validate) return undefined;
      this.validators.set(id, validate);
    }
    return validate;
  }

  /** Compiler (on this Ajv, so dropped with it) and resolver for the parts of an operation's schemas. */
  tools(operation: PreparedOperation): SchemaTools {
    let compiled = this.parts.get(operation);
    if (!compiled) this.parts.set(operation, (compiled = new WeakMap()));
    const cache = compiled;
    return {
      resolve: refsOf(operation).resolve,
      compile: (schema) => {
        let validate = cache.get(schema);
        if (!validate) cache.set(schema, (validate = this.ajv.compile(withBundle(schema, operation))));
        return validate;
      },
    };
  }

  /** Drops the compiled schemas, so that memory is given back once preparing is done. */
  dispose(): void {
    if (this.added) {
      // Fragments compiled by `getSchema` are kept under their own keys, beside the root's.
      for (const ref of Object.keys(this.ajv.refs)) if (ref.startsWith(ROOT_ID)) this.ajv.removeSchema(ref);
      this.ajv.removeSchema(ROOT_ID);
    }
    this.validators.clear();
    this.parts.clear();
    this.added = false;
  }
}

function key(operation: PreparedOperation, r: number, c: number): string {
  return `${operation.iid}.${r}.${c}`;
}

/**
 * For each operation, the body its default success answer starts from: the first documented
 * example valid as it is, else the first one a few small edits make valid (see `repairBody`).
 * Operations with neither keep the engine's answer.
 */
export function chooseDefaultBodies(
  operations: readonly PreparedOperation[],
  ajv: Ajv2020 = scratchAjv(),
): { bodies: Record<string, DefaultBody>; report: DefaultBodiesReport } {
  const started = performance.now();
  const schemas = new ResponseSchemas(ajv, operations);
  const bodies: Record<string, DefaultBody> = {};
  const report: DefaultBodiesReport = { candidates: 0, chosen: 0, repaired: 0, unresolved: [], ms: 0 };
  try {
    for (const operation of operations) {
      const success = successJson(operation);
      if (!success) continue;
      report.candidates++;
      const found = candidatesOf(operation, success.schema);
      // Compiling is the cost here: only for operations that have something to check.
      if (found.length === 0) continue;
      let validate: ValidateFunction | undefined;
      try {
        validate = schemas.validator(operation, success.response.code, success.mediaType);
      } catch {
        // A schema Ajv cannot compile: nothing can be shown valid, so the engine's body stands.
        report.unresolved.push(operation.iid);
        continue;
      }
      if (!validate) continue;
      const store = (body: unknown, source: string) => {
        bodies[operation.iid] = { status: Number(success.response.code), mediaType: success.mediaType, body, source };
      };
      const valid = found.find((candidate) => validate(candidate.body));
      if (valid) {
        store(valid.body, valid.source);
        report.chosen++;
        continue;
      }
      const repaired = firstRepaired(found, validate, schemas.tools(operation));
      if (repaired) {
        store(repaired.body, `${repaired.source} (repaired)`);
        report.repaired++;
        continue;
      }
      // Otherwise the engine's body stands (the engine brings it into its schema).
    }
  } finally {
    schemas.dispose();
  }
  report.ms = Math.round(performance.now() - started);
  return { bodies, report };
}

function firstRepaired(found: readonly Candidate[], validate: ValidateFunction, tools: SchemaTools): Candidate | undefined {
  for (const candidate of found) {
    const body = repairBody(candidate.body, validate, tools);
    if (body !== undefined) return { source: candidate.source, body };
  }
  return undefined;
}

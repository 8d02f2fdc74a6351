/**
 * Shared by the realism suites: the prepared spec, response validators compiled the way the
 * server's preparation compiles them, and the smallest valid request of an operation.
 */
import type { IHttpOperation } from '@stoplight/types';
import type { ValidateFunction } from 'ajv';
import { loadSpec } from '../../src/spec/load-spec';
import { locateSpec } from '../../src/spec/locate';
import { defaultCacheDir } from '../../src/spec/cache';
import type { PreparedOperation, PreparedSpec } from '../../src/spec/prepare';
import { ResponseSchemas, scratchAjv, successJson } from '../../src/realism/default-bodies';
import { minimalValue } from '../../src/spec/schema/minimal-value';
import { schemaTools } from '../../src/validation/request-validator';
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

/** Stands for an uploaded file while the body is generated. */
const FILE = '\u0000upload';

export interface BuiltRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | FormData;
}

function appendField(form: FormData, key: string, value: unknown): void {
  if (value === FILE) form.append(key, new Blob([Buffer.from('hello, file\n')], { type: 'text/plain' }), 'upload.txt');
  else if (Array.isArray(value)) for (const item of value) appendField(form, `${key}[]`, item);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) appendField(form, `${key}[${k}]`, v);
  else if (value !== undefined && value !== null) form.append(key, String(value));
}

/** The smallest valid request: required parameters and a body of required properties only. */
export function minimalRequestFor(operation: PreparedOperation, baseUrl: string): BuiltRequest {
  const op = operation as IHttpOperation;
  const tools = schemaTools(operation, 'json');
  const generate = (schema: unknown) => minimalValue(schema, tools, { binary: FILE });
  const [template, betaQuery] = operation.path.split('?');
  const path = template!.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const param = op.request?.path?.find((p) => p.name === name);
    const value = param?.schema ? generate(param.schema) : undefined;
    return encodeURIComponent(typeof value === 'string' && value !== 'x' && value !== '' ? value : `${name}-abc123`);
  });
  const query = new URLSearchParams(betaQuery);
  for (const param of op.request?.query ?? []) {
    if (!param.required) continue;
    const value = generate(param.schema);
    if (Array.isArray(value)) for (const item of value) query.append(`${param.name}[]`, String(item));
    else query.append(param.name, String(value));
  }
  const search = query.toString();
  const request: BuiltRequest = {
    method: op.method.toUpperCase(),
    url: `${baseUrl}/v1${path}${search ? `?${search}` : ''}`,
    headers: { authorization: 'Bearer sk-test' },
  };
  const contents = op.request?.body?.contents ?? [];
  const content = contents.find((c) => c.mediaType === 'application/json') ?? contents.find((c) => c.mediaType === 'multipart/form-data') ?? contents[0];
  if (!content) return request;
  const value = content.schema ? generate(content.schema) : {};
  if (content.mediaType === 'multipart/form-data') {
    const form = new FormData();
    for (const [key, field] of Object.entries((value ?? {}) as Record<string, unknown>)) appendField(form, key, field);
    request.body = form;
  } else {
    request.headers['content-type'] = content.mediaType;
    request.body = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return request;
}

/**
 * Builds the smallest valid request for an operation from its schemas: required path and query
 * parameters and a body holding only required properties (the project's `minimalValue`, whose
 * unions take the first branch the project's Ajv accepts). A generator mistake shows up as a 400
 * with the validator's reason.
 */
import type { IHttpOperation } from '@stoplight/types';
import type { PreparedOperation } from '../../src/openapi/prepare';
import { minimalValue } from '../../src/openapi/schema/minimal-value';
import { schemaTools } from '../../src/validation/request-validator';

/** Stands for an uploaded file until the form is built. */
export const FILE = '\u0000file';

export interface MinimalRequest {
  method: string;
  /** Path with parameters filled and the `?beta=true` and required query appended. */
  url: string;
  headers: Record<string, string>;
  body?: string | FormData;
}

/** Form fields the way the official SDK encodes them: `key[]` for arrays, `key[sub]` for objects. */
export function appendForm(form: FormData, key: string, value: unknown, encoding: Record<string, { contentType?: string }>) {
  if (value === FILE) {
    form.append(key, new Blob([Buffer.from('RIFF\0\0\0\0WAVEfmt ')], { type: 'application/octet-stream' }), `${key.replace(/\W/g, '')}.wav`);
  } else if (Array.isArray(value)) {
    for (const item of value) appendForm(form, `${key}[]`, item, {});
  } else if (typeof value === 'object' && value !== null) {
    if (encoding[key]?.contentType === 'application/json') {
      form.append(key, new Blob([JSON.stringify(value)], { type: 'application/json' }));
      return;
    }
    for (const [k, v] of Object.entries(value)) appendForm(form, `${key}[${k}]`, v, {});
  } else if (value !== undefined && value !== null) {
    form.append(key, String(value));
  }
}

/** The request media types an operation accepts (none: a request without a body). */
export function requestMediaTypes(operation: PreparedOperation): (string | undefined)[] {
  const contents = (operation as IHttpOperation).request?.body?.contents ?? [];
  return contents.length === 0 ? [undefined] : contents.map((c) => c.mediaType);
}

/** A minimal request; with a body of `mediaType` (default: JSON first, as the SDK does, then multipart). */
export function minimalRequest(operation: PreparedOperation, mediaType?: string): MinimalRequest {
  const op = operation as IHttpOperation;
  const tools = schemaTools(operation, 'json');
  const generate = (schema: unknown) => minimalValue(schema, tools, { binary: FILE });
  const [template, betaQuery] = operation.path.split('?');
  const path = template!.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const param = op.request?.path?.find((p) => p.name === name);
    const value = param?.schema ? generate(param.schema) : 'x';
    return encodeURIComponent(String(value === 'x' ? `${name}_123` : value));
  });
  const query = new URLSearchParams(betaQuery);
  for (const param of op.request?.query ?? []) {
    if (!param.required) continue;
    const value = generate(param.schema);
    if (Array.isArray(value)) for (const item of value) query.append(`${param.name}[]`, String(item));
    else query.append(param.name, String(value));
  }
  const search = query.toString();
  const headers: Record<string, string> = { authorization: 'Bearer sk-test' };
  const request: MinimalRequest = { method: op.method.toUpperCase(), url: `/v1${path}${search ? `?${search}` : ''}`, headers };

  const contents = op.request?.body?.contents ?? [];
  if (contents.length === 0) return request;
  const content =
    contents.find((c) => c.mediaType === mediaType) ??
    contents.find((c) => c.mediaType === 'application/json') ??
    contents.find((c) => c.mediaType === 'multipart/form-data') ??
    contents[0]!;
  const form = content.mediaType === 'multipart/form-data';
  const value = content.schema ? minimalValue(content.schema, tools, { binary: FILE, nonEmptyArrays: form }) : {};
  if (content.mediaType === 'application/json') {
    headers['content-type'] = 'application/json';
    request.body = JSON.stringify(value);
  } else if (form) {
    const form = new FormData();
    const encoding = Object.fromEntries((content.encodings ?? []).map((e) => [e.property, { contentType: e.mediaType }]));
    for (const [key, field] of Object.entries((value ?? {}) as Record<string, unknown>)) appendForm(form, key, field, encoding);
    request.body = form;
  } else {
    headers['content-type'] = content.mediaType;
    request.body = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return request;
}

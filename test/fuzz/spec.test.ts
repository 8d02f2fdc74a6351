/**
 * Property-based fuzzing of the whole spec with fast-check: for every operation, requests are
 * generated from its own request schemas (path, query, JSON or multipart body), then mutated. The
 * project's request validator, applied to the request as the server will read it, says which are
 * valid; the server must agree with it over HTTP:
 *   - a valid request gets a 2xx, and a JSON answer validates against the response schema;
 *   - an invalid one gets a 4xx in OpenAI's error shape;
 *   - nothing gets a 5xx, a hang or a broken connection.
 * Seeded and bounded in `npm test` (FUZZ_RUNS per operation, default 1, each run a valid and a
 * mutated request); `npm run fuzz` runs long. A failure prints its seed and fast-check's replay
 * path: FUZZ_SEED=<seed> FUZZ_OPS=<operationId> FUZZ_PATH=<path> npm run fuzz replays it.
 */
import http from 'node:http';
import fc from 'fast-check';
import type { IHttpOperation } from '@stoplight/types';
import type { MockServer } from '../../src';
import { loadSpec } from '../../src/openapi/load-spec';
import { locateSpec } from '../../src/openapi/locate';
import { defaultCacheDir } from '../../src/openapi/cache';
import type { PreparedOperation } from '../../src/openapi/prepare';
import { schemaTools, validateRequest } from '../../src/validation/request-validator';
import { describeErrors } from '../../src/validation/describe-errors';
import { findResponse } from '../../src/engine/negotiate';
import { parseQuery } from '../../src/http/form-fields';
import { formForValidation, parseMultipartBody } from '../../src/http/parse-body';
import { appendForm, minimalRequest } from '../foundation/minimal-request';
import { SPEC, startMock } from '../helpers/server';
import { trapUnhandled } from '../reliability/helpers/process-state';
import { arbitraryFor, mutationsFor, requestParams, type Mutation } from './arbitraries';

const SEED = Number(process.env.FUZZ_SEED) || 17_2026;
const RUNS = Number(process.env.FUZZ_RUNS) || 1;
const ONLY = process.env.FUZZ_OPS?.split(',').filter(Boolean);
const SHRINK = process.env.FUZZ_SHRINK === '1';
const WORKERS = 3;

let mock: MockServer;
let operations: PreparedOperation[];
const unhandled = trapUnhandled();

beforeAll(async () => {
  mock = await startMock();
  const loaded = await loadSpec(locateSpec({ flag: SPEC, env: process.env.OPENAI_MOCK_SPEC, cwd: process.cwd() }), {
    dir: process.env.OPENAI_MOCK_CACHE_DIR || defaultCacheDir(),
  });
  operations = loaded.spec.operations.filter((o) => !ONLY || ONLY.includes(o.iid));
});

afterAll(async () => {
  await mock?.close();
  unhandled.stop();
});

type BodyKind = 'json' | 'multipart' | 'raw' | 'none';

function bodyOf(operation: PreparedOperation): { kind: BodyKind; schema?: unknown; encodings: Record<string, { contentType?: string }> } {
  const contents = (operation as IHttpOperation).request?.body?.contents ?? [];
  const json = contents.find((c) => c.mediaType === 'application/json');
  if (json) return { kind: 'json', schema: json.schema, encodings: {} };
  const form = contents.find((c) => c.mediaType === 'multipart/form-data');
  if (form) return { kind: 'multipart', schema: form.schema, encodings: Object.fromEntries((form.encodings ?? []).map((e) => [e.property, { contentType: e.mediaType }])) };
  return { kind: contents.length ? 'raw' : 'none', encodings: {} };
}

/** Query values the way the SDK encodes them: `key[]=` for arrays, `key[sub]=` for objects. */
function appendQuery(search: URLSearchParams, key: string, value: unknown): void {
  if (value === undefined) return;
  if (Array.isArray(value)) for (const item of value) appendQuery(search, `${key}[]`, item);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) appendQuery(search, `${key}[${k}]`, v);
  else search.append(key, value === null ? '' : String(value));
}

interface Built {
  url: string;
  init: RequestInit & { headers: Record<string, string> };
  /** What the validator says of the request as the server will read it: undefined when valid. */
  problem: string | undefined;
  shown: string;
}

async function build(operation: PreparedOperation, params: { path: Record<string, unknown>; query: Record<string, unknown> }, body: unknown, present: boolean): Promise<Built> {
  const [template, fixedQuery] = operation.path.split('?');
  const path = template!.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(String(params.path[name] ?? `${name}_1`)));
  const search = new URLSearchParams(fixedQuery);
  for (const [key, value] of Object.entries(params.query)) appendQuery(search, key, value);
  const qs = search.toString();
  const url = `/v1${path}${qs ? `?${qs}` : ''}`;
  const headers: Record<string, string> = { authorization: 'Bearer sk-fuzz' };
  const init: Built['init'] = { method: operation.method.toUpperCase(), headers };

  // The request as the server reads it, for the validator.
  const query = parseQuery(new URLSearchParams(qs));
  delete query.beta;
  const pathParams = Object.fromEntries(Object.entries(params.path).map(([k, v]) => [k, String(v)]));
  const spec = bodyOf(operation);
  let seen: unknown;
  let mediaType: string | undefined;
  if (present && spec.kind === 'json') {
    init.body = JSON.stringify(body);
    headers['content-type'] = 'application/json';
    seen = init.body === undefined ? undefined : JSON.parse(init.body as string);
    mediaType = 'application/json';
  } else if (present && spec.kind === 'multipart') {
    const form = new FormData();
    if (body && typeof body === 'object' && !Array.isArray(body)) for (const [k, v] of Object.entries(body)) appendForm(form, k, v, spec.encodings);
    const encoded = new Request('http://127.0.0.1/', { method: 'POST', body: form });
    const bytes = Buffer.from(await encoded.arrayBuffer());
    headers['content-type'] = encoded.headers.get('content-type')!;
    init.body = bytes;
    const parsed = await parseMultipartBody(bytes, headers);
    seen = parsed.kind === 'form' ? formForValidation(parsed.value) : undefined;
    mediaType = 'multipart/form-data';
  } else if (spec.kind === 'raw') {
    // Raw bodies (an SDP offer) are not generated: the minimal one, with fuzzed parameters.
    const minimal = minimalRequest(operation);
    init.body = minimal.body as string;
    Object.assign(headers, minimal.headers, { authorization: 'Bearer sk-fuzz' });
    mediaType = headers['content-type'];
    seen = minimal.body;
  }
  const problem = validateRequest(operation, { pathParams, query, body: seen, mediaType });
  const shownBody = init.body === undefined ? '' : Buffer.isBuffer(init.body) ? ` [multipart ${init.body.length} bytes] ${JSON.stringify(body)?.slice(0, 300)}` : ` ${String(init.body).slice(0, 400)}`;
  return { url, init, problem: problem?.message, shown: `${init.method} ${url}${shownBody}` };
}

/**
 * One request on its own connection: a pooled keep-alive socket that the server closes as idle
 * just as the client reuses it fails a POST in any client, which would read as the server's fault.
 */
function send(built: Built): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      mock.url + built.url,
      { method: built.init.method, headers: built.init.headers, agent: false, timeout: 30_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({ status: response.statusCode!, type: String(response.headers['content-type'] ?? '').split(';')[0]!.trim(), text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error('no answer within 30 s')));
    request.on('error', reject);
    request.end(built.init.body as string | Buffer | undefined);
  });
}

const isJson = (type: string) => type === 'application/json' || type.endsWith('+json');

/** Sends a request; returns what is wrong with the answer, or undefined. */
async function check(operation: PreparedOperation, built: Built): Promise<string | undefined> {
  let response: { status: number; type: string; text: string };
  try {
    response = await send(built);
  } catch (error) {
    return `no answer: ${(error as Error).message}`;
  }
  const { status, type, text } = response;
  if (status >= 500) return `${status}: ${text.slice(0, 300)}`;
  if (built.problem === undefined) {
    // Which models exist is the catalogue's state, not the request's shape: an id it does not have
    // is the API's 404 model_not_found, and deleting one of OpenAI's own a 403.
    const models = operation.iid === 'retrieveModel' || operation.iid === 'deleteModel';
    if (models && ((status === 404 && text.includes('"code":"model_not_found"')) || (status === 403 && operation.iid === 'deleteModel'))) return undefined;
    if (status < 200 || status >= 300) return `valid by the validator, answered ${status}: ${text.slice(0, 300)}`;
    if (!isJson(type)) return undefined;
    const schema = findResponse(operation as IHttpOperation, status)?.contents?.find((c) => c.mediaType === type)?.schema;
    if (!schema) return undefined;
    const tools = schemaTools(operation, 'json');
    const validate = tools.compile(schema);
    const body = JSON.parse(text);
    if (validate(body)) return undefined;
    return `the ${status} body does not match its schema: ${describeErrors(validate.errors ?? [], body, undefined, tools).message} (first at "${validate.errors![0]!.instancePath}")`;
  }
  if (status < 400) return `invalid by the validator (${built.problem}), answered ${status}`;
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `a ${status} that is not JSON: ${text.slice(0, 200)}`;
  }
  const e = parsed?.error;
  const shaped =
    Object.keys(parsed ?? {}).length === 1 &&
    typeof e?.message === 'string' &&
    typeof e.type === 'string' &&
    (e.param === null || typeof e.param === 'string') &&
    (e.code === null || typeof e.code === 'string');
  if (!shaped || !isJson(type)) return `a ${status} not in OpenAI's error shape (${type}): ${text.slice(0, 300)}`;
  return undefined;
}

test(`every operation, requests generated from its schemas: valid -> 2xx in its schema, mutated -> OpenAI-shaped 4xx (seed ${SEED}, ${RUNS} run(s) each)`, async () => {
  const failures: string[] = [];
  const stats = { requests: 0, valid: 0, invalid: 0 };
  const queue = [...operations];
  const worker = async () => {
    for (let operation = queue.shift(); operation; operation = queue.shift()) {
      const tools = schemaTools(operation, 'json');
      const spec = bodyOf(operation);
      const generated = fc.record({
        params: requestParams(operation, tools),
        body: spec.schema ? arbitraryFor(spec.schema, tools) : fc.constant(undefined),
        mutation: spec.schema ? mutationsFor(spec.schema, tools) : fc.constant<Mutation | undefined>(undefined),
      });
      const property = fc.asyncProperty(generated, async ({ params, body, mutation }) => {
        const present = spec.kind === 'json' || spec.kind === 'multipart';
        const valid = await build(operation, params, body, present);
        stats.requests++;
        if (valid.problem === undefined) stats.valid++;
        const first = await check(operation, valid);
        if (first) throw new Error(`${first}\n    request: ${valid.shown}`);
        if (!mutation) return;
        const mutated = await build(operation, params, mutation.apply(body), present);
        stats.requests++;
        if (mutated.problem !== undefined) stats.invalid++;
        const second = await check(operation, mutated);
        if (second) throw new Error(`${second}\n    mutation: ${mutation.kind}\n    request: ${mutated.shown}`);
      });
      const details = await fc.check(property, { seed: SEED, numRuns: RUNS, endOnFailure: !SHRINK, path: process.env.FUZZ_PATH || undefined });
      if (details.failed) {
        const error = (details.errorInstance as Error | undefined)?.message ?? String(details.errorInstance);
        failures.push(`${operation.iid} (replay: FUZZ_SEED=${details.seed} FUZZ_OPS=${operation.iid} FUZZ_PATH=${details.counterexamplePath} npm run fuzz): ${error}`);
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  if (process.env.FUZZ_STATS) console.log(`fuzz: ${operations.length} operations, ${stats.requests} requests, ${stats.valid} valid, ${stats.invalid} mutated-invalid`);
  failures.sort();
  expect(`seed ${SEED}: ${failures.length} of ${operations.length} operations failed\n${failures.join('\n')}`).toBe(`seed ${SEED}: 0 of ${operations.length} operations failed\n`);
  expect(unhandled.seen).toEqual([]);
  // The generator must mostly aim right: valid requests are what reach the answers' schemas.
  expect(stats.valid).toBeGreaterThan(stats.requests * 0.25);
}, Math.max(600_000, RUNS * 300_000));

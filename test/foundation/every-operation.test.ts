/**
 * Every operation in the spec, over HTTP: a minimal valid request built from the operation's own
 * schemas gets the spec's first 2xx status, and a JSON answer validates against the operation's
 * response schema. Failures are listed together (operationId: reason).
 */
import type { IHttpOperation } from '@stoplight/types';
import type { MockServer } from '../../src';
import { loadSpec } from '../../src/openapi/load-spec';
import { locateSpec } from '../../src/openapi/locate';
import type { PreparedOperation } from '../../src/openapi/prepare';
import { schemaTools } from '../../src/validation/request-validator';
import { defaultSuccess } from '../../src/engine/negotiate';
import { describeErrors } from '../../src/validation/describe-errors';
import { SPEC, startMock } from '../helpers/server';
import { minimalRequest, requestMediaTypes } from './minimal-request';

let mock: MockServer;
let operations: PreparedOperation[];

beforeAll(async () => {
  // The path parameter the minimal requests name (`model_123`), as one of the organisation's models, so that retrieving and deleting it succeed.
  mock = await startMock({ models: { extend: ['model_123'] } });
  const loaded = await loadSpec(locateSpec({ flag: SPEC, env: process.env.OPENAI_MOCK_SPEC, cwd: process.cwd() }), {
    dir: process.env.OPENAI_MOCK_CACHE_DIR || require('../../src/openapi/cache').defaultCacheDir(),
  });
  operations = loaded.spec.operations;
});

afterAll(async () => {
  await mock?.close();
});

/**
 * Where the server follows the real API over the spec's media type: speech is labelled by its
 * `response_format` (audio/mpeg for the default mp3), and file content is the file's bytes, not
 * the JSON string the spec declares.
 */
const API_MEDIA_TYPES: Record<string, string> = {
  createSpeech: 'audio/mpeg',
  downloadFile: 'application/octet-stream',
};

const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

/** Sends the operation's minimal request with a body of `mediaType`; returns why it failed, or undefined. */
async function check(operation: PreparedOperation, mediaType: string | undefined): Promise<string | undefined> {
  let request;
  try {
    request = minimalRequest(operation, mediaType);
  } catch (error) {
    return `cannot build a request: ${(error as Error).message}`;
  }
  const expected = defaultSuccess(operation as IHttpOperation);
  if (!expected) return 'the spec declares no 2xx response';

  const response = await fetch(mock.url + request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(20_000),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const where = `${request.method} ${request.url}${mediaType ? ` (${mediaType})` : ''}`;
  if (String(response.status) !== expected.code) {
    return `${where}: status ${response.status}, expected ${expected.code}: ${bytes.toString('utf8').slice(0, 300)}`;
  }

  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const declared = (expected.contents ?? []).filter((c) => c.mediaType !== 'text/event-stream');
  if (declared.length === 0) return undefined;
  if (API_MEDIA_TYPES[operation.iid]) {
    return contentType === API_MEDIA_TYPES[operation.iid] ? undefined : `${where}: content type "${contentType}", expected ${API_MEDIA_TYPES[operation.iid]}`;
  }
  const content = declared.find((c) => c.mediaType === contentType);
  if (!content) return `${where}: content type "${contentType}", the spec declares ${declared.map((c) => c.mediaType).join(', ')}`;
  if (!isJson(contentType)) return bytes.length > 0 || content.schema === undefined ? undefined : `${where}: empty ${contentType} body`;

  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    return `${where}: the body is not JSON: ${bytes.toString('utf8').slice(0, 100)}`;
  }
  if (!content.schema) return undefined;
  const tools = schemaTools(operation, 'json');
  const validate = tools.compile(content.schema);
  if (validate(body)) return undefined;
  const problem = describeErrors(validate.errors ?? [], body, undefined, tools);
  return `${where}: the ${response.status} body does not match its schema: ${problem.message} (${validate.errors!.length} Ajv errors, first at "${validate.errors![0]!.instancePath}" ${validate.errors![0]!.message})`;
}

test('every operation answers a minimal valid request (each request media type) with its 2xx, in the response schema', async () => {
  expect(operations.length).toBe(mock.operations);
  expect(operations.length).toBeGreaterThan(250);
  const keys = new Set(operations.map((o) => `${o.method} ${o.path}`));
  expect(keys.size).toBe(operations.length);

  const failures: string[] = [];
  // Every request media type an operation accepts: JSON, multipart forms, raw bodies.
  const all = operations.flatMap((operation) => requestMediaTypes(operation).map((mediaType) => ({ operation, mediaType })));
  // A deleted model is gone for the requests after it: its delete goes after all the others.
  const queue = all.filter((item) => item.operation.iid !== 'deleteModel');
  const last = all.filter((item) => item.operation.iid === 'deleteModel');
  expect(queue.filter((item) => item.mediaType === 'multipart/form-data').length).toBeGreaterThan(10);
  const requests = all.length;
  // A few at a time: the server compiles each operation's validators on first use.
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const reason = await check(item.operation, item.mediaType).catch((error: Error) => `request failed: ${error.message}`);
      if (reason) failures.push(`${item.operation.iid}: ${reason}`);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  queue.push(...last);
  await worker();
  failures.sort();
  expect(`${failures.length} of ${requests} requests failed:\n${failures.join('\n')}`).toBe(`0 of ${requests} requests failed:\n`);
}, 110_000);

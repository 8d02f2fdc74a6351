/**
 * The answer ceiling from code: `maxAnswerMs` (CPU time of the server's thread) and
 * `maxAnswerBytes` for bodies the builders did not make (an override's).
 */
import { defineOverride, type MockServer } from '../../src';
import { createLogger } from '../../src/log/logger';
import { startMock } from '../helpers/server';
import { expectOpenAIError, post } from './support';

const lines: string[] = [];
let mock: MockServer;

beforeAll(async () => {
  mock = await startMock({
    maxAnswerMs: 1,
    maxAnswerBytes: 6_000_000,
    logger: createLogger('warn', (line) => lines.push(line)),
    overrides: [defineOverride({ operation: 'listModels', response: () => ({ body: { object: 'list', data: [{ id: 'x'.repeat(7_000_000), object: 'model', created: 1, owned_by: 'me' }] } }) })],
  });
});
afterAll(async () => {
  await mock?.close();
});

test('work past maxAnswerMs: a 400 naming the limit, a warning naming the request, and the next request served', async () => {
  // 300 vectors of 3,072 floats: far more than a millisecond of work, well under the byte limit.
  // Each text its own: a vector already made for a text is remembered, and costs nothing again.
  const input = Array.from({ length: 300 }, (_, i) => `hello ${i} ${Date.now()}`);
  const answer = await post(mock.url, '/v1/embeddings', { model: 'text-embedding-3-large', input, encoding_format: 'base64' });
  expect(expectOpenAIError(answer, 400, 'answer_too_slow').message).toMatch(/took longer than this server's limit of 1 ms per answer/);
  expect(lines.join('\n')).toMatch(/warn: POST \/v1\/embeddings \(createEmbedding\): refused: Building the answer \(300 embeddings of 3072 dimensions\)/);
  const small = await post(mock.url, '/v1/embeddings', { model: 'text-embedding-3-small', input: 'hello', dimensions: 8 });
  expect(small.status).toBe(200);
  expect(small.json().data[0].embedding).toHaveLength(8);
});

test('an override\'s body past maxAnswerBytes: refused before anything is written, with a warning', async () => {
  const answer = await fetch(`${mock.url}/v1/models`, { headers: { authorization: 'Bearer x' } });
  expect(answer.status).toBe(400);
  const body = await answer.json();
  expect(body.error.code).toBe('answer_too_large');
  expect(body.error.message).toMatch(/more than this server's limit of 6000000 bytes per answer/);
  expect(lines.join('\n')).toMatch(/warn: GET \/v1\/models: refused: The answer would be 70000\d\d bytes/);
});

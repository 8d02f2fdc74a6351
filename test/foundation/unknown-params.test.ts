/**
 * Unknown body parameters, as the API answers them, per endpoint family, over raw HTTP: chat
 * completions and the other early endpoints say `Unrecognized request argument supplied: X`;
 * the Responses API and the newer endpoints `Unknown parameter: 'X'.` with param and code.
 * Objects the spec leaves open stay open; `allowUnknownParams` lets unknown ones through; the
 * SDK's own requests, with every documented parameter, pass.
 */
import type { MockServer } from '../../src';
import { sdk, startMock } from '../helpers/server';

let strict: MockServer;
let relaxed: MockServer;

beforeAll(async () => {
  [strict, relaxed] = await Promise.all([startMock(), startMock({ allowUnknownParams: true })]);
});

afterAll(async () => {
  await Promise.all([strict?.close(), relaxed?.close()]);
});

async function post(mock: MockServer, path: string, body: unknown) {
  const response = await fetch(`${mock.url}/v1${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { error?: Record<string, unknown> } };
}

const chat = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] };

test.each([
  ['/chat/completions', { ...chat, bogus: 1 }],
  ['/completions', { model: 'gpt-3.5-turbo-instruct', prompt: 'Hi', bogus: 1 }],
  ['/embeddings', { model: 'text-embedding-3-small', input: 'Hi', bogus: 1 }],
  ['/moderations', { input: 'Hi', bogus: 1 }],
])('older endpoint %s: 400 "Unrecognized request argument supplied: bogus", no param, no code', async (path, body) => {
  expect(await post(strict, path, body)).toEqual({
    status: 400,
    body: { error: { message: 'Unrecognized request argument supplied: bogus', type: 'invalid_request_error', param: null, code: null } },
  });
});

test('several unknown arguments are named together, in the order sent', async () => {
  const { status, body } = await post(strict, '/chat/completions', { ...chat, bogus: 1, other: true });
  expect(status).toBe(400);
  expect(body.error!.message).toBe('Unrecognized request arguments supplied: bogus, other');
});

test.each([
  ['/responses', { model: 'gpt-4o', input: 'Hi', bogus: 1 }],
  ['/batches', { input_file_id: 'file-1', endpoint: '/v1/chat/completions', completion_window: '24h', bogus: 1 }],
  ['/vector_stores', { name: 'docs', bogus: 1 }],
  ['/conversations', { bogus: 1 }],
  ['/images/generations', { prompt: 'a cat', bogus: 1 }],
  ['/assistants', { model: 'gpt-4o', bogus: 1 }],
])('newer endpoint %s: 400 "Unknown parameter: \'bogus\'." with param and code unknown_parameter', async (path, body) => {
  expect(await post(strict, path, body)).toEqual({
    status: 400,
    body: { error: { message: "Unknown parameter: 'bogus'.", type: 'invalid_request_error', param: 'bogus', code: 'unknown_parameter' } },
  });
});

test('the unknown parameter is named before a known one is checked', async () => {
  const { body } = await post(strict, '/responses', { model: 'gpt-4o', input: 'Hi', temperature: 'hot', bogus: 1 });
  expect(body.error!.code).toBe('unknown_parameter');
});

test('objects the spec leaves open stay open: metadata, JSON schemas, tool parameters', async () => {
  const open = {
    ...chat,
    metadata: { anything: 'goes' },
    response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } }, 'x-custom': 1 } } },
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {}, 'x-extra': true } } }],
  };
  expect((await post(strict, '/chat/completions', open)).status).toBe(200);
  expect((await post(strict, '/responses', { model: 'gpt-4o', input: 'Hi', metadata: { k: 'v' }, tools: [{ type: 'function', name: 'f', parameters: { type: 'object', 'x-extra': 1 }, strict: false }] })).status).toBe(200);
});

test('allowUnknownParams (--allow-unknown-params) lets unknown parameters through', async () => {
  expect((await post(relaxed, '/chat/completions', { ...chat, bogus: 1 })).status).toBe(200);
  expect((await post(relaxed, '/responses', { model: 'gpt-4o', input: 'Hi', bogus: 1 })).status).toBe(200);
  // Known parameters are still checked.
  expect((await post(relaxed, '/chat/completions', { ...chat, temperature: 'hot' })).status).toBe(400);
});

test('the SDK with the documented parameters of the main endpoints passes', async () => {
  const client = sdk(strict);
  await client.chat.completions.create({
    ...chat, messages: [{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'Hi', name: 'u' }], frequency_penalty: 0, logit_bias: { '50256': -100 }, logprobs: true, top_logprobs: 2,
    max_completion_tokens: 20, n: 1, presence_penalty: 0, seed: 1, stop: ['x'], store: false, temperature: 1, top_p: 1, user: 'u', parallel_tool_calls: true,
    stream_options: undefined, service_tier: 'auto', reasoning_effort: 'low', prediction: { type: 'content', content: 'x' }, metadata: { a: 'b' },
  });
  await client.responses.create({ model: 'gpt-4o', input: [{ role: 'user', content: 'Hi' }], instructions: 'x', max_output_tokens: 20, temperature: 1, top_p: 1, store: false, metadata: { a: 'b' }, truncation: 'auto', user: 'u', text: { format: { type: 'text' } } });
  await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 8, user: 'u' });
  await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Hi', max_tokens: 5, echo: false, best_of: 1, suffix: 'x' });
  await client.moderations.create({ input: 'Hi', model: 'omni-moderation-latest' });
  await client.images.generate({ prompt: 'a cat', n: 1, size: '1024x1024' });
  await client.vectorStores.create({ name: 'docs', metadata: { a: 'b' }, expires_after: { anchor: 'last_active_at', days: 1 } });
  await client.batches.create({ input_file_id: 'file-1', endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { a: 'b' } });
  await client.conversations.create({ metadata: { a: 'b' }, items: [{ type: 'message', role: 'user', content: 'Hi' }] });
});

test('a body text found valid is remembered per server mode: the same text is still refused where unknown parameters are', async () => {
  const text = JSON.stringify({ ...chat, remembered: true });
  const send = (mock: MockServer, body: string) =>
    fetch(`${mock.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' }, body }).then((r) => r.status);
  // Twice each, so that the second of each pair takes the remembered verdict if there is one.
  expect([await send(relaxed, text), await send(relaxed, text)]).toEqual([200, 200]);
  expect([await send(strict, text), await send(strict, text)]).toEqual([400, 400]);
  // A valid text remembered does not make a different one valid.
  const valid = JSON.stringify(chat);
  expect([await send(strict, valid), await send(strict, valid)]).toEqual([200, 200]);
  expect(await send(strict, valid.replace('"Hi"', '5'))).toBe(400);
});

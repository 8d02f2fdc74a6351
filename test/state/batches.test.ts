/**
 * Stateful mode, batches through the official SDK: an uploaded JSONL is answered line by line by
 * the mock's own pipeline (scripts and overrides included), the batch moves through its statuses,
 * and its output and error files hold what was answered.
 */
import OpenAI, { toFile } from 'openai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { MockServer } from '../../src';
import { startMock, sdk } from '../helpers/server';

let mock: MockServer;
let client: OpenAI;
beforeAll(async () => {
  mock = await startMock({
    state: true,
    overrides: [
      {
        operation: 'createChatCompletion',
        match: (request) => request.body.messages?.[0]?.content === 'override me',
        response: ({ response }) => ({ body: { ...response.body, choices: [{ ...response.body.choices[0], message: { role: 'assistant', content: 'from the override', refusal: null } }] } }),
      },
    ],
  });
  client = sdk(mock);
});
afterAll(() => mock.close());
afterEach(() => {
  mock.state!.reset();
  mock.resetScripts();
});

const line = (customId: string, content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }, ...extra });

async function poll(id: string) {
  for (let i = 0; i < 50; i++) {
    const batch = await client.batches.retrieve(id);
    if (['completed', 'failed', 'cancelled', 'expired'].includes(batch.status)) return batch;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the batch never finished');
}

test('batch from an uploaded JSONL: output lines parse as chat completions, scripts and overrides apply, bad lines go to the error file', async () => {
  mock.on('createChatCompletion', { lastUserMessage: 'script me' }).reply('from the script');
  const jsonl = [line('a', 'Hello'), line('b', 'script me'), line('c', 'override me'), 'not json', line('e', 'x', { url: '/v1/embeddings' }), line('f', 'Bye')].join('\n');
  const input = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'batch.jsonl'), purpose: 'batch' });
  const created = await client.batches.create({ input_file_id: input.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { run: '1' } });
  expect(created).toMatchObject({ object: 'batch', input_file_id: input.id, endpoint: '/v1/chat/completions', metadata: { run: '1' } });

  const batch = await poll(created.id);
  expect(batch.status).toBe('completed');
  expect(batch.request_counts).toEqual({ total: 6, completed: 4, failed: 2 });
  expect(batch.completed_at).toEqual(expect.any(Number));
  expect(batch.output_file_id).toMatch(/^file-/);

  const output = (await (await client.files.content(batch.output_file_id!)).text()).trim().split('\n').map((l) => JSON.parse(l));
  expect(output.map((o) => o.custom_id)).toEqual(['a', 'b', 'c', 'f']);
  for (const o of output) {
    expect(o.response.status_code).toBe(200);
    const completion = o.response.body as ChatCompletion;
    expect(completion).toMatchObject({ object: 'chat.completion', model: expect.stringContaining('gpt-4o-mini') });
    expect(typeof completion.choices[0]!.message.content).toBe('string');
  }
  expect(output[1].response.body.choices[0].message.content).toBe('from the script');
  expect(output[2].response.body.choices[0].message.content).toBe('from the override');

  const errors = (await (await client.files.content(batch.error_file_id!)).text()).trim().split('\n').map((l) => JSON.parse(l));
  expect(errors).toHaveLength(2);
  expect(errors[0]).toMatchObject({ custom_id: null, response: null, error: { code: 'invalid_json_line' } });
  expect(errors[1]).toMatchObject({ custom_id: 'e', error: { code: 'mismatched_endpoint' } });

  const outputFile = await client.files.retrieve(batch.output_file_id!);
  expect(outputFile.purpose).toBe('batch_output');
  expect((await client.batches.list()).data.map((b) => b.id)).toEqual([created.id]);
});

test("a batch's input file must exist", async () => {
  await expect(client.batches.create({ input_file_id: 'file-nope', endpoint: '/v1/chat/completions', completion_window: '24h' })).rejects.toMatchObject({
    status: 404,
    error: { message: 'No such File object: file-nope', param: 'input_file_id' },
  });
  const response = await fetch(`${mock.url}/v1/batches/batch_abc`, { headers: { authorization: 'Bearer sk-test' } });
  expect(await response.json()).toEqual({ error: { message: 'No such Batch object: batch_abc', type: 'invalid_request_error', param: 'id', code: null } });
});

test("a batch's lines are not the client's requests: rate limits neither count nor refuse them", async () => {
  const limited = await startMock({ state: true, rateLimits: { rpm: 4 } });
  try {
    const c = sdk(limited);
    const jsonl = Array.from({ length: 10 }, (_, i) => line(`r${i}`, `line ${i}`)).join('\n');
    const input = await c.files.create({ file: await toFile(Buffer.from(jsonl), 'many.jsonl'), purpose: 'batch' });
    const batch = await c.batches.create({ input_file_id: input.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const done = await c.batches.retrieve(batch.id);
    expect(done.request_counts).toEqual({ total: 10, completed: 10, failed: 0 });
  } finally {
    await limited.close();
  }
});

describe('with durations', () => {
  let slow: MockServer;
  afterAll(() => slow?.close());
  test('validating -> in_progress -> finalizing -> completed as the clock advances; cancel stops one', async () => {
    slow = await startMock({ state: { durations: { 'batch.validating': 60_000, 'batch.in_progress': 60_000, 'batch.finalizing': 60_000 } } });
    const c = sdk(slow);
    const input = await c.files.create({ file: await toFile(Buffer.from(line('a', 'Hi') + '\n'), 'in.jsonl'), purpose: 'batch' });
    const batch = await c.batches.create({ input_file_id: input.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const seen = [batch.status];
    for (let i = 0; i < 3; i++) {
      slow.state!.advance(60_000);
      seen.push((await c.batches.retrieve(batch.id)).status);
    }
    expect(seen).toEqual(['validating', 'in_progress', 'finalizing', 'completed']);
    const done = await c.batches.retrieve(batch.id);
    expect(done.in_progress_at! - done.created_at).toBe(60);
    expect(done.completed_at! - done.created_at).toBe(180);

    const other = await c.batches.create({ input_file_id: input.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const cancelled = await c.batches.cancel(other.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.output_file_id).toBeNull();
  });
});

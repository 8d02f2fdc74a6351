/**
 * Stateful mode, files: what is uploaded comes back from retrieve, list and content, per session,
 * through the real server and the official SDK.
 */
import OpenAI, { toFile, NotFoundError } from 'openai';
import type { MockServer } from '../../src';
import { startMock, sdk } from '../helpers/server';

let mock: MockServer;
let client: OpenAI;
beforeAll(async () => {
  mock = await startMock({ state: true });
  client = sdk(mock);
});
afterAll(() => mock.close());
afterEach(() => mock.state!.reset());

test('an uploaded file is retrieved, listed, downloaded byte for byte and deleted', async () => {
  const bytes = Buffer.from('{"a":1}\n{"b":2}\n');
  const file = await client.files.create({ file: await toFile(bytes, 'data.jsonl'), purpose: 'batch' });
  expect(file).toMatchObject({ object: 'file', filename: 'data.jsonl', purpose: 'batch', bytes: bytes.length });
  expect(file.id).toMatch(/^file-/);

  expect(await client.files.retrieve(file.id)).toEqual(file);
  expect((await client.files.waitForProcessing(file.id)).status).toBe('processed');
  const content = await client.files.content(file.id);
  expect(Buffer.from(await content.arrayBuffer())).toEqual(bytes);

  const other = await client.files.create({ file: await toFile(Buffer.from('x'), 'a.txt'), purpose: 'assistants' });
  const all = await client.files.list();
  expect(all.data.map((f) => f.id)).toEqual([other.id, file.id]);
  const batchOnly = await client.files.list({ purpose: 'batch' });
  expect(batchOnly.data.map((f) => f.id)).toEqual([file.id]);

  expect(await client.files.delete(file.id)).toEqual({ id: file.id, object: 'file', deleted: true });
  await expect(client.files.retrieve(file.id)).rejects.toBeInstanceOf(NotFoundError);
  expect((await client.files.list()).data.map((f) => f.id)).toEqual([other.id]);
});

test("an unknown file id is the API's 404, in its words", async () => {
  const response = await fetch(`${mock.url}/v1/files/file-abc`, { headers: { authorization: 'Bearer sk-test' } });
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({ error: { message: 'No such File object: file-abc', type: 'invalid_request_error', param: 'id', code: null } });
});

test('two sessions do not see each other’s files', async () => {
  const a = new OpenAI({ baseURL: mock.url + '/v1', apiKey: 'sk-a', defaultHeaders: { 'x-mock-session': 'a' }, maxRetries: 0 });
  const b = new OpenAI({ baseURL: mock.url + '/v1', apiKey: 'sk-b', defaultHeaders: { 'x-mock-session': 'b' }, maxRetries: 0 });
  const file = await a.files.create({ file: await toFile(Buffer.from('mine'), 'a.txt'), purpose: 'assistants' });
  expect((await a.files.list()).data).toHaveLength(1);
  expect((await b.files.list()).data).toHaveLength(0);
  await expect(b.files.retrieve(file.id)).rejects.toBeInstanceOf(NotFoundError);
  mock.state!.reset('a');
  await expect(a.files.retrieve(file.id)).rejects.toBeInstanceOf(NotFoundError);
});

/**
 * Stateful mode, uploads and vector stores through the official SDK: upload, add to a store and
 * poll until processed (at once, or after the configured duration), search the chunks, delete.
 */
import OpenAI, { toFile, NotFoundError } from 'openai';
import type { MockServer } from '../../src';
import { startMock, sdk } from '../helpers/server';

const PARIS = 'Paris is the capital of France. The Eiffel Tower stands in Paris on the Seine.';
const ROME = 'Rome is the capital of Italy. The Colosseum is in Rome.';

let mock: MockServer;
let client: OpenAI;
beforeAll(async () => {
  mock = await startMock({ state: true });
  client = sdk(mock);
});
afterAll(() => mock.close());
afterEach(() => mock.state!.reset());

test('upload -> createAndPoll -> counts and bytes add up -> search ranks the matching file first -> delete', async () => {
  const paris = await client.files.create({ file: await toFile(Buffer.from(PARIS), 'paris.txt'), purpose: 'assistants' });
  const rome = await client.files.create({ file: await toFile(Buffer.from(ROME), 'rome.txt'), purpose: 'assistants' });
  const store = await client.vectorStores.create({ name: 'cities', metadata: { team: 'geo' } });
  expect(store).toMatchObject({ object: 'vector_store', name: 'cities', metadata: { team: 'geo' }, file_counts: { total: 0 }, usage_bytes: 0 });
  expect(store.id).toMatch(/^vs_/);

  const first = await client.vectorStores.files.createAndPoll(store.id, { file_id: paris.id, attributes: { country: 'fr' } });
  expect(first).toMatchObject({ id: paris.id, object: 'vector_store.file', status: 'completed', vector_store_id: store.id, usage_bytes: PARIS.length });
  const second = await client.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from(ROME), 'rome-2.txt'));
  expect(second.status).toBe('completed');

  const now = await client.vectorStores.retrieve(store.id);
  expect(now.status).toBe('completed');
  expect(now.file_counts).toEqual({ in_progress: 0, completed: 2, failed: 0, cancelled: 0, total: 2 });
  expect(now.usage_bytes).toBe(PARIS.length + ROME.length);

  const results = await client.vectorStores.search(store.id, { query: 'Eiffel Tower Paris' });
  expect(results.data[0]).toMatchObject({ file_id: paris.id, filename: 'paris.txt', attributes: { country: 'fr' } });
  expect(results.data[0]!.content[0]!.text).toContain('Eiffel');
  expect(results.data[0]!.score).toBeGreaterThan(0);
  expect(results.data.every((r) => r.score <= results.data[0]!.score)).toBe(true);
  // Attribute filters apply.
  const filtered = await client.vectorStores.search(store.id, { query: 'capital', filters: { type: 'eq', key: 'country', value: 'it' } });
  expect(filtered.data).toEqual([]);

  const listed = await client.vectorStores.files.list(store.id);
  expect(listed.data.map((f) => f.id).sort()).toEqual([paris.id, second.id].sort());

  expect(await client.vectorStores.files.delete(paris.id, { vector_store_id: store.id })).toMatchObject({ id: paris.id, deleted: true });
  expect((await client.vectorStores.retrieve(store.id)).file_counts.total).toBe(1);
  expect(await client.vectorStores.delete(store.id)).toEqual({ id: store.id, object: 'vector_store.deleted', deleted: true });
  await expect(client.vectorStores.retrieve(store.id)).rejects.toBeInstanceOf(NotFoundError);
  // The files themselves stay.
  expect((await client.files.retrieve(rome.id)).id).toBe(rome.id);
});

test("an unknown vector store is the API's 404", async () => {
  const response = await fetch(`${mock.url}/v1/vector_stores/vs_abc`, { headers: { authorization: 'Bearer sk-test' } });
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({ error: { message: "No vector store found with id 'vs_abc'.", type: 'invalid_request_error', param: null, code: null } });
});

test('file batches: uploadAndPoll completes with counts that add up', async () => {
  const store = await client.vectorStores.create({ name: 'batch' });
  const batch = await client.vectorStores.fileBatches.uploadAndPoll(store.id, {
    files: [await toFile(Buffer.from(PARIS), 'a.txt'), await toFile(Buffer.from(ROME), 'b.txt')],
  });
  expect(batch).toMatchObject({ object: 'vector_store.files_batch', status: 'completed', file_counts: { completed: 2, total: 2, in_progress: 0 } });
  const files = await client.vectorStores.fileBatches.listFiles(batch.id, { vector_store_id: store.id });
  expect(files.data).toHaveLength(2);
});

test('an empty file fails with last_error, and the counts say so', async () => {
  const empty = await client.files.create({ file: await toFile(Buffer.alloc(0), 'empty.txt'), purpose: 'assistants' });
  const store = await client.vectorStores.create({ name: 'e' });
  const file = await client.vectorStores.files.createAndPoll(store.id, { file_id: empty.id });
  expect(file).toMatchObject({ status: 'failed', last_error: { code: 'invalid_file' }, usage_bytes: 0 });
  expect((await client.vectorStores.retrieve(store.id)).file_counts).toMatchObject({ failed: 1, completed: 0, total: 1 });
});

test('uploads in parts: complete makes a file of the parts in the order given', async () => {
  const upload = await client.uploads.create({ bytes: 11, filename: 'parts.txt', mime_type: 'text/plain', purpose: 'assistants' });
  const world = await client.uploads.parts.create(upload.id, { data: await toFile(Buffer.from(' world'), 'p2') });
  const hello = await client.uploads.parts.create(upload.id, { data: await toFile(Buffer.from('hello'), 'p1') });
  const done = await client.uploads.complete(upload.id, { part_ids: [hello.id, world.id] });
  expect(done.status).toBe('completed');
  expect(done.file).toMatchObject({ object: 'file', filename: 'parts.txt', bytes: 11 });
  const content = await client.files.content(done.file!.id);
  expect(await content.text()).toBe('hello world');
});

describe('with a duration', () => {
  let slow: MockServer;
  afterAll(() => slow?.close());
  test('a file stays in_progress until the clock passes its duration; advance moves it on', async () => {
    slow = await startMock({ state: { durations: { 'vector_store.file.in_progress': 3_600_000 } } });
    const c = sdk(slow);
    const file = await c.files.create({ file: await toFile(Buffer.from(PARIS), 'p.txt'), purpose: 'assistants' });
    const store = await c.vectorStores.create({ file_ids: [file.id] });
    expect(store.status).toBe('in_progress');
    expect(store.file_counts).toMatchObject({ in_progress: 1, total: 1 });
    const { data, response } = await c.vectorStores.files.retrieve(file.id, { vector_store_id: store.id }).withResponse();
    expect(data.status).toBe('in_progress');
    expect(response.headers.get('openai-poll-after-ms')).toBe('1000');
    const advanced = await fetch(`${slow.url}/__admin/state/advance`, { method: 'POST', body: JSON.stringify({ ms: 3_600_000 }) });
    expect(advanced.status).toBe(200);
    expect((await c.vectorStores.retrieve(store.id)).file_counts).toMatchObject({ completed: 1, in_progress: 0 });
    const state = await (await fetch(`${slow.url}/__admin/state`)).json();
    expect(state.sessions.default).toMatchObject({ file: 1, vector_store: 1, 'vector_store.file': 1 });
  });
});

test('containers: files from an upload id or a multipart upload, content byte for byte, deleted with the container', async () => {
  const uploaded = await client.files.create({ file: await toFile(Buffer.from('a,b\n1,2\n'), 'data.csv'), purpose: 'user_data' });
  const container = await client.containers.create({ name: 'work', file_ids: [uploaded.id] });
  expect(container).toMatchObject({ object: 'container', name: 'work', status: 'running' });
  const direct = await client.containers.files.create(container.id, { file: await toFile(Buffer.from('print(1)'), 'main.py') });
  expect(direct).toMatchObject({ object: 'container.file', container_id: container.id, path: '/mnt/data/main.py', bytes: 8 });
  const files = await client.containers.files.list(container.id);
  expect(files.data.map((f) => f.path).sort()).toEqual(['/mnt/data/data.csv', '/mnt/data/main.py']);
  const csv = files.data.find((f) => f.path.endsWith('.csv'))!;
  expect(await (await client.containers.files.content.retrieve(csv.id, { container_id: container.id })).text()).toBe('a,b\n1,2\n');
  await client.containers.delete(container.id);
  await expect(client.containers.retrieve(container.id)).rejects.toBeInstanceOf(NotFoundError);
});

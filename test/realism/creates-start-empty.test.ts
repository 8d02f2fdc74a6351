/**
 * A create answers a new object: the documented example's own data (a batch's `customer_id`, a
 * conversation's `topic`, a vector store's 3 files and 139,920 bytes, an assistant's description)
 * never leaks into it. What the request sent comes back; the rest starts empty. Each body is also
 * valid against the spec's response schema.
 */
import OpenAI from 'openai';
import type { MockServer } from '../../src';
import type { PreparedSpec } from '../../src/openapi/prepare';
import type { ResponseSchemas } from '../../src/realism/default-bodies';
import { sdk, startMock } from '../helpers/server';
import { preparedSpec, responseSchemas, successChecker } from './support';

let mock: MockServer;
let client: OpenAI;
let spec: PreparedSpec;
let schemas: ResponseSchemas;

beforeAll(async () => {
  mock = await startMock();
  client = sdk(mock);
  spec = await preparedSpec();
  schemas = responseSchemas(spec);
});

afterAll(async () => {
  schemas?.dispose();
  await mock?.close();
});

function expectValid(operationId: string, body: unknown): void {
  const operation = spec.operations.find((o) => o.iid === operationId)!;
  expect(successChecker(schemas, operation)!.validate(JSON.parse(JSON.stringify(body)))).toBeUndefined();
}

test('batches.create without metadata: no metadata of the example, no requests counted', async () => {
  const batch = await client.batches.create({ input_file_id: 'file-in', endpoint: '/v1/chat/completions', completion_window: '24h' });
  expect(batch.metadata ?? {}).toEqual({});
  expect(batch.request_counts).toEqual({ total: 0, completed: 0, failed: 0 });
  expectValid('createBatch', batch);

  const tagged = await client.batches.create({ input_file_id: 'file-in', endpoint: '/v1/embeddings', completion_window: '24h', metadata: { run: '7' } });
  expect(tagged.metadata).toEqual({ run: '7' });
});

test('conversations.create({}) has no metadata of the example', async () => {
  const conversation = await client.conversations.create({});
  expect(conversation.metadata ?? {}).toEqual({});
  expectValid('createConversation', conversation);
});

test('a new vector store holds no files and no bytes', async () => {
  const store = await client.vectorStores.create({ name: 'docs' });
  expect(store.name).toBe('docs');
  expect(store.usage_bytes).toBe(0);
  expect(Object.values(store.file_counts).every((count) => count === 0)).toBe(true);
  expect(store.metadata ?? {}).toEqual({});
  expectValid('createVectorStore', store);
});

test('an assistant created without a description or name has none; what was sent comes back', async () => {
  const bare = await client.beta.assistants.create({ model: 'gpt-4o' });
  expect(bare.description).toBeNull();
  expect(bare.name).toBeNull();
  expect(bare.instructions).toBeNull();
  expect(bare.metadata ?? {}).toEqual({});
  expectValid('createAssistant', bare);

  const given = await client.beta.assistants.create({ model: 'gpt-4o', name: 'Tutor', description: 'Helps', metadata: { team: 'a' } });
  expect([given.name, given.description, given.metadata]).toEqual(['Tutor', 'Helps', { team: 'a' }]);
});

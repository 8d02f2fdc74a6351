/**
 * A create answers a new object: the documented example's own data (a batch's `customer_id`, a
 * conversation's `topic`, a vector store's 3 files and 139,920 bytes, an assistant's description)
 * never leaks into it. What the request sent comes back; the rest starts empty. Each body is also
 * valid against the spec's response schema.
 */
import { mockWithSchemas } from './support';

const { suite, expectValid } = mockWithSchemas();

test('batches.create without metadata: no metadata of the example, no requests counted', async () => {
  const batch = await suite.client.batches.create({ input_file_id: 'file-in', endpoint: '/v1/chat/completions', completion_window: '24h' });
  expect(batch.metadata ?? {}).toEqual({});
  expect(batch.request_counts).toEqual({ total: 0, completed: 0, failed: 0 });
  expectValid('createBatch', batch);

  const tagged = await suite.client.batches.create({ input_file_id: 'file-in', endpoint: '/v1/embeddings', completion_window: '24h', metadata: { run: '7' } });
  expect(tagged.metadata).toEqual({ run: '7' });
});

test('conversations.create({}) has no metadata of the example', async () => {
  const conversation = await suite.client.conversations.create({});
  expect(conversation.metadata ?? {}).toEqual({});
  expectValid('createConversation', conversation);
});

test('a new vector store holds no files and no bytes', async () => {
  const store = await suite.client.vectorStores.create({ name: 'docs' });
  expect(store.name).toBe('docs');
  expect(store.usage_bytes).toBe(0);
  expect(Object.values(store.file_counts).every((count) => count === 0)).toBe(true);
  expect(store.metadata ?? {}).toEqual({});
  expectValid('createVectorStore', store);
});

test('an assistant created without a description or name has none; what was sent comes back', async () => {
  const bare = await suite.client.beta.assistants.create({ model: 'gpt-4o' });
  expect(bare.description).toBeNull();
  expect(bare.name).toBeNull();
  expect(bare.instructions).toBeNull();
  expect(bare.metadata ?? {}).toEqual({});
  expectValid('createAssistant', bare);

  const given = await suite.client.beta.assistants.create({ model: 'gpt-4o', name: 'Tutor', description: 'Helps', metadata: { team: 'a' } });
  expect([given.name, given.description, given.metadata]).toEqual(['Tutor', 'Helps', { team: 'a' }]);
});

/**
 * Azure OpenAI's paths, through the official SDK's `AzureOpenAI` client: per-deployment
 * operations (the deployment answers as the model), the rest under `/openai/`, and the v1 API
 * at `/openai/v1/`. Raw HTTP for what a hand-written Azure client sends.
 */
import OpenAI, { AzureOpenAI, toFile } from 'openai';
import type { MockServer } from '../../src';
import { startMock } from '../helpers/server';

const API_VERSION = '2024-10-21';
let mock: MockServer;

beforeAll(async () => {
  mock = await startMock();
});

afterAll(async () => {
  await mock?.close();
});

/** The client as Azure's docs set it up: the resource endpoint, a key, an API version. */
const azure = (options: { deployment?: string } = {}) =>
  new AzureOpenAI({ endpoint: mock.url, apiKey: 'azure-key', apiVersion: API_VERSION, maxRetries: 0, timeout: 20_000, ...options });

describe('deployments: /openai/deployments/{deployment}/...', () => {
  test('chat completions: the model names the deployment, and it answers as the model', async () => {
    const completion = await azure().chat.completions.create({ model: 'my-gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('my-gpt-4o');
    expect(typeof completion.choices[0]!.message.content).toBe('string');
  });

  test("the client's deployment wins over the body's model, streamed too", async () => {
    const client = azure({ deployment: 'prod-chat' });
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.model).toBe('prod-chat');
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const models = new Set<string>();
    let text = '';
    for await (const chunk of stream) {
      models.add(chunk.model);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect([...models]).toEqual(['prod-chat']);
    expect(text.length).toBeGreaterThan(0);
  });

  test('completions, embeddings, images, speech, transcriptions, translations, batches', async () => {
    const client = azure({ deployment: 'dep-1' });
    expect((await client.completions.create({ model: 'x', prompt: 'Say hi' })).model).toBe('dep-1');
    const embeddings = await client.embeddings.create({ model: 'x', input: ['a', 'b'] });
    expect(embeddings.model).toBe('dep-1');
    expect(embeddings.data).toHaveLength(2);
    expect((await client.images.generate({ prompt: 'a cat', n: 2 })).data).toHaveLength(2);
    const speech = await client.audio.speech.create({ model: 'x', input: 'Hi', voice: 'alloy' });
    expect(speech.headers.get('content-type')).toBe('audio/mpeg');
    expect((await speech.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const file = await toFile(Buffer.from('not really audio'), 'hello.mp3');
    expect(typeof (await client.audio.transcriptions.create({ model: 'x', file })).text).toBe('string');
    expect(typeof (await client.audio.translations.create({ model: 'x', file })).text).toBe('string');
    const batch = await client.batches.create({ input_file_id: 'file-abc', endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(batch.object).toBe('batch');
  });

  test('the rest of the API is under /openai/ with the api-version', async () => {
    const client = azure();
    expect((await client.files.list()).data.length).toBeGreaterThan(0);
    expect((await client.models.retrieve('gpt-4o')).id).toBe('gpt-4o');
    const assistant = await client.beta.assistants.create({ model: 'dep-2' });
    expect(assistant.model).toBe('dep-2');
  });

  test('raw HTTP: a body without model answers as the deployment; api-version is not a parameter of the operation', async () => {
    const response = await fetch(`${mock.url}/openai/deployments/raw%20dep/chat/completions?api-version=${API_VERSION}`, {
      method: 'POST',
      headers: { 'api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.status).toBe(200);
    expect((await response.json()).model).toBe('raw dep');
  });

  test('raw HTTP: a deployment does not excuse an invalid body', async () => {
    const response = await fetch(`${mock.url}/openai/deployments/d/chat/completions?api-version=${API_VERSION}`, {
      method: 'POST',
      headers: { 'api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify({ messages: 'Hi' }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.param).toBe('messages');
  });

  test.each([
    ['GET', '/openai/deployments/d/models'],
    ['POST', '/openai/deployments/d/responses'],
    ['POST', '/openai/deployments//chat/completions'],
    ['POST', '/openai/deployments/d'],
    ['POST', '/openai/nope'],
  ])('raw HTTP: %s %s is not an Azure route: 404 Invalid URL', async (method, path) => {
    const response = await fetch(`${mock.url}${path}?api-version=${API_VERSION}`, {
      method,
      headers: { 'api-key': 'k', 'content-type': 'application/json' },
      body: method === 'POST' ? JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'Hi' }] }) : undefined,
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { message: `Invalid URL (${method} ${path})`, type: 'invalid_request_error', param: null, code: null },
    });
  });

  test('raw HTTP: no key is the usual 401', async () => {
    const response = await fetch(`${mock.url}/openai/deployments/d/embeddings?api-version=${API_VERSION}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'x' }),
    });
    expect(response.status).toBe(401);
  });
});

describe('the Azure v1 API: /openai/v1/...', () => {
  test('the OpenAI client with an Azure v1 base URL: the model comes from the body', async () => {
    const client = new OpenAI({ baseURL: `${mock.url}/openai/v1`, apiKey: 'azure-key', maxRetries: 0, defaultQuery: { 'api-version': 'preview' } });
    const response = await client.responses.create({ model: 'gpt-4.1-deployment', input: 'Hi' });
    expect(response.object).toBe('response');
    expect(response.model).toBe('gpt-4.1-deployment');
    const completion = await client.chat.completions.create({ model: 'dep-v1', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.model).toBe('dep-v1');
    expect((await client.models.list()).object).toBe('list');
  });
});

/**
 * What a user's code meets beyond one call: auto-pagination that ends, timestamps that follow one
 * another, transcripts in the text formats asked for, documented error statuses that look like
 * OpenAI's, and image URLs by default.
 */
import OpenAI, { toFile } from 'openai';
import type { MockServer } from '../../src';
import { sdk, startMock } from '../helpers/server';

let mock: MockServer;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMock();
  client = sdk(mock);
});
afterAll(async () => {
  await mock?.close();
});

const headers = { authorization: 'Bearer sk-test', 'content-type': 'application/json' };

describe('lists', () => {
  test.each([
    ['thread messages', () => client.beta.threads.messages.list('thread_abc', { limit: 1 })],
    ['assistants', () => client.beta.assistants.list({ limit: 1 })],
    ['files', () => client.files.list({ limit: 1 })],
    ['vector stores', () => client.vectorStores.list({ limit: 1 })],
  ])('for await over %s one item a page ends, each item once', async (_name, list) => {
    const ids: string[] = [];
    for await (const item of list()) {
      ids.push(item.id);
      if (ids.length > 100) break;
    }
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(100);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('a cursor that names no item gives an empty last page', async () => {
    const response = await fetch(`${mock.url}/v1/assistants?limit=2&after=asst_unknown`, { headers });
    const page = await response.json();
    expect(page.data).toEqual([]);
    expect(page.has_more).toBe(false);
  });
});

test('a response completes when it is created, not months later (also with a seed)', async () => {
  for (const extra of [{}, { prefer: 'seed=1' }]) {
    const response = await fetch(`${mock.url}/v1/responses`, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify({ model: 'gpt-4o', input: 'Hi' }) });
    const body = await response.json();
    expect(body.completed_at - body.created_at).toBeGreaterThanOrEqual(0);
    expect(body.completed_at - body.created_at).toBeLessThan(60);
  }
});

describe('transcripts', () => {
  const file = () => toFile(Buffer.from('fake audio'), 'speech.mp3');

  test('response_format text, srt and vtt answer plain text, which the SDK returns as a string', async () => {
    const text = await client.audio.transcriptions.create({ model: 'whisper-1', file: await file(), response_format: 'text' });
    expect(typeof text).toBe('string');
    expect((text as unknown as string).trim().length).toBeGreaterThan(0);
    const srt = (await client.audio.transcriptions.create({ model: 'whisper-1', file: await file(), response_format: 'srt' })) as unknown as string;
    expect(srt).toMatch(/^1\n00:00:00,000 --> 00:00:\d\d,000\n\S/);
    const vtt = (await client.audio.translations.create({ model: 'whisper-1', file: await file(), response_format: 'vtt' })) as unknown as string;
    expect(vtt).toMatch(/^WEBVTT\n\n00:00:00\.000 --> /);
  });

  test('json stays JSON', async () => {
    const json = await client.audio.transcriptions.create({ model: 'whisper-1', file: await file() });
    expect(typeof json.text).toBe('string');
  });
});

describe('documented error statuses (Prefer: code=...)', () => {
  test('a documented 429 is the API\'s rate-limit error, which the SDK raises with its message', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }, { headers: { prefer: 'code=429' } })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.message).toMatch(/Rate limit reached/);
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.headers.get('retry-after')).toBe('1');
  });

  test('a status the operation does not document is a 400 that says so, not a 404', async () => {
    const response = await fetch(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...headers, prefer: 'code=404' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error).toMatchObject({ param: 'Prefer', code: 'undocumented_status' });
    expect(error.message).toContain('createChatCompletion documents no 404 response (it documents 200, 429)');
  });
});

test('images without a model are DALL·E 2 URLs; GPT image models answer base64', async () => {
  const plain = await client.images.generate({ prompt: 'a cat' });
  expect(plain.data?.[0]?.url).toMatch(/^https:\/\//);
  const gpt = await client.images.generate({ prompt: 'a cat', model: 'gpt-image-1' });
  expect(gpt.data?.[0]?.b64_json).toBeTruthy();
});

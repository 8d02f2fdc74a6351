/**
 * The real server on a real socket, driven by the official `openai` SDK, at the SDK's usual base
 * URL (`.../v1`) and at the bare paths Prism-style clients use.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI, { toFile } from 'openai';
import type { MockServer } from '../../src';
import { sdk, startMock } from '../helpers/server';

let mock: MockServer;
let dir: string;
/** Every request's method, URL and status, as the server logged them. */
const log: string[] = [];

beforeAll(async () => {
  mock = await startMock({
    logLevel: 'info',
    logger: { level: 'info', info: (line) => log.push(line), warn: () => {}, error: () => {}, debug: () => {} },
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'openai-mock-sdk-'));
});

afterAll(async () => {
  await mock?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The status the server logged for the last request whose URL contains `fragment`. */
function loggedStatus(fragment: string): number | undefined {
  const line = [...log].reverse().find((l) => l.includes(fragment));
  return line ? Number(line.split(' ')[2]) : undefined;
}

describe.each([
  ['with /v1', '/v1'],
  ['without /v1', ''],
])('the SDK %s', (_name, prefix) => {
  let client: OpenAI;
  beforeAll(() => {
    client = sdk(mock, { prefix });
  });

  test('models.list', async () => {
    const page = await client.models.list();
    expect(Array.isArray(page.data)).toBe(true);
    for (const model of page.data) expect(model.object).toBe('model');
    expect(loggedStatus(`GET ${prefix}/models`)).toBe(200);
  });

  test('chat.completions.create', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      temperature: 0.2,
      stop: ['\n'],
      max_completion_tokens: 20,
    });
    expect(completion.object).toBe('chat.completion');
    expect(Array.isArray(completion.choices)).toBe(true);
    expect(completion._request_id).toMatch(/^req_/);
  });

  test('responses.create with an input-message array', async () => {
    const response = await client.responses.create({
      model: 'gpt-4o',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
    });
    expect(response.object).toBe('response');
    expect(Array.isArray(response.output)).toBe(true);
  });

  test('responses.create with a file_search tool and a compound filter', async () => {
    const response = await client.responses.create({
      model: 'gpt-4o',
      input: 'find it',
      tools: [
        {
          type: 'file_search',
          vector_store_ids: ['vs_1'],
          filters: { type: 'and', filters: [{ type: 'eq', key: 'a', value: 1 }, { type: 'gte', key: 'b', value: 2 }] },
        },
      ],
    });
    expect(response.object).toBe('response');
  });

  test('responses.retrieve sends the array query format (include[]=...)', async () => {
    const response = await client.responses.retrieve('resp_123', {
      include: ['message.output_text.logprobs', 'reasoning.encrypted_content'],
    });
    expect(response.object).toBe('response');
    const line = [...log].reverse().find((l) => l.includes(`${prefix}/responses/resp_123?`))!;
    expect(decodeURIComponent(line)).toContain('include[]=message.output_text.logprobs');
    expect(line).toMatch(/ 200 /);
  });

  test('a ?beta=true route: beta.responses.create and retrieve', async () => {
    const created = await client.beta.responses.create({
      model: 'gpt-4o',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
    });
    expect(created.object).toBe('response');
    expect(loggedStatus(`POST ${prefix}/responses?beta=true`)).toBe(200);
    const retrieved = await client.beta.responses.retrieve('resp_1', { include: ['reasoning.encrypted_content'] });
    expect(retrieved.object).toBe('response');
    expect(loggedStatus(`${prefix}/responses/resp_1?beta=true`)).toBe(200);
  });

  test('embeddings.create', async () => {
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two'], encoding_format: 'float' });
    expect(result.object).toBe('list');
    expect(Array.isArray(result.data)).toBe(true);
  });

  test('files.create with toFile (multipart) and files.content (Accept: application/binary)', async () => {
    const file = await client.files.create({
      file: await toFile(Buffer.from('{"prompt":"a","completion":"b"}\n'), 'train.jsonl', { type: 'application/jsonl' }),
      purpose: 'fine-tune',
    });
    expect(file.object).toBe('file');
    expect(loggedStatus(`POST ${prefix}/files`)).toBe(200);

    const content = await client.files.content('file-abc123');
    expect(content.status).toBe(200);
    // The file's bytes, as the API sends them (not the spec's JSON string, quotes and all).
    expect(content.headers.get('content-type')).toBe('application/octet-stream');
    expect(await content.text()).toContain('file-abc123');
  });

  test('audio.speech.create labels each response_format as the API does', async () => {
    const wavSpeech = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hi', response_format: 'wav' });
    expect(wavSpeech.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await wavSpeech.arrayBuffer()).subarray(0, 4).toString()).toBe('RIFF');
    const opus = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hi', response_format: 'opus' });
    expect(opus.headers.get('content-type')).toBe('audio/opus');
  });

  test('files.create with a real file on disk', async () => {
    const filePath = path.join(dir, `batch${prefix.replace('/', '-')}.jsonl`);
    await writeFile(filePath, '{"custom_id":"1","method":"POST","url":"/v1/chat/completions","body":{}}\n');
    const file = await client.files.create({ file: createReadStream(filePath), purpose: 'batch' });
    expect(file.object).toBe('file');
  });

  test('audio.speech.create answers bytes', async () => {
    const speech = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hello' });
    // Labelled as the API labels mp3 (the default format); the bytes are an MP3 frame.
    expect(speech.headers.get('content-type')).toBe('audio/mpeg');
    expect(speech.headers.get('transfer-encoding')).toBeNull();
    const bytes = Buffer.from(await speech.arrayBuffer());
    // An MPEG audio frame starts with eleven set bits.
    expect(bytes[0]).toBe(0xff);
    expect(bytes[1]! & 0xe0).toBe(0xe0);
  });

  test('audio.transcriptions.create (multipart with a file and an array field)', async () => {
    const transcription = await client.audio.transcriptions.create({
      file: await toFile(Buffer.from('RIFF0000WAVEfmt '), 'speech.wav', { type: 'audio/wav' }),
      model: 'gpt-4o-transcribe',
      language: 'en',
      temperature: 0,
      response_format: 'verbose_json',
      timestamp_granularities: ['word', 'segment'],
    });
    expect(typeof transcription.text).toBe('string');
  });

  test('images.generate', async () => {
    const images = await client.images.generate({ model: 'gpt-image-1', prompt: 'a red apple', n: 1, size: '1024x1024' });
    expect(typeof images.created).toBe('number');
  });

  test('images.edit (multipart with an image array)', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const images = await client.images.edit({
      model: 'gpt-image-1',
      image: [await toFile(png, 'a.png', { type: 'image/png' }), await toFile(png, 'b.png', { type: 'image/png' })],
      prompt: 'add a hat',
      n: 1,
    });
    expect(typeof images.created).toBe('number');
  });

  test('realtime.calls.create with an SDP offer alone (application/sdp both ways)', async () => {
    const answer = await client.realtime.calls.create({ sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('content-type')).toBe('application/sdp');
    expect((await answer.text()).length).toBeGreaterThan(0);
    expect(loggedStatus(`POST ${prefix}/realtime/calls`)).toBe(201);
  });

  test('realtime.calls.create with a session: multipart with a JSON-encoded part', async () => {
    const answer = await client.realtime.calls.create({
      sdp: 'v=0\r\n',
      session: { type: 'realtime', model: 'gpt-realtime', instructions: 'Be brief.' },
    });
    expect(answer.status).toBe(201);
  });

  test('moderations.create', async () => {
    const result = await client.moderations.create({ model: 'omni-moderation-latest', input: 'hello' });
    expect(Array.isArray(result.results)).toBe(true);
  });

  test('batches.create', async () => {
    const batch = await client.batches.create({
      input_file_id: 'file-abc123',
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { team: 'a' },
    });
    expect(batch.object).toBe('batch');
  });

  test('vectorStores.search with a nested compound filter', async () => {
    const page = await client.vectorStores.search('vs_123', {
      query: 'what is it',
      max_num_results: 5,
      filters: {
        type: 'and',
        filters: [
          { type: 'eq', key: 'a', value: 1 },
          {
            type: 'or',
            filters: [
              { type: 'in', key: 'b', value: ['x', 'y'] },
              { type: 'lt', key: 'c', value: 3 },
            ],
          },
        ],
      },
    });
    expect(Array.isArray(page.data)).toBe(true);
  });

  test('beta.assistants.create with its optional parameters', async () => {
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      name: 'Helper',
      instructions: 'Help.',
      tools: [{ type: 'code_interpreter' }, { type: 'file_search', file_search: { max_num_results: 5 } }],
      tool_resources: { code_interpreter: { file_ids: ['file-1'] }, file_search: { vector_store_ids: ['vs_1'] } },
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      metadata: { a: 'b' },
      temperature: 1,
      top_p: 1,
    });
    expect(assistant.object).toBe('assistant');
  });

  test('vectorStores.fileBatches.create', async () => {
    const batch = await client.vectorStores.fileBatches.create('vs_1', {
      file_ids: ['file-1', 'file-2'],
      attributes: { team: 'a', rank: 2, live: true },
      chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } },
    });
    expect(batch.object).toBe('vector_store.files_batch');
  });

  test('fineTuning.jobs.create with hyperparameters (exclusive bounds in the spec)', async () => {
    const job = await client.fineTuning.jobs.create({
      model: 'gpt-4o-mini',
      training_file: 'file-abc',
      method: { type: 'supervised', supervised: { hyperparameters: { learning_rate_multiplier: 0.5, n_epochs: 'auto', batch_size: 8 } } },
    });
    expect(job.object).toBe('fine_tuning.job');
  });

  test('videos.create (multipart) and videos.downloadContent (binary)', async () => {
    const video = await client.videos.create({ prompt: 'a cat', model: 'sora-2', seconds: '4', size: '720x1280' });
    expect(video.object).toBe('video');
    const content = await client.videos.downloadContent('video_1');
    expect(content.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await content.arrayBuffer()).subarray(4, 8).toString()).toBe('ftyp');
  });

  test('conversations.create with items, and items.list with include[]', async () => {
    const conversation = await client.conversations.create({ items: [{ type: 'message', role: 'user', content: 'Hi' }], metadata: { a: 'b' } });
    expect(conversation.object).toBe('conversation');
    const items = await client.conversations.items.list('conv_1', { include: ['message.output_text.logprobs'], limit: 5 });
    expect(Array.isArray(items.data)).toBe(true);
  });

  test('a list with the SDK pagination query (after, limit, order)', async () => {
    const page = await client.files.list({ limit: 2, order: 'asc', after: 'file-1', purpose: 'batch' });
    expect(Array.isArray(page.data)).toBe(true);
    expect(loggedStatus(`GET ${prefix}/files?`)).toBe(200);
  });
});

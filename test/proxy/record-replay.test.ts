/**
 * Record a session of the official SDK through the proxy (a second openai-mock upstream), stop the
 * upstream, replay it with no upstream at all: identical answers, run after run; misses named;
 * no secret on disk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { createMockServer, type MockServer } from '../../src';
import { SPEC } from '../helpers/server';

const UPSTREAM_KEY = 'sk-upstream-secret-0123456789abcdef';
const CLIENT_KEY = 'sk-client-secret-fedcba9876543210';

const client = (mock: MockServer) => new OpenAI({ baseURL: mock.url + '/v1', apiKey: CLIENT_KEY, organization: 'org-secret-organisation', project: 'proj_secret_project', maxRetries: 0, timeout: 20_000 });
const start = (options: Parameters<typeof createMockServer>[0]) => createMockServer({ port: 0, spec: SPEC, logLevel: 'silent', cors: false, ...options });

/** Plain, streamed, tool calls, an upload and audio bytes: everything kept as the client saw it. */
async function session(sdk: OpenAI) {
  const messages = [{ role: 'user' as const, content: 'Say hello' }];
  const plain = await sdk.chat.completions.create({ model: 'gpt-4o', messages, user: 'someone@example.com' });
  const stream = await sdk.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
  const chunks: unknown[] = [];
  for await (const part of stream) chunks.push(part);
  const tools = await sdk.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Weather in Paris? (my ref sk-inline-abc123)' }],
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    tool_choice: 'required',
  });
  const upload = await sdk.files.create({ file: await OpenAI.toFile(Buffer.from('{"prompt":"a"}\n'), 'train.jsonl'), purpose: 'fine-tune' });
  const listed = await sdk.files.list({ limit: 5 });
  const speech = await sdk.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hello' });
  const audio = Buffer.from(await speech.arrayBuffer());
  return { plain, chunks, tools, upload, listed: listed.data, audio: audio.toString('base64'), audioBytes: audio.length };
}

let dir: string;
let recorded: Awaited<ReturnType<typeof session>>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openai-mock-cassettes-'));
  const upstream = await start({ seed: 'upstream' });
  const proxy = await start({
    proxy: { target: upstream.url + '/v1', apiKey: UPSTREAM_KEY },
    replay: { dir, mode: 'record-missing' },
    record: { dir, redact: ['user', /sk-inline-[a-z0-9]+/g] },
  });
  try {
    recorded = await session(client(proxy));
  } finally {
    await proxy.close();
    await upstream.close();
  }
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the session was recorded, one readable cassette per exchange, binaries beside by sha256', () => {
  const names = fs.readdirSync(dir);
  const cassettes = names.filter((n) => n.endsWith('.json'));
  expect(cassettes.length).toBe(6);
  expect(cassettes.filter((n) => n.startsWith('createChatCompletion-'))).toHaveLength(3);
  expect(names.filter((n) => /^[0-9a-f]{64}\.bin$/.test(n))).toHaveLength(1);
  const streamed = cassettes.map((n) => JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8'))).find((c) => c.response.events);
  expect(streamed.version).toBe(1);
  expect(streamed.response.events.length).toBe(recorded.chunks.length + 1); // and [DONE]
  expect(streamed.response.events.every((e: any) => typeof e.at === 'number')).toBe(true);
  expect(recorded.audioBytes).toBeGreaterThan(0);
});

test('no secret in any cassette', () => {
  for (const name of fs.readdirSync(dir)) {
    const text = fs.readFileSync(path.join(dir, name), 'latin1');
    for (const secret of [UPSTREAM_KEY, CLIENT_KEY, 'org-secret-organisation', 'proj_secret_project', 'someone@example.com', 'sk-inline-abc123']) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/"authorization"|"api-key"|"openai-organization"|"openai-project"/i);
  }
});

test('replayed with no upstream: identical results, twice', async () => {
  for (let run = 0; run < 2; run++) {
    const replay = await start({ replay: { dir, speed: 'fast' } });
    try {
      expect(await session(client(replay))).toEqual(recorded);
    } finally {
      await replay.close();
    }
  }
});

test('replayed bytes are identical run after run', async () => {
  const bodies: string[] = [];
  for (let run = 0; run < 2; run++) {
    const replay = await start({ replay: { dir, speed: 'fast' } });
    try {
      const answer = await fetch(replay.url + '/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: 'Bearer sk-any', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello' }], stream: true }),
      });
      bodies.push(await answer.text());
    } finally {
      await replay.close();
    }
  }
  expect(bodies[0]).toContain('data: [DONE]');
  expect(bodies[1]).toBe(bodies[0]);
});

test('a miss is a 404 in OpenAI\'s shape naming the nearest cassette and the differing field', async () => {
  const replay = await start({ replay: { dir } });
  try {
    const error = await client(replay)
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello' }], user: 'someone@example.com', temperature: 0.5 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.code).toBe('cassette_not_found');
    expect(error.message).toMatch(/createChatCompletion-[0-9a-f]{12}\.json/);
    expect(error.message).toMatch(/body\.temperature/);
  } finally {
    await replay.close();
  }
});

test('replay.ignore leaves volatile fields out of matching; replayed answers still go through overrides', async () => {
  const replay = await start({
    replay: { dir, ignore: ['user'], speed: 'fast' },
    overrides: [{ operation: 'createChatCompletion', response: (ctx: any) => ({ body: { ...ctx.response.body, model: 'overridden' } }) }],
  });
  try {
    const answer = await client(replay).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello' }], user: 'someone-else' });
    expect(answer.id).toBe(recorded.plain.id);
    expect(answer.model).toBe('overridden');
  } finally {
    await replay.close();
  }
});

test('a replayed stream is folded for an override, rewritten, and streamed again', async () => {
  const replay = await start({
    replay: { dir, speed: 'fast' },
    overrides: [{ operation: 'createChatCompletion', response: (ctx: any) => ({ body: { ...ctx.response.body, model: 'overridden' } }) }],
  });
  try {
    const stream = await client(replay).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello' }], stream: true });
    let text = '';
    const ids = new Set<string>();
    const models = new Set<string>();
    for await (const part of stream) {
      text += part.choices[0]?.delta.content ?? '';
      ids.add(part.id);
      models.add(part.model);
    }
    const recordedText = (recorded.chunks as any[]).map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(recordedText);
    expect([...ids]).toEqual([(recorded.chunks[0] as any).id]);
    expect([...models]).toEqual(['overridden']);
  } finally {
    await replay.close();
  }
});

test('mock.useCassettes switches folders between tests', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'openai-mock-empty-'));
  const replay = await start({ replay: { dir: empty, speed: 'fast' } });
  try {
    const miss = await client(replay).files.list({ limit: 5 }).catch((e) => e);
    expect(miss.status).toBe(404);
    replay.useCassettes(dir);
    const listed = await client(replay).files.list({ limit: 5 });
    expect(listed.data).toEqual(recorded.listed);
  } finally {
    await replay.close();
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

/**
 * What the journal records (masked credentials, uploads by size and sha256, the 4xx answered before
 * any step, streams as events) and the admin API over it and the scripts.
 */
import { createHash } from 'node:crypto';
import OpenAI, { toFile } from 'openai';
import { type MockServer } from '../../src';
import { startMock, sdk } from '../helpers/server';
import { parseEventStream } from '../streaming/support';

let mock: MockServer;
let client: OpenAI;
beforeAll(async () => {
  mock = await startMock();
  client = sdk(mock);
});
afterAll(() => mock.close());
beforeEach(async () => {
  mock.journal.clear();
  mock.resetScripts();
});

const admin = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${mock.url}/__admin${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
};

test('an entry holds the request (credentials masked) and the answer', async () => {
  const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
  const entry = mock.journal.last('createChatCompletion')!;
  expect(entry).toMatchObject({
    session: 'default',
    method: 'POST',
    path: '/v1/chat/completions',
    operation: 'createChatCompletion',
    body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] },
    response: { status: 200, streamed: false, body: { id: completion.id } },
  });
  expect(entry.headers.authorization).toBe('Bearer sk-…-key');
  expect(JSON.stringify(entry)).not.toContain('sk-test-key');
  expect(Date.parse(entry.time)).not.toBeNaN();
  expect(entry.durationMs).toBeGreaterThanOrEqual(0);
});

test('an entry read is a plain object: nothing of its deferred filling shows, to code or to equality', async () => {
  await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
  const entry = mock.journal.last('createChatCompletion')!;
  expect(Object.getOwnPropertySymbols(entry)).toEqual([]);
  expect(Object.getOwnPropertySymbols(entry.response)).toEqual([]);
  // Strict equality with its own JSON round trip: no hidden slot, no undefined-valued key.
  expect(entry).toStrictEqual(JSON.parse(JSON.stringify(entry)));
  // Read again, the same.
  expect(mock.journal.last('createChatCompletion')).toStrictEqual(entry);
});

test('answers are kept as written: JSON whole, audio by size and sha256, text as text', async () => {
  const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
  expect(mock.journal.last('createChatCompletion')!.response.body).toEqual(JSON.parse(JSON.stringify(completion)));

  const speech = Buffer.from(await (await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hi', response_format: 'wav' })).arrayBuffer());
  expect(mock.journal.last('createSpeech')!.response.body).toEqual({ bytes: speech.length, sha256: createHash('sha256').update(speech).digest('hex') });

  const text = await client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(Buffer.from('RIFF'), 'a.wav'), response_format: 'text' });
  expect(mock.journal.last('createTranscription')!.response.body).toBe(text);

  const head = await fetch(`${mock.url}/v1/models`, { method: 'HEAD', headers: { authorization: 'Bearer sk-test-key' } });
  expect(head.status).toBe(200);
  // Asked for by HEAD, written without a body by Node, journaled as the answer it was.
  expect(mock.journal.last('listModels')!.response.body).toMatchObject({ object: 'list' });

  // A request body the front changed (an Azure deployment names the model) is kept as changed.
  await fetch(`${mock.url}/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21`, {
    method: 'POST',
    headers: { 'api-key': 'k', 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }] }),
  });
  expect(mock.journal.last('createChatCompletion')!.body).toEqual({ messages: [{ role: 'user', content: 'Hi' }], model: 'my-gpt' });
});

test('uploads are kept as name, size and sha256, not their bytes', async () => {
  const data = Buffer.from('{"prompt":"a","completion":"b"}\n'.repeat(50));
  await client.files.create({ file: await toFile(data, 'train.jsonl'), purpose: 'fine-tune' });
  const entry = mock.journal.last('createFile')!;
  expect(entry.body).toEqual({
    purpose: 'fine-tune',
    file: { filename: 'train.jsonl', mimeType: expect.any(String), bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') },
  });
});

test('answers given before any step are journaled too: 401, 404, 400', async () => {
  const raw = (path: string, init: RequestInit) => fetch(`${mock.url}${path}`, init);
  await raw('/v1/models', {});
  await raw('/v1/nope?api_key=sk-secret-value', { headers: { authorization: 'Bearer sk-test-key' } });
  await raw('/v1/chat/completions', { method: 'POST', headers: { authorization: 'Bearer sk-test-key', 'content-type': 'application/json' }, body: '{"model":"gpt-4o","messages":[{"role":"bot","content":"x"}]}' });
  const [unauthorized, unknown, invalid] = mock.journal.requests();
  expect(unauthorized).toMatchObject({ operation: 'listModels', response: { status: 401 } });
  expect(unknown).toMatchObject({ operation: null, path: '/v1/nope', query: { api_key: 'sk-…alue' }, response: { status: 404 } });
  expect(invalid).toMatchObject({ operation: 'createChatCompletion', body: { messages: [{ role: 'bot' }] }, response: { status: 400, body: { error: { param: 'messages[0].role' } } } });
});

test('a streamed answer is journaled as its events', async () => {
  const stream = client.responses.stream({ model: 'gpt-4o', input: 'Hi' });
  const final = await stream.finalResponse();
  const entry = mock.journal.last()!;
  expect(entry.response.streamed).toBe(true);
  expect(entry.response.body).toBeUndefined();
  const types = entry.response.events!.map((e) => e.event);
  expect(types[0]).toBe('response.created');
  expect(types[types.length - 1]).toBe('response.completed');
  expect((entry.response.events!.at(-1)!.data as any).response.id).toBe(final.id);
});

test('a paced chat stream is journaled as exactly the events that went out, while it goes and after', async () => {
  const paced = await startMock({ stream: { intervalMs: 5 } });
  try {
    const response = await fetch(`${paced.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Tell me "something" \\ with ünïcödé 👋' }], stream: true, n: 2 }),
    });
    const reader = response.body!.getReader();
    // Read while it streams: an entry read mid-stream has the events so far, and keeps up after.
    await reader.read();
    const early = paced.journal.last()!.response.events!.length;
    expect(early).toBeGreaterThan(0);
    let text = '';
    const decoder = new TextDecoder();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
    const sent = parseEventStream(text).map((e) => (e.data === '[DONE]' ? { data: '[DONE]' } : { data: JSON.parse(e.data) }));
    const journaled = paced.journal.last()!.response.events!;
    expect(journaled.length).toBeGreaterThan(early);
    // The first read took at least the first event; the rest came after it.
    expect(journaled.slice(-sent.length)).toEqual(sent);
  } finally {
    await paced.close();
  }
});

test('requests() filters by operation (operationId or METHOD /path), session and since; an unknown operation says the nearest', async () => {
  await client.models.list();
  const mark = mock.journal.last()!.id;
  await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
  await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
  expect(mock.journal.requests({ operation: 'POST /v1/chat/completions' }).map((e) => e.operation)).toEqual(['createChatCompletion']);
  expect(mock.journal.requests({ since: mark }).map((e) => e.operation)).toEqual(['createChatCompletion', 'createEmbedding']);
  expect(mock.journal.requests({ session: 'nobody' })).toEqual([]);
  expect(() => mock.journal.requests({ operation: 'createChatCompletions' })).toThrow('did you mean "createChatCompletion"?');
});

test('GET/DELETE /__admin/journal: list with filters, one entry, clear', async () => {
  await client.models.list();
  await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
  const list = await admin('GET', '/journal?operation=createChatCompletion');
  expect(list.status).toBe(200);
  expect(list.body).toMatchObject({ object: 'list', has_more: false, data: [{ operation: 'createChatCompletion' }] });
  const one = await admin('GET', `/journal/${list.body.data[0].id}`);
  expect(one.body).toEqual(list.body.data[0]);
  expect((await admin('GET', '/journal?limit=1')).body).toMatchObject({ has_more: true, data: [{ operation: 'createChatCompletion' }] });
  expect((await admin('GET', '/journal/999999')).status).toBe(404);
  expect((await admin('GET', '/journal?since=yesterday')).body.error).toMatchObject({ param: 'since' });
  expect((await admin('GET', '/journal?operation=nope')).status).toBe(400);
  expect((await admin('DELETE', '/journal')).body).toEqual({ deleted: 2 });
  expect((await admin('GET', '/journal')).body.data).toEqual([]);
});

test('POST/GET/DELETE /__admin/scripts: scripts as data, per session, with their use counts', async () => {
  const posted = await admin(
    'POST',
    '/scripts',
    [
      { operation: 'createChatCompletion', match: { lastUserMessage: { regex: 'weather', flags: 'i' } }, replies: [{ toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } }, { text: 'Sunny.' }] },
      { operation: 'createEmbedding', fail: { status: 429, retryAfter: 0 }, times: 1 },
    ],
    { 'x-mock-session': 'py' },
  );
  expect(posted.status).toBe(201);
  expect(posted.body.data.map((s: any) => [s.session, s.times, s.origin])).toEqual([['py', 1, 'admin'], ['py', 1, 'admin'], ['py', 1, 'admin']]);

  const py = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'sk-test-key', maxRetries: 0, defaultHeaders: { 'x-mock-session': 'py' } });
  const first = await py.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Weather in Paris?' }] });
  expect(first.choices[0]!.message.tool_calls![0]).toMatchObject({ function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
  // Another session does not meet them.
  const other = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Weather in Paris?' }] });
  expect(other.choices[0]!.message.content).not.toBe('Sunny.');
  const second = await py.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'And the weather now?' }] });
  expect(second.choices[0]!.message.content).toBe('Sunny.');

  const listed = await admin('GET', '/scripts?session=py');
  expect(listed.body).toMatchObject({ pending: 1, data: [{ used: 1 }, { used: 1 }, { used: 0, pending: true, operation: 'createEmbedding' }] });
  expect(() => mock.session('py').assertAllUsed()).toThrow(/1 script not used up:\n {2}- POST \/__admin\/scripts\[1\] \(createEmbedding, session py\): used 0 of 1/);
  expect((await admin('DELETE', '/scripts', undefined, { 'x-mock-session': 'py' })).body).toEqual({ deleted: 3 });
  expect((await admin('GET', '/scripts')).body.data).toEqual([]);
});

test('a bad script over HTTP is a 400 naming what is wrong, and adds nothing', async () => {
  const typo = await admin('POST', '/scripts', [{ operation: 'createChatCompletion', reply: 'ok' }, { operation: 'createChatCompletions', reply: 'x' }]);
  expect(typo.status).toBe(400);
  expect(typo.body.error.message).toBe('POST /__admin/scripts[1]: the spec has no operation "createChatCompletions" (did you mean "createChatCompletion"?)');
  const both = await admin('POST', '/scripts', { operation: 'createChatCompletion', reply: 'x', fail: { status: 500 } });
  expect(both.body.error.message).toMatch(/one of "reply", "replies", "fail" or "close", not reply and fail/);
  const status = await admin('POST', '/scripts', { operation: 'createChatCompletion', fail: { status: 200 } });
  expect(status.body.error.message).toMatch(/fail.status must be a whole number from 400 to 599/);
  const match = await admin('POST', '/scripts', { operation: 'createChatCompletion', match: { modle: 'x' }, reply: 'x' });
  expect(match.body.error.message).toMatch(/unknown key "match.modle"/);
  expect((await admin('GET', '/scripts')).body.data).toEqual([]);
});

test('matching on model, tools, body and paths; a partial body is completed into a valid answer', async () => {
  mock.on('createChatCompletion', { model: 'gpt-4o-mini', tools: false, where: { 'messages[0].role': 'system' } }).reply({ choices: [{ message: { content: 'mini' } }] });
  const tools = [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
  const sys = [{ role: 'system' as const, content: 's' }, { role: 'user' as const, content: 'u' }];
  const hit = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: sys });
  expect(hit).toMatchObject({ object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'mini' } }] });
  expect(hit.usage!.total_tokens).toBeGreaterThan(0);
  const misses = await Promise.all([
    client.chat.completions.create({ model: 'gpt-4o', messages: sys }),
    client.chat.completions.create({ model: 'gpt-4o-mini', messages: sys, tools }),
    client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'u' }] }),
  ]);
  for (const miss of misses) expect(miss.choices[0]!.message.content).not.toBe('mini');
  expect(mock.scripts()).toEqual([expect.objectContaining({ used: 1, times: null, pending: false })]);
});

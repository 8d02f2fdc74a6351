/**
 * Stateful mode: stored chat completions, pagination over real objects, a file-backed store that
 * survives a restart, overrides that read the store, and the admin API.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI, { toFile, NotFoundError } from 'openai';
import type { MockServer } from '../../src';
import { startMock, sdk } from '../helpers/server';

let mock: MockServer;
let client: OpenAI;
beforeAll(async () => {
  mock = await startMock({
    state: true,
    overrides: [
      {
        match: (request) => request.body.metadata?.rewrite === 'yes',
        operation: 'createChatCompletion',
        response: ({ response }) => ({ body: { ...response.body, choices: [{ ...response.body.choices[0], message: { role: 'assistant', content: 'rewritten', refusal: null } }] } }),
      },
      {
        // Answers from what was uploaded: the file's text, read from the store.
        operation: 'createEmbedding',
        response: ({ request, response, state }) => {
          const fileId = String(request.body.input);
          const bytes = state?.getBytes(fileId);
          return bytes ? { headers: { 'x-file-text': bytes.toString('utf8') } } : { body: response.body };
        },
      },
    ],
  });
  client = sdk(mock);
});
afterAll(() => mock.close());
afterEach(() => mock.state!.reset());

test('chat completions stored with store: true are listed, retrieved with their messages, updated and deleted', async () => {
  const kept = await client.chat.completions.create({ model: 'gpt-4o', store: true, metadata: { topic: 'greeting' }, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }] });
  const other = await client.chat.completions.create({ model: 'gpt-4o-mini', store: true, messages: [{ role: 'user', content: 'Bye' }] });
  await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'not stored' }] });

  const listed = await client.chat.completions.list();
  expect(listed.data.map((c) => c.id)).toEqual([kept.id, other.id]);
  expect((await client.chat.completions.list({ model: 'gpt-4o-mini' })).data.map((c) => c.id)).toEqual([other.id]);
  expect((await client.chat.completions.list({ metadata: { topic: 'greeting' } })).data.map((c) => c.id)).toEqual([kept.id]);

  const retrieved = await client.chat.completions.retrieve(kept.id);
  expect(retrieved.choices[0]!.message.content).toBe(kept.choices[0]!.message.content);
  const messages = await client.chat.completions.messages.list(kept.id);
  expect(messages.data.map((m) => [m.role, m.content])).toEqual([['system', 'Be brief.'], ['user', 'Hello']]);

  const updated = await client.chat.completions.update(kept.id, { metadata: { topic: 'changed' } });
  expect(updated.metadata).toEqual({ topic: 'changed' });
  expect((await client.chat.completions.retrieve(kept.id)).metadata).toEqual({ topic: 'changed' });

  expect(await client.chat.completions.delete(kept.id)).toEqual({ object: 'chat.completion.deleted', id: kept.id, deleted: true });
  await expect(client.chat.completions.retrieve(kept.id)).rejects.toBeInstanceOf(NotFoundError);
  expect((await client.chat.completions.list()).data.map((c) => c.id)).toEqual([other.id]);
});

test('a stored chat completion is kept as the override left it', async () => {
  const kept = await client.chat.completions.create({ model: 'gpt-4o', store: true, metadata: { rewrite: 'yes' }, messages: [{ role: 'user', content: 'Hello' }] });
  expect(kept.choices[0]!.message.content).toBe('rewritten');
  const retrieved = await client.chat.completions.retrieve(kept.id);
  expect(retrieved.choices[0]!.message.content).toBe('rewritten');
  expect(retrieved.metadata).toEqual({ rewrite: 'yes' });
});

test('pagination: limit, after, before, order, has_more and the SDK auto-paging over real objects', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await client.files.create({ file: await toFile(Buffer.from(`f${i}`), `f${i}.txt`), purpose: 'assistants' })).id);
  const newestFirst = [...ids].reverse();

  const first = await client.files.list({ limit: 2 });
  expect(first.data.map((f) => f.id)).toEqual(newestFirst.slice(0, 2));
  expect(first.has_more).toBe(true);
  const second = await client.files.list({ limit: 2, after: first.data[1]!.id });
  expect(second.data.map((f) => f.id)).toEqual(newestFirst.slice(2, 4));
  const asc = await client.files.list({ order: 'asc', limit: 3 });
  expect(asc.data.map((f) => f.id)).toEqual(ids.slice(0, 3));

  const all: string[] = [];
  for await (const file of client.files.list({ limit: 2 })) all.push(file.id);
  expect(all).toEqual(newestFirst);

  const raw = await (await fetch(`${mock.url}/v1/files?limit=2&before=${newestFirst[3]}`, { headers: { authorization: 'Bearer sk' } })).json();
  expect(raw).toMatchObject({ object: 'list', data: [{ id: newestFirst[1] }, { id: newestFirst[2] }], first_id: newestFirst[1], last_id: newestFirst[2], has_more: true });
});

test('an override reads what was uploaded from its context’s state', async () => {
  const file = await client.files.create({ file: await toFile(Buffer.from('the uploaded words'), 'words.txt'), purpose: 'user_data' });
  const { response } = await client.embeddings.create({ model: 'text-embedding-3-small', input: file.id }).withResponse();
  expect(response.headers.get('x-file-text')).toBe('the uploaded words');
});

test('the admin API counts objects per session and resets one session', async () => {
  const other = new OpenAI({ baseURL: mock.url + '/v1', apiKey: 'sk', defaultHeaders: { 'x-mock-session': 'other' }, maxRetries: 0 });
  await client.files.create({ file: await toFile(Buffer.from('a'), 'a.txt'), purpose: 'assistants' });
  await other.files.create({ file: await toFile(Buffer.from('b'), 'b.txt'), purpose: 'assistants' });
  const before = await (await fetch(`${mock.url}/__admin/state`)).json();
  expect(before.sessions).toEqual({ default: { file: 1 }, other: { file: 1 } });
  const reset = await fetch(`${mock.url}/__admin/state/reset`, { method: 'POST', body: JSON.stringify({ session: 'other' }) });
  expect(reset.status).toBe(200);
  expect((await (await fetch(`${mock.url}/__admin/state`)).json()).sessions).toEqual({ default: { file: 1 } });
  const bad = await fetch(`${mock.url}/__admin/state/advance`, { method: 'POST', body: JSON.stringify({ ms: -1 }) });
  expect(bad.status).toBe(400);
  expect((await bad.json()).error.param).toBe('ms');
});

test('without --stateful nothing is kept: a retrieve answers the spec’s example as before', async () => {
  const plain = await startMock();
  try {
    expect(plain.state).toBeUndefined();
    const c = sdk(plain);
    const file = await c.files.retrieve('file-anything');
    expect(file.object).toBe('file');
    expect((await fetch(`${plain.url}/__admin/state`)).status).toBe(404);
  } finally {
    await plain.close();
  }
});

test('a file-backed store keeps files, bytes and vector stores across a restart', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openai-mock-state-'));
  const store = path.join(dir, 'state.db');
  try {
    let server = await startMock({ state: { store } });
    let c = sdk(server);
    const file = await c.files.create({ file: await toFile(Buffer.from('kept across restarts'), 'kept.txt'), purpose: 'assistants' });
    const vs = await c.vectorStores.create({ name: 'kept', file_ids: [file.id] });
    await server.close();
    expect(fs.existsSync(store)).toBe(true);

    server = await startMock({ state: { store } });
    c = sdk(server);
    try {
      expect(await c.files.retrieve(file.id)).toEqual(file);
      expect(await (await c.files.content(file.id)).text()).toBe('kept across restarts');
      expect((await c.vectorStores.retrieve(vs.id)).file_counts.total).toBe(1);
      // New objects are listed after the old ones.
      const next = await c.files.create({ file: await toFile(Buffer.from('new'), 'new.txt'), purpose: 'assistants' });
      expect((await c.files.list()).data.map((f) => f.id)).toEqual([next.id, file.id]);
      server.state!.reset();
    } finally {
      await server.close();
    }
    server = await startMock({ state: { store } });
    try {
      expect((await sdk(server).files.list()).data).toEqual([]);
    } finally {
      await server.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an override rewrites what the store answers; under --seed two servers give the same ids and times', async () => {
  const seeded = async () =>
    startMock({
      state: true,
      seed: 7,
      overrides: [{ operation: 'retrieveFile', response: ({ response }) => ({ body: { ...response.body, filename: `renamed-${response.body.filename}` } }) }],
    });
  const [one, two] = [await seeded(), await seeded()];
  try {
    const made = [];
    for (const server of [one, two]) {
      const c = sdk(server);
      const file = await c.files.create({ file: await toFile(Buffer.from('x'), 'x.txt'), purpose: 'assistants' });
      const store = await c.vectorStores.create({ name: 'v', file_ids: [file.id] });
      expect((await c.files.retrieve(file.id)).filename).toBe('renamed-x.txt');
      made.push({ file: file.id, created: file.created_at, store: store.id });
    }
    expect(made[0]).toEqual(made[1]);
  } finally {
    await Promise.all([one.close(), two.close()]);
  }
});

test('under --seed, a restart on a kept store makes new ids, not the kept ones again', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openai-mock-seed-state-'));
  const store = path.join(dir, 'state.db');
  try {
    const ids: string[] = [];
    for (let run = 0; run < 2; run++) {
      const server = await startMock({ state: { store }, seed: 1 });
      try {
        ids.push((await sdk(server).files.create({ file: await toFile(Buffer.from(`run ${run}`), 'r.txt'), purpose: 'assistants' })).id);
        expect((await sdk(server).files.list()).data).toHaveLength(run + 1);
      } finally {
        await server.close();
      }
    }
    expect(ids[0]).not.toBe(ids[1]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The model catalogue: list, retrieve and delete answered as the API answers them, a configured
 * catalogue (replaced or extended), and --strict-models refusing unknown models, through the SDK,
 * the command and raw HTTP.
 */
import http from 'node:http';
import OpenAI, { toFile } from 'openai';
import type { MockServer } from '../../src';
import { MODELS } from '../../src/models/catalogue';
import { chat, defineOverride } from '../../src/authoring';
import { sdk, startMock } from '../helpers/server';
import { spawnCli } from '../helpers/cli';
import { tempProject } from '../overrides/support';

const notFound = (id: string) => ({
  message: `The model \`${id}\` does not exist or you do not have access to it.`,
  type: 'invalid_request_error',
  param: null,
  code: 'model_not_found',
});

const ask = (client: OpenAI, model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }] });

describe('the built-in catalogue', () => {
  let mock: MockServer;
  let client: OpenAI;
  beforeAll(async () => {
    mock = await startMock({ models: { extend: [{ id: 'ft:gpt-4o-mini:acme::abc123', owned_by: 'user-acme' }] } });
    client = sdk(mock);
  });
  afterAll(() => mock?.close());

  test('GET /v1/models lists the public models with their real owned_by and created', async () => {
    const listed = [];
    for await (const model of client.models.list()) listed.push(model);
    const ids = listed.map((m) => m.id);
    for (const id of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'o3', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'text-embedding-3-small', 'text-embedding-3-large', 'dall-e-3', 'gpt-image-1', 'whisper-1', 'tts-1', 'gpt-4o-mini-tts', 'omni-moderation-latest']) {
      expect(ids).toContain(id);
    }
    expect(ids.some((id) => /^model-id-\d/.test(id))).toBe(false);
    for (const model of MODELS) {
      expect(listed.find((m) => m.id === model.id)).toEqual({ id: model.id, object: 'model', created: model.created, owned_by: model.owned_by });
    }
    expect(listed.find((m) => m.id === 'whisper-1')!.owned_by).toBe('openai-internal');
    expect(listed.find((m) => m.id === 'gpt-4o')!.owned_by).toBe('system');
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('GET /v1/models/{id}: the entry, a dated snapshot of it, or the API 404', async () => {
    const gpt4o = MODELS.find((m) => m.id === 'gpt-4o')!;
    expect(await client.models.retrieve('gpt-4o')).toEqual({ id: 'gpt-4o', object: 'model', created: gpt4o.created, owned_by: 'system' });
    expect(await client.models.retrieve('gpt-4o-2024-08-06')).toEqual({ id: 'gpt-4o-2024-08-06', object: 'model', created: gpt4o.created, owned_by: 'system' });
    const error = await client.models.retrieve('gpt-7-ultra').catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.status).toBe(404);
    expect(error.error).toEqual(notFound('gpt-7-ultra'));
    expect(error.code).toBe('model_not_found');
  });

  test('without --strict-models, any model name still gets an answer', async () => {
    expect((await ask(client, 'my-local-llama')).model).toBe('my-local-llama');
  });

  test('DELETE /v1/models/{id} deletes a fine-tune (then it is gone), refuses OpenAI models, 404s unknown ones', async () => {
    const id = 'ft:gpt-4o-mini:acme::abc123';
    expect((await client.models.retrieve(id)).owned_by).toBe('user-acme');
    // Listed (the list's JSON is kept from here on) before it goes.
    const before = [];
    for await (const model of client.models.list()) before.push(model.id);
    expect(before).toContain(id);
    expect(await client.models.delete(id)).toEqual({ id, object: 'model', deleted: true });
    const after = await client.models.retrieve(id).catch((e) => e);
    expect(after).toBeInstanceOf(OpenAI.NotFoundError);
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).not.toContain(id);
    const again = await client.models.delete(id).catch((e) => e);
    expect(again.error).toEqual(notFound(id));

    // A fine-tune of a catalogue model that nobody configured exists too (without --strict-models), until deleted.
    const unlisted = 'ft:gpt-4o-mini:acemeco:suffix:abc123';
    expect(await client.models.retrieve(unlisted)).toEqual({ id: unlisted, object: 'model', created: expect.any(Number), owned_by: 'organization-owner' });
    expect((await client.models.delete(unlisted)).deleted).toBe(true);
    expect((await client.models.retrieve(unlisted).catch((e) => e)).status).toBe(404);
    expect((await client.models.delete(unlisted).catch((e) => e)).status).toBe(404);
    expect((await client.models.retrieve('ft:llama-3:acme::x').catch((e) => e)).error).toEqual(notFound('ft:llama-3:acme::x'));

    const base = await client.models.delete('gpt-4o').catch((e) => e);
    expect(base).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(base.error.type).toBe('invalid_request_error');
    expect((await client.models.retrieve('gpt-4o')).id).toBe('gpt-4o');
  });
});

test('the models list is written as kept, yet an override that edits it in place is heard', async () => {
  const mock = await startMock();
  try {
    const get = async () => (await fetch(`${mock.url}/v1/models`, { headers: { authorization: 'Bearer sk-test' } })).text();
    const first = await get();
    expect(await get()).toBe(first);
    expect(JSON.parse(first)).toMatchObject({ object: 'list', data: expect.arrayContaining([expect.objectContaining({ id: 'gpt-4o' })]) });
    mock.setOverrides([
      {
        operation: 'listModels',
        response: (ctx) => {
          (ctx.response.body as { data: unknown[] }).data.push({ id: 'in-place', object: 'model', created: 1, owned_by: 'me' });
        },
      },
    ]);
    expect(JSON.parse(await get()).data.at(-1)).toEqual({ id: 'in-place', object: 'model', created: 1, owned_by: 'me' });
    mock.setOverrides([]);
    // The edit was that answer's alone.
    expect(await get()).toBe(first);
  } finally {
    await mock.close();
  }
});

describe('a configured catalogue', () => {
  test('an array replaces the catalogue; a known id keeps its real fields', async () => {
    const mock = await startMock({ models: ['gpt-4o', { id: 'house-model', owned_by: 'acme', created: 1700000000 }, 'bare'] });
    try {
      const client = sdk(mock);
      const listed = (await client.models.list()).data;
      const gpt4o = MODELS.find((m) => m.id === 'gpt-4o')!;
      expect(listed).toEqual([
        { id: 'gpt-4o', object: 'model', created: gpt4o.created, owned_by: 'system' },
        { id: 'house-model', object: 'model', created: 1700000000, owned_by: 'acme' },
        { id: 'bare', object: 'model', created: expect.any(Number), owned_by: 'organization-owner' },
      ]);
      expect((await client.models.retrieve('house-model')).owned_by).toBe('acme');
      expect((await client.models.retrieve('gpt-4o-mini').catch((e) => e)).status).toBe(404);
    } finally {
      await mock.close();
    }
  });

  test('{ extend, remove } changes the built-in catalogue', async () => {
    const mock = await startMock({ models: { extend: [{ id: 'gpt-4o', owned_by: 'me' }, 'extra-model'], remove: ['dall-e-2'] } });
    try {
      const client = sdk(mock);
      const listed = (await client.models.list()).data;
      expect(listed.length).toBe(MODELS.length);
      expect(listed.find((m) => m.id === 'gpt-4o')!.owned_by).toBe('me');
      expect(listed.map((m) => m.id)).toContain('extra-model');
      expect(listed.map((m) => m.id)).not.toContain('dall-e-2');
      expect((await client.models.retrieve('dall-e-2').catch((e) => e)).status).toBe(404);
    } finally {
      await mock.close();
    }
  });

  test('a wrong `models` value is an error naming the key', async () => {
    await expect(startMock({ models: [{ id: '' }] } as never)).rejects.toThrow(/option "models" must be an array of model ids/);
    await expect(startMock({ models: { add: ['x'] } } as never)).rejects.toThrow(/option "models" must be/);
  });
});

describe('--strict-models', () => {
  let mock: MockServer;
  let client: OpenAI;
  beforeAll(async () => {
    mock = await startMock({
      strictModels: true,
      models: { extend: ['ft:gpt-4o-mini:acme::ok', 'echo'] },
      overrides: [defineOverride({ operation: 'createChatCompletion', match: (r) => r.body.model?.startsWith('echo'), response: (ctx) => chat.reply(ctx, 'from the override') })],
    });
    client = sdk(mock);
  });
  afterAll(() => mock?.close());

  test('a model outside the catalogue fails as the API fails: chat, streaming, embeddings, responses, transcriptions', async () => {
    for (const call of [
      () => ask(client, 'gpt-9'),
      () => client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
      () => client.embeddings.create({ model: 'gpt-9', input: 'Hi' }),
      () => client.responses.create({ model: 'gpt-9', input: 'Hi' }),
      async () => client.audio.transcriptions.create({ model: 'gpt-9', file: await toFile(Buffer.from('RIFF'), 'a.wav') }),
    ]) {
      const error = await call().catch((e) => e);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error.error).toEqual(notFound('gpt-9'));
    }
  });

  test('catalogue models, their dated snapshots and configured fine-tunes pass', async () => {
    expect((await ask(client, 'gpt-4o-mini')).model).toBe('gpt-4o-mini');
    expect((await ask(client, 'gpt-4o-2024-08-06')).model).toBe('gpt-4o-2024-08-06');
    expect((await ask(client, 'ft:gpt-4o-mini:acme::ok')).model).toBe('ft:gpt-4o-mini:acme::ok');
    // Only the fine-tunes the catalogue lists: another of the same base is unknown.
    expect((await ask(client, 'ft:gpt-4o-mini:acme::other').catch((e) => e)).error).toEqual(notFound('ft:gpt-4o-mini:acme::other'));
    expect((await client.models.retrieve('ft:gpt-4o-mini:acme::other').catch((e) => e)).status).toBe(404);
    expect((await client.embeddings.create({ model: 'text-embedding-3-small', input: 'Hi' })).data[0]!.embedding.length).toBe(1536);
  });

  test('the catalogue is the truth: an override answers for its own model once the catalogue has it', async () => {
    expect((await ask(client, 'echo')).choices[0]!.message.content).toBe('from the override');
    const error = await ask(client, 'echo-2').catch((e) => e);
    expect(error.error).toEqual(notFound('echo-2'));
  });

  test('raw HTTP: the 404 body is exact; a model that is not a string is the validator\'s 400', async () => {
    const post = (body: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.request(`${mock.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' } }, (response) => {
          let text = '';
          response.on('data', (c) => (text += c));
          response.on('end', () => resolve({ status: response.statusCode!, body: text }));
        });
        request.on('error', reject);
        request.end(body);
      });
    const unknown = await post(JSON.stringify({ model: 'nope\u0000"</>', messages: [{ role: 'user', content: 'Hi' }] }));
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({ error: notFound('nope\u0000"</>') });
    const numeric = await post(JSON.stringify({ model: 5, messages: [{ role: 'user', content: 'Hi' }] }));
    expect(numeric.status).toBe(400);
    expect(JSON.parse(numeric.body).error.param).toBe('model');
    const odd = await fetch(`${mock.url}/v1/models/${encodeURIComponent('a/../b%')}`, { headers: { authorization: 'Bearer t' } });
    expect(odd.status).toBe(404);
    expect((await odd.json()).error.code).toBe('model_not_found');
  });
});

describe('the command', () => {
  test('--strict-models and the config file\'s models', async () => {
    const project = await tempProject('openai-mock-models-');
    try {
      await project.write('openai-mock.config.json', JSON.stringify({ models: ['gpt-4o-mini', { id: 'ft:gpt-4o-mini:acme::x', owned_by: 'user-acme' }] }));
      const run = spawnCli(['--port', '0', '--strict-models', '--log-level', 'warn'], { cwd: project.dir, env: { OPENAI_MOCK_SPEC: process.env.OPENAI_MOCK_SPEC } });
      try {
        const [, url] = await run.waitFor(/listening on (http:\/\/\S+)/);
        const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
        expect((await client.models.list()).data.map((m) => m.id)).toEqual(['gpt-4o-mini', 'ft:gpt-4o-mini:acme::x']);
        expect((await ask(client, 'gpt-4o-mini')).model).toBe('gpt-4o-mini');
        const error = await ask(client, 'gpt-4o').catch((e) => e);
        expect(error.status).toBe(404);
        expect(error.error).toEqual(notFound('gpt-4o'));
      } finally {
        await run.stop();
      }
    } finally {
      await project.remove();
    }
  });

  test('OPENAI_MOCK_STRICT_MODELS turns it on; a bad `models` in the config is one line naming the file and key', async () => {
    const project = await tempProject('openai-mock-models-');
    try {
      const run = spawnCli(['--port', '0', '--log-level', 'warn'], { cwd: project.dir, env: { OPENAI_MOCK_STRICT_MODELS: 'yes', OPENAI_MOCK_SPEC: process.env.OPENAI_MOCK_SPEC } });
      try {
        const [, url] = await run.waitFor(/listening on (http:\/\/\S+)/);
        const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
        expect((await ask(client, 'gpt-9').catch((e) => e)).status).toBe(404);
      } finally {
        await run.stop();
      }
      const file = await project.write('openai-mock.config.json', JSON.stringify({ models: 'gpt-4o' }));
      const bad = spawnCli(['--port', '0'], { cwd: project.dir });
      expect((await bad.exited).code).toBe(1);
      expect(bad.output()).toContain(`openai-mock: ${file}: "models" must be an array of model ids`);
    } finally {
      await project.remove();
    }
  });
});

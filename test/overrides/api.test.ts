/**
 * Overrides through the library API: `createMockServer({ overrides, config })` and
 * `setOverrides`, in this process, with a logger that keeps its lines.
 */
import OpenAI from 'openai';
import { chat, ConfigError, defineOverride, errors, type MockServer } from '../../src';
import { createLogger } from '../../src/log/logger';
import { sdk, startMock } from '../helpers/server';
import { tempProject } from './support';
import { whenQuiet } from '../../src/util/when-quiet';

/** The checks queued so far have run: they run in order, once the server is not busy. */
const checked = () => new Promise<void>((resolve) => whenQuiet(resolve));

const lines: string[] = [];
const logger = createLogger('debug', (line) => lines.push(line));
let mock: MockServer;
let client: OpenAI;
let project: Awaited<ReturnType<typeof tempProject>>;

const hello = defineOverride({ operation: 'createChatCompletion', response: (ctx) => chat.reply(ctx, 'Hello World!!') });

beforeAll(async () => {
  project = await tempProject('openai-mock-api-');
  await project.write(
    'package.json',
    JSON.stringify({ name: 'app', 'openai-mock': { overridesDir: 'mocks', seed: 'fixed' } }),
  );
  await project.write(
    'mocks/models.ts',
    "import { defineOverride } from 'openai-mock';\nexport default defineOverride({ operation: 'retrieveModel', response: (ctx) => ({ body: { ...ctx.response.body, id: ctx.request.params.model, owned_by: 'config' } }) });\n",
  );
  mock = await startMock({ logger, config: true, cwd: project.dir, overrides: [hello] });
  client = sdk(mock);
});

afterAll(async () => {
  await mock?.close();
  await project?.remove();
});

const ask = (model = 'gpt-4o') => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }] });

test('a config found from `cwd` (package.json) and overrides given in code apply together', async () => {
  expect(mock.configFile).toBe(`${project.dir}/package.json`);
  expect((await client.models.retrieve('gpt-4.1')).owned_by).toBe('config');
  expect((await client.models.retrieve('gpt-4.1')).id).toBe('gpt-4.1');
  expect((await ask()).choices[0]!.message.content).toBe('Hello World!!');
  // The config's seed: the same request gets the same id.
  expect((await ask()).id).toBe((await ask()).id);
});

test('several overrides apply in order: each sees the response the ones before it left', async () => {
  mock.setOverrides([
    hello,
    defineOverride({
      operation: 'POST /v1/chat/completions',
      response: (ctx) => ({ headers: { 'X-Seen': ctx.response.body.choices[0]!.message.content ?? '' } }),
    }),
    // Static replacement, no function; `match` picks by model.
    defineOverride({ operation: 'POST /chat/completions', match: (r) => r.body.model === 'quota', response: errors.insufficientQuota() }),
    // `*`: every operation.
    defineOverride({ operation: '*', response: () => ({ headers: { 'x-mocked': 'yes' } }) }),
  ]);
  const { data, response } = await ask().withResponse();
  expect(data.choices[0]!.message.content).toBe('Hello World!!');
  expect(response.headers.get('x-seen')).toBe('Hello World!!');
  expect(response.headers.get('x-mocked')).toBe('yes');
  const models = await client.models.list().withResponse();
  expect(models.response.headers.get('x-mocked')).toBe('yes');

  const error = await ask('quota').catch((e) => e);
  expect(error).toBeInstanceOf(OpenAI.RateLimitError);
  expect(error.code).toBe('insufficient_quota');
});

test('route keys take any parameter name and the /v1 prefix or not', async () => {
  mock.setOverrides([defineOverride({ operation: 'GET /v1/models/{id}', response: (ctx) => ({ body: { ...ctx.response.body, owned_by: `code:${ctx.request.params.model}` } }) })]);
  expect((await client.models.retrieve('o3')).owned_by).toBe('code:o3');
});

test('setOverrides refuses a set naming no operation, with the nearest name, and keeps the current one', async () => {
  mock.setOverrides([hello]);
  expect(() => mock.setOverrides([{ operation: 'POST /chat/completion', response: {} }])).toThrow(ConfigError);
  expect(() => mock.setOverrides([{ operation: 'POST /chat/completion', response: {} }])).toThrow(
    'overrides[0]: the spec has no operation "POST /chat/completion" (did you mean "POST /chat/completions"?)',
  );
  expect(() => mock.setOverrides([{ operation: 'createChatCompletion' } as never])).toThrow('overrides[0]: "response" must be a function or a replacement');
  expect((await ask()).choices[0]!.message.content).toBe('Hello World!!');
});

test('a body that does not match the response schema is sent, with a warning naming the field', async () => {
  mock.setOverrides([
    defineOverride({ name: 'drift', operation: 'createChatCompletion', response: (ctx) => ({ body: { ...ctx.response.body, object: 'chat.completions' as 'chat.completion' } }) }),
  ]);
  const raw = await ask().withResponse();
  expect(raw.data.object).toBe('chat.completions');
  await ask();
  await checked();
  const warnings = lines.filter((l) => l.startsWith('warn: override overrides[0] (drift)'));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain('createChatCompletion');
  expect(warnings[0]).toContain('`object`');
  if (process.env.SHOW_LOG) console.log(warnings[0]);
});

test('the drift check waits while the server is busy, then warns', async () => {
  mock.setOverrides([
    defineOverride({ name: 'busy', operation: 'createChatCompletion', response: (ctx) => ({ body: { ...ctx.response.body, object: 'chat.completions' as 'chat.completion' } }) }),
  ]);
  const warned = () => lines.filter((l) => l.startsWith('warn: override overrides[0] (busy)')).length;
  await ask();
  // The loop busy 5 ms of every 5.x for 300 ms, as under a load test: the check must not run meanwhile.
  const until = performance.now() + 300;
  await new Promise<void>((resolve) => {
    const spin = () => {
      const end = performance.now() + 5;
      while (performance.now() < end);
      if (performance.now() < until) setImmediate(spin);
      else resolve();
    };
    spin();
  });
  expect(warned()).toBe(0);
  await checked();
  expect(warned()).toBe(1);
});

test('past its first 64 bodies for an operation an override is checked one time in 64; a new set starts again', async () => {
  let calls = 0;
  const later = () =>
    defineOverride({
      name: 'later',
      operation: 'createChatCompletion',
      response: (ctx) => ({ body: { ...ctx.response.body, object: (++calls > 64 ? 'chat.completions' : 'chat.completion') as 'chat.completion' } }),
    });
  mock.setOverrides([later()]);
  const warned = () => lines.filter((l) => l.startsWith('warn: override overrides[0] (later)')).length;
  for (let i = 0; i < 127; i++) await ask();
  await checked();
  // Bodies 65 to 127 drifted, unchecked.
  expect(warned()).toBe(0);
  await ask();
  await checked();
  expect(warned()).toBe(1);
  // Set again (as a reload does): checked from its first body on.
  mock.setOverrides([later()]);
  calls = 100;
  await ask();
  await checked();
  expect(warned()).toBe(2);
});

test('an override that throws or returns nonsense answers that request with a 500; the server goes on', async () => {
  mock.setOverrides([
    defineOverride({ name: 'thrower', operation: 'createChatCompletion', match: (r) => r.body.model === 'throw', response: () => { throw new RangeError('out of range'); } }),
    defineOverride({ operation: 'createChatCompletion', match: (r) => r.body.model === 'bad-status', response: () => ({ status: 42 }) }),
    hello,
  ]);
  const thrown = await ask('throw').catch((e) => e);
  expect(thrown).toBeInstanceOf(OpenAI.InternalServerError);
  expect(thrown.error).toEqual({ message: 'The override overrides[0] (thrower) threw: out of range', type: 'server_error', param: null, code: null });
  expect(lines.some((l) => l.startsWith('error: override overrides[0] (thrower) threw on POST /v1/chat/completions: RangeError: out of range\n    at '))).toBe(true);

  const bad = await ask('bad-status').catch((e) => e);
  expect(bad.status).toBe(500);
  expect(bad.error.message).toContain('returned status 42');
  expect((await ask()).choices[0]!.message.content).toBe('Hello World!!');
});

test('an override\'s `stream` control reaches the streamed answer: an error event after two events', async () => {
  mock.setOverrides([
    defineOverride({
      operation: 'createChatCompletion',
      response: (ctx) => ({ ...chat.reply(ctx, 'one two three four five'), stream: { errorAfter: 2, error: { message: 'stream broke', type: 'server_error' } } }),
    }),
  ]);
  const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
  const received: string[] = [];
  const failure = await (async () => {
    for await (const chunk of stream) received.push(chunk.choices[0]?.delta?.content ?? '');
  })().catch((e) => e);
  expect(failure?.message).toContain('stream broke');
  expect(received).toHaveLength(2);
});

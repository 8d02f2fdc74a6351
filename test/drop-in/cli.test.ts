/**
 * Strict keys and Azure paths through the real command: `--api-key` (repeatable), the config's
 * `apiKeys`, `OPENAI_MOCK_API_KEYS`, which one wins, and what a wrong value gets.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI, { AzureOpenAI } from 'openai';
import { spawnCli } from '../helpers/cli';

const LISTENING = /^openai-mock listening on (http:\/\/127\.0\.0\.1:\d+) /m;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openai-mock-drop-in-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The command from an empty folder (no config found), without the test environment's key list. */
function start(args: string[], env: Record<string, string | undefined> = {}) {
  return spawnCli(args, { cwd: dir, env: { OPENAI_MOCK_API_KEYS: undefined, ...env } });
}

async function statusFor(url: string, key: string, header: 'authorization' | 'api-key' = 'authorization') {
  const headers: Record<string, string> = header === 'authorization' ? { authorization: `Bearer ${key}` } : { 'api-key': key };
  const response = await fetch(`${url}/v1/models`, { headers, signal: AbortSignal.timeout(10_000) });
  const body = await response.json();
  return response.status === 401 ? `401 ${body.error.code}: ${body.error.message}` : response.status;
}

test("default flags: any key, spaces included, through Bearer or Azure's api-key; none is the API's 401", async () => {
  const run = start(['--port', '0']);
  try {
    const [, url] = await run.waitFor(LISTENING);
    expect(await statusFor(url!, 'My API Key')).toBe(200);
    expect(await statusFor(url!, 'My API Key', 'api-key')).toBe(200);
    const generated = new OpenAI({ baseURL: url, apiKey: 'My API Key', maxRetries: 0 });
    expect((await generated.embeddings.create({ model: 'text-embedding-3-small', input: 'x' })).data).toHaveLength(1);
    const none = await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer ' } });
    expect(none.status).toBe(401);
    expect((await none.json()).error).toMatchObject({ message: expect.stringMatching(/^You didn't provide an API key\./), code: null });
  } finally {
    await run.stop();
  }
});

test('--api-key, repeated: only those keys, through the SDK and AzureOpenAI; others get the masked 401', async () => {
  const run = start(['--port', '0', '--api-key', 'sk-first-key-000000001', '--api-key', 'My API Key']);
  try {
    const [, url] = await run.waitFor(LISTENING);
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-first-key-000000001', maxRetries: 0 });
    expect((await client.models.list()).object).toBe('list');
    const azure = new AzureOpenAI({ endpoint: url, apiKey: 'My API Key', apiVersion: '2024-10-21', maxRetries: 0 });
    const completion = await azure.chat.completions.create({ model: 'my-deployment', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.model).toBe('my-deployment');

    expect(await statusFor(url!, 'sk-first-key-000000002')).toBe(
      '401 invalid_api_key: Incorrect API key provided: sk-first**********0002. You can find your API key at https://platform.openai.com/account/api-keys.',
    );
    expect(await statusFor(url!, 'sk-first-key-000000002', 'api-key')).toMatch(/^401 invalid_api_key/);
    await run.waitFor(/^GET \/v1\/models 401 /m);
    // The log line shows the request, never the key.
    expect(run.output()).not.toContain('000000002');
  } finally {
    await run.stop();
  }
});

test('OPENAI_MOCK_API_KEYS, comma separated, blanks ignored', async () => {
  const run = start(['--port', '0'], { OPENAI_MOCK_API_KEYS: ' key-a , key-b ,, ' });
  try {
    const [, url] = await run.waitFor(LISTENING);
    expect(await statusFor(url!, 'key-a')).toBe(200);
    expect(await statusFor(url!, 'key-b')).toBe(200);
    expect(await statusFor(url!, 'key-c')).toMatch(/^401 invalid_api_key: Incorrect API key provided: key-c\./);
  } finally {
    await run.stop();
  }
});

test("OPENAI_MOCK_API_KEYS wins over the config's apiKeys, and --api-key over both", async () => {
  const config = path.join(dir, 'keys.config.json');
  await writeFile(config, JSON.stringify({ apiKeys: ['from-config'], overridesDir: false }));
  const fromConfig = start(['--port', '0', '--config', config], { OPENAI_MOCK_API_KEYS: 'from-env' });
  const fromFlag = start(['--port', '0', '--config', config, '--api-key', 'from-flag'], { OPENAI_MOCK_API_KEYS: 'from-env' });
  try {
    const [[, configUrl], [, flagUrl]] = await Promise.all([fromConfig.waitFor(LISTENING), fromFlag.waitFor(LISTENING)]);
    expect([await statusFor(configUrl!, 'from-env'), await statusFor(configUrl!, 'from-config')]).toEqual([200, expect.stringMatching(/^401 invalid_api_key/)]);
    expect([await statusFor(flagUrl!, 'from-flag'), await statusFor(flagUrl!, 'from-config')]).toEqual([200, expect.stringMatching(/^401 invalid_api_key/)]);
  } finally {
    await Promise.all([fromConfig.stop(), fromFlag.stop()]);
  }
});

test.each([
  [['--api-key', 'k', '--no-auth'], 2, /--api-key and --no-auth contradict each other/],
  [['--api-key', ''], 2, /--api-key needs a value/],
  [['--api-key'], 2, /--api-key/],
])('openai-mock %j exits %i with one line saying why', async (args, code, message) => {
  const run = start(args);
  expect((await run.exited).code).toBe(code);
  expect(run.output()).toMatch(message);
  expect(run.output()).not.toMatch(/^\s+at /m);
});

test.each([
  ['an empty list', []],
  ['a string', 'key'],
  ['an empty key', ['ok', '']],
])('a config whose apiKeys is %s is an error naming the key', async (_name, value) => {
  const config = path.join(dir, `bad-${Math.random().toString(36).slice(2)}.config.json`);
  await writeFile(config, JSON.stringify({ apiKeys: value }));
  const run = start(['--port', '0', '--config', config]);
  expect((await run.exited).code).toBe(1);
  expect(run.output()).toContain(`"apiKeys" must be a non-empty array of keys (strings), got ${JSON.stringify(value)}`);
});

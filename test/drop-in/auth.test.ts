/**
 * Who may call the mock: any credential by default (the official SDKs' generated suites send
 * `Bearer My API Key`), none without one, and with strict keys only those, each refusal in the
 * API's own words. Raw HTTP for what the SDK never sends, the SDK for what users see.
 */
import OpenAI, { AzureOpenAI } from 'openai';
import type { MockServer } from '../../src';
import { maskApiKey } from '../../src/http/auth';
import { startMock } from '../helpers/server';

const MISSING =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.";
const incorrect = (shown: string) => ({
  error: {
    message: `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    type: 'invalid_request_error',
    param: null,
    code: 'invalid_api_key',
  },
});
const STRICT_KEYS = ['sk-proj-strictKEY0123456789abcdWXYZ', 'My API Key'];

let open: MockServer;
let strict: MockServer;

beforeAll(async () => {
  [open, strict] = await Promise.all([startMock(), startMock({ apiKeys: STRICT_KEYS })]);
});

afterAll(async () => {
  await Promise.all([open?.close(), strict?.close()]);
});

async function get(server: MockServer, headers: Record<string, string>) {
  const response = await fetch(`${server.url}/v1/models`, { headers, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.json() };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('by default any credential is accepted', () => {
  test.each([
    ['a key with spaces, as the generated suites send', { authorization: 'Bearer My API Key' }],
    ['a lower-case scheme', { authorization: 'bearer sk-test' }],
    ['an OpenAI-looking key', { authorization: 'Bearer sk-proj-abc123' }],
    ["Azure's api-key header", { 'api-key': 'azure key' }],
    ['Basic auth with a blank user name, as the API allows', { authorization: basic('', 'sk-test') }],
  ])('%s', async (_name, headers) => {
    const answer = await get(open, headers);
    expect(answer.status).toBe(200);
    expect(answer.body.object).toBe('list');
  });

  test.each([
    ['no header', {}],
    ['an empty Authorization', { authorization: '' }],
    ['Bearer alone', { authorization: 'Bearer' }],
    ['Bearer and spaces', { authorization: 'Bearer   ' }],
    ['another scheme', { authorization: 'Token sk-test' }],
    ['a bare key', { authorization: 'sk-test' }],
    ['Basic with a user name', { authorization: basic('user', 'sk-test') }],
    ['Basic with an empty password', { authorization: basic('', '') }],
    ['an empty api-key header', { 'api-key': '  ' }],
  ])('%s: 401 in the API words, code null', async (_name, headers) => {
    const answer = await get(open, headers);
    expect(answer).toEqual({ status: 401, body: { error: { message: MISSING, type: 'invalid_request_error', param: null, code: null } } });
  });

  test('the SDK sees an AuthenticationError', async () => {
    const client = new OpenAI({ baseURL: `${open.url}/v1`, apiKey: 'x', maxRetries: 0, defaultHeaders: { authorization: null } });
    const error = await client.models.list().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBeNull();
  });
});

describe('strict keys (apiKeys)', () => {
  test.each([
    ['through Bearer', { authorization: `Bearer ${STRICT_KEYS[0]}` }],
    ['with spaces, through Bearer', { authorization: 'Bearer My API Key' }],
    ['through api-key', { 'api-key': STRICT_KEYS[0]! }],
  ])('a listed key is accepted %s', async (_name, headers) => {
    expect((await get(strict, headers)).status).toBe(200);
  });

  test('another key: 401 invalid_api_key, the key masked as the API masks it', async () => {
    const key = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';
    const answer = await get(strict, { authorization: `Bearer ${key}` });
    expect(answer).toEqual({ status: 401, body: incorrect(`sk-proj-${'*'.repeat(key.length - 12)}6789`) });
    expect(JSON.stringify(answer.body)).not.toContain('abcdefghijklmnopqrstuvwxyz');
  });

  test('a short key is shown as it is, as the API shows it', async () => {
    expect(await get(strict, { authorization: 'Bearer test' })).toEqual({ status: 401, body: incorrect('test') });
  });

  test('a key that only differs in case is another key', async () => {
    expect((await get(strict, { authorization: `Bearer ${STRICT_KEYS[0]!.toUpperCase()}` })).status).toBe(401);
  });

  test('no key is still the missing-key answer', async () => {
    expect(await get(strict, {})).toEqual({ status: 401, body: { error: { message: MISSING, type: 'invalid_request_error', param: null, code: null } } });
  });

  test('an unknown route is a 404 whatever the key', async () => {
    const response = await fetch(`${strict.url}/v1/nope`, { headers: { authorization: 'Bearer wrong' } });
    expect(response.status).toBe(404);
  });

  test('the SDK and AzureOpenAI: a listed key works, another is an AuthenticationError with code invalid_api_key', async () => {
    const good = new OpenAI({ baseURL: `${strict.url}/v1`, apiKey: STRICT_KEYS[0], maxRetries: 0 });
    expect((await good.models.list()).object).toBe('list');
    const azure = new AzureOpenAI({ endpoint: strict.url, apiKey: STRICT_KEYS[0], apiVersion: '2024-10-21', maxRetries: 0 });
    expect((await azure.embeddings.create({ model: 'emb', input: 'x' })).model).toBe('emb');

    for (const client of [
      new OpenAI({ baseURL: `${strict.url}/v1`, apiKey: 'sk-wrong-key-0000', maxRetries: 0 }),
      new AzureOpenAI({ endpoint: strict.url, apiKey: 'sk-wrong-key-0000', apiVersion: '2024-10-21', maxRetries: 0 }),
    ]) {
      const error = await client.embeddings.create({ model: 'emb', input: 'x' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
      expect((error as Error).message).toBe(`401 ${incorrect('sk-wrong*****0000').error.message}`);
    }
  });

  test('auth: false turns strict keys off too', async () => {
    const none = await startMock({ auth: false, apiKeys: ['only'] });
    try {
      expect((await get(none, { authorization: 'Bearer other' })).status).toBe(200);
    } finally {
      await none.close();
    }
  });
});

describe('maskApiKey', () => {
  test.each([
    ['sk-XG6GWabcdefghijklmnopqrstuvwxyz0123456789ABCwlmi', `sk-XG6GW${'*'.repeat(39)}wlmi`],
    ['sk-proj-1234', 'sk-proj-1234'],
    ['sk-proj-12345', 'sk-proj-*2345'],
    ['My API Key', 'My API Key'],
    ['', ''],
  ])('%s -> %s', (key, shown) => {
    expect(maskApiKey(key)).toBe(shown);
    expect(maskApiKey(key)).toHaveLength(key.length);
  });
});

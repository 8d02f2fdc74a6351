/**
 * Rate limits like the API's: the x-ratelimit-* headers on every answer, 429s worded as the API
 * words them with retry-after(-ms), and the official SDK waiting that long, retrying and
 * succeeding (or, with maxRetries 0, raising a RateLimitError that carries the headers).
 */
import OpenAI, { RateLimitError } from 'openai';
import type { MockServer } from '../../src';
import { formatDuration } from '../../src/ratelimit/duration';
import { resolveSettings } from '../../src/settings/resolve';
import { startMock } from '../helpers/server';

const ask = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Hello' }] };
const client = (mock: MockServer, key: string, maxRetries: number) => new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: key, maxRetries, timeout: 20_000 });

async function post(mock: MockServer, body: unknown, key = 'sk-test') {
  const response = await fetch(`${mock.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

/** Sends until the bucket refuses (a loaded machine refills a little meanwhile); the refusal. */
async function exhaust(mock: MockServer, key: string, body: unknown = ask, most = 500) {
  for (let i = 0; i < most; i++) {
    const answer = await post(mock, body, key);
    if (answer.status === 429) return answer;
    expect(answer.status).toBe(200);
  }
  throw new Error(`no 429 after ${most} requests`);
}

test('durations are worded as the API words them', () => {
  expect(formatDuration(120)).toBe('120ms');
  expect(formatDuration(0.4)).toBe('1ms');
  expect(formatDuration(1000)).toBe('1s');
  expect(formatDuration(1500)).toBe('1.5s');
  expect(formatDuration(20_000)).toBe('20s');
  expect(formatDuration(360_000)).toBe('6m0s');
  expect(formatDuration(3_723_000)).toBe('1h2m3s');
});

test('--rate-limit-rpm and --rate-limit-tpm (and their variables) fold into rateLimits', async () => {
  const settings = await resolveSettings({ rateLimitRpm: 5, rateLimits: { tpm: 100, organization: 'org-acme' } }, { env: { OPENAI_MOCK_RATE_LIMIT_TPM: '300' } });
  expect(settings.rateLimits).toEqual({ rpm: 5, tpm: 100, organization: 'org-acme' });
  const fromEnv = await resolveSettings({}, { env: { OPENAI_MOCK_RATE_LIMIT_TPM: '300' } });
  expect(fromEnv.rateLimits).toEqual({ rpm: undefined, tpm: 300 });
  expect((await resolveSettings({}, { env: {} })).rateLimits).toBeUndefined();
  await expect(resolveSettings({ rateLimits: { rpm: 0 } } as never, { env: {} })).rejects.toThrow(/rateLimits/);
});

describe('requests per minute', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMock({ rateLimits: { rpm: 60, tpm: 1_000_000, models: { 'gpt-4o-mini': { rpm: 5000 } } } });
    // A first answer compiles what answers need: the tests' own then take milliseconds, not the second a bucket refills in.
    await post(mock, ask, 'sk-warm-up');
  });
  afterAll(() => mock.close());

  test('every answer carries the limits, what remains and when the bucket is full again', async () => {
    const first = await post(mock, { ...ask, max_tokens: 100 }, 'sk-headers');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('60');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('59');
    // One request out of 60 a minute comes back in a second.
    expect(first.headers.get('x-ratelimit-reset-requests')).toMatch(/^(1s|\d{3}ms)$/);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('1000000');
    const remaining = Number(first.headers.get('x-ratelimit-remaining-tokens'));
    expect(remaining).toBeLessThan(1_000_000 - 100);
    expect(remaining).toBeGreaterThan(1_000_000 - 200);
    expect(first.headers.get('x-ratelimit-reset-tokens')).toMatch(/^\d+(\.\d+)?(ms|s)$/);
    const second = await post(mock, ask, 'sk-headers');
    expect(Number(second.headers.get('x-ratelimit-remaining-requests'))).toBe(58);
    // Per model: another model has its own bucket and limit.
    const mini = await post(mock, { ...ask, model: 'gpt-4o-mini' }, 'sk-headers');
    expect(mini.headers.get('x-ratelimit-limit-requests')).toBe('5000');
    expect(mini.headers.get('x-ratelimit-remaining-requests')).toBe('4999');
  });

  test('a streamed answer carries the headers too', async () => {
    const { data, response } = await client(mock, 'sk-stream', 0).chat.completions.create({ ...ask, stream: true }).withResponse();
    for await (const chunk of data) void chunk;
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('60');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('59');
  });

  test('an empty bucket answers the API 429: message, type requests, code, retry-after and retry-after-ms', async () => {
    const refused = await exhaust(mock, 'sk-exhaust');
    expect(refused.body.error).toEqual({
      message: expect.stringMatching(
        /^Rate limit reached for gpt-4o in organization org-mock on requests per min \(RPM\): Limit 60, Used 60, Requested 1\. Please try again in (\d+ms|1s)\. Visit https:\/\/platform\.openai\.com\/account\/rate-limits to learn more\.$/,
      ),
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    });
    expect(refused.headers.get('retry-after')).toBe('1');
    const ms = Number(refused.headers.get('retry-after-ms'));
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThanOrEqual(1000);
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    // Another key has a bucket of its own.
    expect((await post(mock, ask, 'sk-someone-else')).status).toBe(200);
  });

  test('the SDK with maxRetries 0 raises a RateLimitError carrying the headers', async () => {
    // A bucket refills a request a second: on a machine slow enough to take that long between the
    // two calls, empty it again.
    let error: unknown;
    for (let attempt = 0; attempt < 3 && !(error instanceof RateLimitError); attempt++) {
      await exhaust(mock, 'sk-sdk-zero');
      error = await client(mock, 'sk-sdk-zero', 0).chat.completions.create(ask).catch((e: unknown) => e);
    }
    expect(error).toBeInstanceOf(RateLimitError);
    const rateLimit = error as RateLimitError;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.code).toBe('rate_limit_exceeded');
    expect(rateLimit.type).toBe('requests');
    expect(rateLimit.headers?.get('retry-after')).toBe('1');
    expect(Number(rateLimit.headers?.get('retry-after-ms'))).toBeGreaterThan(0);
    expect(rateLimit.headers?.get('x-ratelimit-limit-requests')).toBe('60');
  });

  test('the SDK waits the retry-after-ms it was given, retries and succeeds', async () => {
    let bySdk: ReturnType<typeof mock.journal.requests> = [];
    for (let attempt = 0; attempt < 3 && bySdk[0]?.response.status !== 429; attempt++) {
      await exhaust(mock, 'sk-sdk-retry');
      mock.journal.clear();
      const completion = await client(mock, 'sk-sdk-retry', 3).chat.completions.create(ask).withResponse();
      expect(completion.data.choices[0]!.message.content).toEqual(expect.any(String));
      expect(completion.response.headers.get('x-ratelimit-limit-requests')).toBe('60');
      bySdk = mock.journal.requests().filter((entry) => entry.headers['x-stainless-retry-count'] !== undefined);
    }
    const statuses = bySdk.map((entry) => entry.response.status);
    expect(statuses[0]).toBe(429);
    expect(statuses.at(-1)).toBe(200);
    // Each retry came after the wait the refusal before it named (timers never fire early).
    for (let i = 1; i < bySdk.length; i++) {
      const waited = Date.parse(bySdk[i]!.time) - Date.parse(bySdk[i - 1]!.time);
      expect(waited).toBeGreaterThanOrEqual(Number(bySdk[i - 1]!.response.headers['retry-after-ms']) - 5);
      expect(bySdk[i]!.headers['x-stainless-retry-count']).toBe(String(i));
    }
  });
});

describe('tokens per minute', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMock({ rateLimitTpm: 1000, rateLimits: { organization: 'org-load' } });
    await post(mock, ask, 'sk-warm-up');
  });
  afterAll(() => mock.close());

  test('prompt tokens plus max_tokens are counted; a bucket short of them answers 429 type tokens', async () => {
    const first = await post(mock, { ...ask, max_tokens: 600 }, 'sk-tokens');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBeNull();
    const left = Number(first.headers.get('x-ratelimit-remaining-tokens'));
    expect(left).toBeLessThan(400);
    const refused = await post(mock, { ...ask, max_tokens: 600 }, 'sk-tokens');
    expect(refused.status).toBe(429);
    expect(refused.body.error.type).toBe('tokens');
    expect(refused.body.error.code).toBe('rate_limit_exceeded');
    expect(refused.body.error.message).toMatch(
      /^Rate limit reached for gpt-4o in organization org-load on tokens per min \(TPM\): Limit 1000, Used \d+, Requested 6\d\d\. Please try again in \d+(\.\d+)?s\. Visit https:\/\/platform\.openai\.com\/account\/rate-limits to learn more\.$/,
    );
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  test('a request larger than the whole limit is refused as too large, with nothing to wait for', async () => {
    const refused = await post(mock, { ...ask, max_tokens: 5000 }, 'sk-large');
    expect(refused.status).toBe(429);
    expect(refused.body.error.type).toBe('tokens');
    expect(refused.body.error.message).toMatch(/^Request too large for gpt-4o in organization org-load on tokens per min \(TPM\): Limit 1000, Requested 50\d\d\. The input or output tokens must be reduced/);
    expect(refused.headers.get('retry-after')).toBeNull();
  });

  test('requests that name no model are not limited', async () => {
    const response = await fetch(`${mock.url}/v1/models`, { headers: { authorization: 'Bearer sk-tokens' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBeNull();
  });
});

/**
 * GET /__admin/metrics in Prometheus text: requests by operation and status, latency histograms,
 * streams open, tokens generated, rate-limit refusals, each server with its own registry; and the
 * summary line every --stats-interval seconds.
 */
import type { MockServer } from '../../src';
import { sdk, startMock } from '../helpers/server';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The exposition format's sample lines (`name{a="b"} 1`), and its `# TYPE` lines. */
function parse(text: string): { samples: Sample[]; types: Record<string, string> } {
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      types[type[1]!] = type[2]!;
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return { samples, types };
}

async function scrape(mock: MockServer) {
  const response = await fetch(`${mock.url}/__admin/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await response.text());
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);

const ask = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Hello' }] };

describe('metrics', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMock({ rateLimitRpm: 3 });
  });
  afterAll(() => mock.close());

  test('the exposition format, with counters that move', async () => {
    const before = await scrape(mock);
    expect(before.types).toMatchObject({
      openai_mock_requests_total: 'counter',
      openai_mock_request_duration_seconds: 'histogram',
      openai_mock_active_streams: 'gauge',
      openai_mock_tokens_generated_total: 'counter',
      openai_mock_rate_limit_rejections_total: 'counter',
    });
    const client = sdk(mock);
    const completion = await client.chat.completions.create(ask);
    const stream = await client.chat.completions.create({ ...ask, stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) void chunk;
    await fetch(`${mock.url}/v1/no-such-path`, { headers: { authorization: 'Bearer sk-test' } });

    const after = (await scrape(mock)).samples;
    const chat = { operation: 'createChatCompletion' };
    expect(value(after, 'openai_mock_requests_total', { ...chat, status: '200' })).toBe(2);
    expect(value(after, 'openai_mock_requests_total', { operation: 'unknown', status: '404' })).toBe(1);
    expect(value(after, 'openai_mock_request_duration_seconds_count', chat)).toBe(2);
    expect(value(after, 'openai_mock_request_duration_seconds_sum', chat)).toBeGreaterThan(0);
    expect(value(after, 'openai_mock_request_duration_seconds_bucket', { ...chat, le: '+Inf' })).toBe(2);
    // Buckets are cumulative.
    const buckets = after.filter((s) => s.name === 'openai_mock_request_duration_seconds_bucket' && s.labels.operation === 'createChatCompletion').map((s) => s.value);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    // The plain answer's usage, and the stream's (counted from its final answer, before it became events).
    expect(value(after, 'openai_mock_tokens_generated_total', { ...chat, model: completion.model })).toBeGreaterThan(completion.usage!.completion_tokens);
    expect(value(after, 'openai_mock_active_streams')).toBe(0);

    // Three a minute: the fourth request is refused, and counted by its limit.
    for (let i = 0; i < 3; i++) await client.chat.completions.create(ask).catch(() => undefined);
    const refused = await scrape(mock);
    expect(value(refused.samples, 'openai_mock_rate_limit_rejections_total', { type: 'requests' })).toBeGreaterThanOrEqual(1);
    expect(value(refused.samples, 'openai_mock_requests_total', { ...chat, status: '429' })).toBeGreaterThanOrEqual(1);
  });

  test('streams being written are counted while they last; each server counts its own', async () => {
    const other = await startMock({ stream: { intervalMs: 100 } });
    try {
      const stream = await sdk(other).chat.completions.create({ ...ask, stream: true });
      const iterator = stream[Symbol.asyncIterator]();
      await iterator.next();
      expect(value((await scrape(other)).samples, 'openai_mock_active_streams')).toBe(1);
      while (!(await iterator.next()).done);
      expect(value((await scrape(other)).samples, 'openai_mock_active_streams')).toBe(0);
      expect(value((await scrape(other)).samples, 'openai_mock_requests_total', { operation: 'createChatCompletion' })).toBe(1);
    } finally {
      await other.close();
    }
  });

  test('the admin token guards the metrics like the rest of the admin API', async () => {
    const guarded = await startMock({ adminToken: 'secret' });
    try {
      expect((await fetch(`${guarded.url}/__admin/metrics`)).status).toBe(401);
      const response = await fetch(`${guarded.url}/__admin/metrics`, { headers: { authorization: 'Bearer secret' } });
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^# HELP openai_mock_/m);
    } finally {
      await guarded.close();
    }
  });
});

test('--stats-interval logs a summary line at info level', async () => {
  const lines: string[] = [];
  const mock = await startMock({
    statsInterval: 1,
    logLevel: 'info',
    logger: { level: 'info', info: (line) => lines.push(line), warn: () => {}, error: () => {}, debug: () => {} },
  });
  try {
    const client = sdk(mock);
    for (let i = 0; i < 5; i++) await client.chat.completions.create(ask);
    const deadline = Date.now() + 10_000;
    while (!lines.some((line) => line.startsWith('requests ')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const summary = lines.find((line) => line.startsWith('requests '));
    expect(summary).toMatch(/^requests \d+ \(\d+(\.\d)?\/s\), p50 [\d.]+ms p99 [\d.]+ms, streams 0 active, 429s 0$/);
    expect(Number(/^requests (\d+)/.exec(summary!)![1])).toBeGreaterThanOrEqual(1);
  } finally {
    await mock.close();
  }
});

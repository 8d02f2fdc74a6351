/**
 * Latency models: the distributions hold their published shape (median, p99) over many draws and
 * repeat under a seed; a server paces whole answers and streams by them, per model and operation,
 * per request with `Prefer: latency=...`, and stops waiting when the client leaves.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { distributionProblem, sample, seededRandom, type Distribution } from '../../src/latency/distribution';
import { latencyProblem, modelFor, tableOf } from '../../src/latency/model';
import type { MockServer, Step } from '../../src';
import { sdk, startMock } from '../helpers/server';

const draws = (distribution: Distribution, seed: string, n = 2000) => {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => sample(distribution, random));
};
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
};
const average = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('distributions', () => {
  test('lognormal given p50 and p99: 2000 draws have that median and 99th percentile', () => {
    const values = draws({ lognormal: { p50: 200, p99: 900 } }, 'lognormal');
    expect(quantile(values, 0.5)).toBeGreaterThan(200 * 0.9);
    expect(quantile(values, 0.5)).toBeLessThan(200 * 1.1);
    expect(quantile(values, 0.99)).toBeGreaterThan(900 * 0.75);
    expect(quantile(values, 0.99)).toBeLessThan(900 * 1.25);
    expect(Math.min(...values)).toBeGreaterThan(0);
  });

  test('normal by mean and stddev, or by p50 and p99; never below zero', () => {
    const values = draws({ normal: { mean: 100, stddev: 10 } }, 'normal');
    expect(Math.abs(average(values) - 100)).toBeLessThan(1.5);
    const sd = Math.sqrt(average(values.map((v) => (v - 100) ** 2)));
    expect(sd).toBeGreaterThan(9);
    expect(sd).toBeLessThan(11);
    const byPercentiles = draws({ normal: { p50: 50, p99: 80 } }, 'normal-p');
    expect(Math.abs(quantile(byPercentiles, 0.5) - 50)).toBeLessThan(2);
    expect(Math.abs(quantile(byPercentiles, 0.99) - 80)).toBeLessThan(6);
    expect(Math.min(...draws({ normal: { mean: 1, stddev: 10 } }, 'clamped'))).toBe(0);
  });

  test('uniform stays in its range and spreads over it; fixed and plain numbers are constant', () => {
    const values = draws({ uniform: { min: 10, max: 20 } }, 'uniform');
    expect(Math.min(...values)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...values)).toBeLessThan(20);
    expect(Math.abs(average(values) - 15)).toBeLessThan(0.3);
    expect(quantile(values, 0.1)).toBeLessThan(11.5);
    expect(quantile(values, 0.9)).toBeGreaterThan(18.5);
    expect(new Set(draws({ fixed: 42 }, 'f', 50))).toEqual(new Set([42]));
    expect(new Set(draws(7, 'n', 50))).toEqual(new Set([7]));
  });

  test('the same seed gives the same sequence; another seed another one', () => {
    const shape: Distribution = { lognormal: { p50: 300, p99: 1200 } };
    expect(draws(shape, 'seed-a', 100)).toEqual(draws(shape, 'seed-a', 100));
    expect(draws(shape, 'seed-a', 100)).not.toEqual(draws(shape, 'seed-b', 100));
  });

  test('bad shapes are named', () => {
    expect(distributionProblem(-1)).toMatch(/negative/);
    expect(distributionProblem({ lognormal: { p50: 500, p99: 100 } })).toMatch(/p50 <= p99/);
    expect(distributionProblem({ gamma: { k: 1 } })).toMatch(/unknown distribution "gamma"/);
    expect(distributionProblem({ uniform: { min: 5, max: 1 } })).toMatch(/min <= max/);
    expect(latencyProblem('glacial')).toMatch(/unknown latency profile "glacial" \(known: fast, realistic\)/);
    expect(latencyProblem({ models: { 'gpt-4o': { ttft: 5 } } })).toMatch(/unknown key "ttft"/);
    expect(latencyProblem({ profile: 'realistic', models: { 'gpt-4o': { ttftMs: 5 } } })).toBeUndefined();
  });

  test('a table: default, then operation, then model (exact, longest prefix, fine-tune base), field by field', () => {
    const table = tableOf({
      default: { ttftMs: 1, totalMs: 9 },
      operations: { createChatCompletion: { ttftMs: 2, tokensPerSecond: 50 } },
      models: { 'gpt-4o': { ttftMs: 3 }, 'gpt-4o-mini': { ttftMs: 4 } },
    })!;
    expect(modelFor(table, 'createEmbedding', 'text-embedding-3-small')).toEqual({ ttftMs: 1, totalMs: 9 });
    expect(modelFor(table, 'createChatCompletion', 'gpt-3.5-turbo')).toEqual({ ttftMs: 2, totalMs: 9, tokensPerSecond: 50 });
    expect(modelFor(table, 'createChatCompletion', 'gpt-4o-2024-08-06').ttftMs).toBe(3);
    expect(modelFor(table, 'createChatCompletion', 'gpt-4o-mini-2024-07-18').ttftMs).toBe(4);
    expect(modelFor(table, 'createChatCompletion', 'ft:gpt-4o-mini:acme::abc123').ttftMs).toBe(4);
    // A table on top of a profile keeps the profile's other models.
    const onRealistic = tableOf({ profile: 'realistic', models: { 'gpt-4o': { ttftMs: 5 } } })!;
    expect(modelFor(onRealistic, 'createChatCompletion', 'gpt-4o').ttftMs).toBe(5);
    expect(modelFor(onRealistic, 'createChatCompletion', 'gpt-4o').interTokenMs).toBeDefined();
    expect(modelFor(onRealistic, 'createChatCompletion', 'o3').ttftMs).toEqual({ lognormal: { p50: 22_990, p99: 68_970 } });
  });
});

const ask = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Say something.' }] };

async function post(mock: MockServer, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
  const started = performance.now();
  const response = await fetch(`${mock.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  return { response, text, elapsed: performance.now() - started };
}

describe('a server paced by a latency table', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMock({
      seed: 'pace',
      latency: { models: { 'gpt-4o': { ttftMs: 200, tokensPerSecond: 1000 }, 'gpt-4o-mini': { ttftMs: { fixed: 150 }, interTokenMs: { fixed: 40 } }, 'slow-model': { totalMs: 120_000 } } },
    });
  });
  afterAll(() => mock.close());

  test('a whole answer waits TTFT plus its completion tokens at the model pace, and says so in openai-processing-ms', async () => {
    const { response, text, elapsed } = await post(mock, ask);
    expect(response.status).toBe(200);
    const tokens = JSON.parse(text).usage.completion_tokens as number;
    expect(tokens).toBeGreaterThan(0);
    expect(Number(response.headers.get('openai-processing-ms'))).toBe(200 + tokens);
    expect(elapsed).toBeGreaterThanOrEqual(200 + tokens - 5);
  });

  test('a stream waits TTFT before its first event and a drawn gap before each next one', async () => {
    const started = performance.now();
    const stream = await sdk(mock).chat.completions.create({ ...ask, model: 'gpt-4o-mini', stream: true });
    const arrivals: number[] = [];
    for await (const chunk of stream) {
      void chunk;
      arrivals.push(performance.now() - started);
    }
    expect(arrivals.length).toBeGreaterThan(2);
    expect(arrivals[0]).toBeGreaterThanOrEqual(145);
    // n events after the first: about n gaps of 40 ms in all (a timer may fire a millisecond early).
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual((arrivals.length - 1) * 40 * 0.9);
    const raw = await sdk(mock).chat.completions.create({ ...ask, model: 'gpt-4o-mini', stream: true }).withResponse();
    expect(raw.response.headers.get('openai-processing-ms')).toBe('150');
    for await (const chunk of raw.data) void chunk;
  });

  test('failures are not delayed', async () => {
    const { response, elapsed } = await post(mock, { ...ask, model: 'slow-model' }, { prefer: 'code=429' });
    expect(response.status).toBe(429);
    expect(response.headers.get('openai-processing-ms')).toBeNull();
    // Far below the two minutes the model would take (the first 429 loads Prism's engine: seconds).
    expect(elapsed).toBeLessThan(60_000);
  }, 90_000);

  test('a client that leaves stops the wait, and the server answers the next request', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    await expect(post(mock, { ...ask, model: 'slow-model' }, {}, abort.signal)).rejects.toThrow();
    const { response } = await post(mock, ask);
    expect(response.status).toBe(200);
  });

  test('Prefer: latency=fast turns the table off for one request; an unknown profile is a 400 naming the known ones', async () => {
    const { response } = await post(mock, { ...ask, model: 'slow-model' }, { prefer: 'latency=fast' });
    expect(response.status).toBe(200);
    expect(response.headers.get('openai-processing-ms')).toBeNull();
    const bad = await post(mock, ask, { prefer: 'latency=glacial' });
    expect(bad.response.status).toBe(400);
    expect(JSON.parse(bad.text).error).toMatchObject({ param: 'Prefer', code: 'unknown_latency_profile' });
    expect(JSON.parse(bad.text).error.message).toMatch(/known: fast, realistic/);
  });
});

describe('seeded and profiled', () => {
  const lognormalTable = { default: { ttftMs: { lognormal: { p50: 20, p99: 80 } } } };
  const processingTimes = async (mock: MockServer, n: number) => {
    const times: string[] = [];
    for (let i = 0; i < n; i++) times.push((await post(mock, ask)).response.headers.get('openai-processing-ms')!);
    return times;
  };

  test('the same seed gives the same latencies, request by request; another seed others', async () => {
    const runs: string[][] = [];
    for (const seed of ['run', 'run', 'other']) {
      const mock = await startMock({ seed, latency: lognormalTable });
      try {
        runs.push(await processingTimes(mock, 6));
      } finally {
        await mock.close();
      }
    }
    expect(new Set(runs[0]).size).toBeGreaterThan(1);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).not.toEqual(runs[0]);
  });

  test('Prefer: latency=realistic paces one request on a fast server', async () => {
    const mock = await startMock({ latency: 'fast' });
    try {
      const { response } = await post(mock, { ...ask, max_completion_tokens: 5 }, { prefer: 'latency=realistic' });
      expect(response.status).toBe(200);
      expect(Number(response.headers.get('openai-processing-ms'))).toBeGreaterThan(50);
      expect((await post(mock, ask)).response.headers.get('openai-processing-ms')).toBeNull();
    } finally {
      await mock.close();
    }
  });
});

test('a response\'s own stream pacing (an override\'s, a script\'s) wins over the model; the stream option gives way to it', async () => {
  // Chat streams of gpt-4o get their own 5 ms between events, as an override would set.
  const ownPacing: Step = async (exchange, next) => {
    const response = await next(exchange);
    const body = exchange.request.body as { model?: string };
    return body.model === 'gpt-4o' ? { ...response, stream: { intervalMs: 5 } } : response;
  };
  const mock = await startMock({ steps: [ownPacing], stream: { intervalMs: 1 }, latency: { default: { ttftMs: 0, interTokenMs: 60 }, models: { 'gpt-4o': { interTokenMs: 2000 } } } });
  try {
    const timed = async (model: string) => {
      const started = performance.now();
      let events = 0;
      for await (const chunk of await sdk(mock).chat.completions.create({ ...ask, model, stream: true })) {
        void chunk;
        events++;
      }
      return { events, ms: performance.now() - started };
    };
    const paced = await timed('gpt-4o-mini');
    expect(paced.ms).toBeGreaterThanOrEqual((paced.events - 1) * 60 * 0.9);
    const own = await timed('gpt-4o');
    // gpt-4o's model gaps of 2 s would take (events - 1) * 2 s; the step's own 5 ms gaps a small part of one.
    expect(own.events).toBeGreaterThan(3);
    expect(own.ms).toBeLessThan((own.events - 1) * 2000);
  } finally {
    await mock.close();
  }
});

test('a wrong latency table says what is wrong in it, from code and from a config file', async () => {
  await expect(startMock({ latency: { models: { 'gpt-4o': { ttft: 5 } } } as never })).rejects.toThrow(/option "latency" must be .* \(latency\.models\["gpt-4o"\] has an unknown key "ttft" \(known: ttftMs, interTokenMs, tokensPerSecond, totalMs\)\)$/);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'latency-config-'));
  try {
    const file = path.join(dir, 'openai-mock.config.json');
    await fs.writeFile(file, JSON.stringify({ latency: { default: { ttftMs: { lognormal: { p50: 900, p99: 100 } } } } }));
    await expect(loadConfig({ file, cwd: dir })).rejects.toThrow(/"latency" must be .*latency\.default\.ttftMs "lognormal" needs \{ p50, p99 \} with 0 < p50 <= p99/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});


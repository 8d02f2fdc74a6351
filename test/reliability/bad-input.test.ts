/**
 * Thousands of generated bad requests, mutated from valid SDK bodies, over raw sockets. Each must
 * get an answer before a deadline: a 4xx in OpenAI's error shape when it is certainly invalid,
 * never a 5xx and never silence; the server must answer a valid request after every batch, and
 * its heap must not keep what the requests brought. RELIABILITY_SEED=<seed> replays a run.
 */
import type { MockServer } from '../../src';
import { sdk, startMock } from '../helpers/server';
import { AUTH, generateCase, type BadCase } from './helpers/bad-requests';
import { createRandom, seedFromEnv } from './helpers/prng';
import { buildRequest, rawRequest, type RawAnswer } from './helpers/raw-http';
import { captureLogger, memoryAfterGc, trapUnhandled } from './helpers/process-state';

const SEED = seedFromEnv();
const CASES = Number(process.env.RELIABILITY_CASES ?? 3000);
const IN_FLIGHT = 24;
const DEADLINE_MS = 15_000;

let mock: MockServer;
const log = captureLogger('debug');

beforeAll(async () => {
  // Short timeouts, so that a request that never finishes arriving is answered within the deadline.
  mock = await startMock({ logger: log.logger, headersTimeout: 2_000, requestTimeout: 4_000 });
});

afterAll(async () => {
  await mock?.close();
});

/** What is wrong with an answer, or undefined when it is what the case must get. */
function problemWith(item: BadCase, answer: RawAnswer): string | undefined {
  if (answer.status >= 500) return `got ${answer.status}: ${answer.body.slice(0, 300)}`;
  if (answer.status < 400) {
    if (item.expect === 'error') return `accepted with ${answer.status}: ${answer.body.slice(0, 200)}`;
    return undefined;
  }
  let parsed: any;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return `a ${answer.status} whose body is not JSON: ${JSON.stringify(answer.body.slice(0, 200))}`;
  }
  const error = parsed?.error;
  const shaped =
    parsed &&
    Object.keys(parsed).length === 1 &&
    typeof error?.message === 'string' &&
    error.message.length > 0 &&
    typeof error.type === 'string' &&
    'param' in error &&
    'code' in error &&
    (error.param === null || typeof error.param === 'string') &&
    (error.code === null || typeof error.code === 'string');
  if (!shaped) return `a ${answer.status} not in OpenAI's error shape: ${answer.body.slice(0, 300)}`;
  if (!/^application\/json/.test(answer.headers['content-type'] ?? '')) return `a ${answer.status} with content type ${answer.headers['content-type']}`;
  return undefined;
}

async function runCases(cases: BadCase[]): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const item = cases[next++]!;
      try {
        const outcome = await rawRequest(mock.port, item.bytes, DEADLINE_MS);
        if ('closedWithoutAnswer' in outcome) failures.push(`${item.name}: connection closed without an answer (${outcome.error ?? 'no error'})`);
        else {
          const problem = problemWith(item, outcome.answer);
          if (problem) failures.push(`${item.name}: ${problem}`);
        }
      } catch (error) {
        failures.push(`${item.name}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return failures;
}

async function expectStillAnswering() {
  const client = sdk(mock);
  const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'still there?' }] });
  expect(completion.object).toBe('chat.completion');
}

test(`${CASES} generated bad requests each get a 4xx in OpenAI's shape, never a 5xx or a hang (seed ${SEED})`, async () => {
  const random = createRandom(SEED);
  const cases = Array.from({ length: CASES }, (_, i) => generateCase(random, i));
  const unhandled = trapUnhandled();
  try {
    // The first batch also compiles validators and warms caches: the heap is measured after it.
    const batches = 6;
    const size = Math.ceil(cases.length / batches);
    const failures: string[] = [];
    let baseline = { heapUsed: 0, arrayBuffers: 0 };
    for (let b = 0; b < batches; b++) {
      failures.push(...(await runCases(cases.slice(b * size, (b + 1) * size))));
      await expectStillAnswering();
      if (b === 0) {
        // Prism's engine (about 50 MiB of heap) loads with the first answer that needs it; that
        // comes in the first batch or later, as the seed has it. Loaded now, it is in the baseline.
        const engine = await rawRequest(mock.port, buildRequest('GET', '/v1/models', { Authorization: AUTH, Prefer: 'dynamic=true' }), DEADLINE_MS);
        expect('answer' in engine ? engine.answer.status : 0).toBe(200);
        baseline = await memoryAfterGc();
      }
    }
    const after = await memoryAfterGc();

    expect({ seed: SEED, failures: failures.slice(0, 20), count: failures.length }).toEqual({ seed: SEED, failures: [], count: 0 });
    // Generous: what matters is that thousands of requests (some of megabytes) are not retained.
    expect(after.heapUsed - baseline.heapUsed).toBeLessThan(64 * 1024 * 1024);
    // Off the heap, the journal's packed entries: at most 16 MiB, in a buffer half as large again.
    expect(after.arrayBuffers - baseline.arrayBuffers).toBeLessThan(32 * 1024 * 1024);
    expect(unhandled.seen).toEqual([]);
    expect(log.lines.filter((line) => line.startsWith('error: '))).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  } finally {
    unhandled.stop();
  }
});

test('Prefer: dynamic=true on the operations where json-schema-faker stumbles never gets a 5xx', async () => {
  const targets: [string, unknown][] = [
    ['/v1/responses', { model: 'gpt-4o-mini', input: 'hi' }],
    ['/v1/responses/resp_123/cancel', undefined],
    ['/v1/conversations/conv_123/items', { items: [{ type: 'message', role: 'user', content: 'hi' }] }],
  ];
  const statuses: number[] = [];
  for (let i = 0; i < 40; i++) {
    for (const [path, body] of targets) {
      const bytes = buildRequest('POST', path, { Authorization: AUTH, 'Content-Type': 'application/json', Prefer: 'dynamic=true' }, body === undefined ? undefined : JSON.stringify(body));
      const outcome = await rawRequest(mock.port, bytes, DEADLINE_MS);
      statuses.push('answer' in outcome ? outcome.answer.status : 0);
    }
  }
  expect(statuses.filter((status) => status !== 200)).toEqual([]);
});

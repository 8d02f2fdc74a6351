/**
 * The journal stays bounded under a long run: the newest `journal.max` entries are kept and the
 * heap after GC does not grow with the number of requests. 10,000 requests in `npm test`;
 * `npm run test:journal-100k` runs 100,000 (JOURNAL_REQUESTS=n for any other count).
 */
import http from 'node:http';
import type { MockServer } from '../../src';
import { startMock } from '../helpers/server';
import { memoryAfterGc } from '../reliability/helpers/process-state';

const MiB = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

const TOTAL = Number(process.env.JOURNAL_REQUESTS ?? 10_000);
const MAX = 500;
const CONNECTIONS = 16;

let mock: MockServer;
let agent: http.Agent;
beforeAll(async () => {
  mock = await startMock({ journal: { max: MAX } });
  agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
});
afterAll(async () => {
  agent.destroy();
  await mock.close();
});

const body = (i: number) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `request ${i}` }] });

function post(i: number): Promise<number> {
  const payload = body(i);
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${mock.url}/v1/chat/completions`,
      { method: 'POST', agent, // With its length given, headers and body leave in one packet (chunked, the body would wait for an ACK).
        headers: { authorization: 'Bearer sk-test-key', 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode!));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** Sends requests `from` .. `to` - 1 over the keep-alive connections; every answer must be a 200. */
async function run(from: number, to: number): Promise<void> {
  let next = from;
  const statuses = new Map<number, number>();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < to) {
        const status = await post(next++);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  expect([...statuses]).toEqual([[200, to - from]]);
}

test(`${TOTAL.toLocaleString('en')} requests: the journal keeps the newest ${MAX}, memory stays flat`, async () => {
  const warm = Math.min(TOTAL / 5, 5_000);
  await run(0, warm);
  const before = await memoryAfterGc();
  await run(warm, TOTAL);
  const after = await memoryAfterGc();

  const entries = mock.journal.requests();
  expect(entries).toHaveLength(MAX);
  expect(entries.map((e) => Number(e.id))).toEqual(Array.from({ length: MAX }, (_, i) => TOTAL - MAX + 1 + i));
  expect((entries[MAX - 1]!.body as { messages: { content: string }[] }).messages[0]!.content).toMatch(/^request \d+$/);
  // The heap and, off it, the Buffers where the journal packs its entries.
  const growthMiB = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 2 ** 20;
  console.log(
    `journal run: ${TOTAL} requests, after GC: heap ${MiB(before.heapUsed)} MiB and buffers ${MiB(before.arrayBuffers)} MiB after ${warm}, ` +
      `heap ${MiB(after.heapUsed)} MiB and buffers ${MiB(after.arrayBuffers)} MiB after ${TOTAL}`,
  );
  // Unbounded, each kept request would hold its body and answer (about 1.5 KB): 8,000 requests alone would add 12 MiB.
  expect(growthMiB).toBeLessThan(8);
  // A shared, loaded machine manages a few hundred requests a second: time scales with the count.
}, Math.max(60_000, TOTAL * 10));

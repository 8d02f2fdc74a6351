/**
 * Process-level checks on the command itself (a child process, as a shared test server runs):
 * after every kind of multipart abuse on every multipart operation, broken JSON, hundreds of MB
 * of uploads and clients that leave mid-request, the same process (its pid, its one "listening"
 * line) still answers, its resident memory is back within bounds, and its open file descriptors
 * (sockets included) are back to what they were before.
 */
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { spawnCli, type CliRun } from '../helpers/cli';
import { ABUSES, multipartRequest, multipartTargets, type MultipartTarget } from './helpers/multipart';
import { createRandom, seedFromEnv } from './helpers/prng';
import { buildRequest, rawRequest } from './helpers/raw-http';

const SEED = seedFromEnv();
const MIB = 1024 * 1024;
/** Resident memory may grow by this much over the warmed-up server's: far less than the traffic sent. */
const RSS_SLACK = 128 * MIB;
const UPLOADS = 40;
const UPLOAD_BYTES = 5 * MIB;

let cli: CliRun;
let port: number;
let targets: MultipartTarget[];

const onLinux = process.platform === 'linux';

beforeAll(async () => {
  cli = spawnCli(['--port', '0', '--no-cors']);
  port = Number((await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, 0, 60_000))[1]);
  targets = await multipartTargets();
}, 120_000);

afterAll(async () => {
  await cli?.stop();
});

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

const fdsOf = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

async function until<T>(read: () => T, ok: (value: T) => boolean, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  let value = read();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = read();
  }
  return value;
}

async function statusOf(bytes: Buffer): Promise<number | 'closed'> {
  const outcome = await rawRequest(port, bytes, 60_000);
  return 'answer' in outcome ? outcome.answer.status : 'closed';
}

const json = (target: string, body: string) =>
  buildRequest('POST', target, { Authorization: 'Bearer sk-process', 'Content-Type': 'application/json' }, body);

(onLinux ? test : test.skip)(`after the abuse the same process answers, with its memory and descriptors back in bounds (seed ${SEED})`, async () => {
  const pid = cli.child.pid!;
  const random = createRandom(SEED);

  // Warm up: every multipart operation's valid form and a few JSON ones, so that lazily loaded
  // code and compiled validators are part of the baseline.
  for (let round = 0; round < 2; round++) {
    for (const target of targets) expect(await statusOf(multipartRequest(target, target.body))).toBeLessThan(300);
    expect(await statusOf(json('/v1/chat/completions', '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}'))).toBe(200);
  }
  const fdsBefore = await until(() => fdsOf(pid), () => true, 0);

  // Hundreds of MB of uploads: none may stay behind. A first batch is part of the baseline (the
  // allocator keeps some memory for the next large body); the rest must not add to it.
  const files = targets.find((t) => t.operation.iid === 'createFile')!;
  const big = Buffer.concat([
    Buffer.from(`--${files.boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n--${files.boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jsonl"\r\n\r\n`),
    Buffer.alloc(UPLOAD_BYTES, 'a'),
    Buffer.from(`\r\n--${files.boundary}--\r\n`),
  ]);
  const uploadBatch = async () => expect(await Promise.all([0, 1, 2, 3].map(() => statusOf(multipartRequest(files, big))))).toEqual([200, 200, 200, 200]);
  await uploadBatch();
  const rssBefore = rssOf(pid);

  // Every multipart abuse on every multipart operation, six at a time.
  const cases = targets.flatMap((target) => ABUSES.map((abuse) => abuse.bytes(target, random)));
  const statuses: (number | 'closed')[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < cases.length) statuses.push(await statusOf(cases[next++]!));
    }),
  );
  expect(statuses.filter((s) => s !== 'closed' && s >= 500)).toEqual([]);

  for (let i = 0; i < UPLOADS; i += 4) await uploadBatch();

  // Broken JSON, and clients that leave mid-body and mid-stream.
  for (const body of ['{"model":', '[', '{"messages":[{"role":"user","content":"' + 'x'.repeat(1_000_000), '\u0000\u0001']) {
    const status = await statusOf(json('/v1/chat/completions', body));
    expect(status === 'closed' || (status >= 400 && status < 500)).toBe(true);
  }
  await Promise.all(
    Array.from({ length: 20 }, (_, i) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      const stream = i % 2 === 0;
      const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream });
      socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-process\r\nContent-Type: application/json\r\nContent-Length: ${stream ? body.length : body.length * 2}\r\n\r\n${body}`);
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50),
      );
    }),
  );

  // The same process, still answering.
  expect(cli.child.exitCode).toBeNull();
  expect(() => process.kill(pid, 0)).not.toThrow();
  expect(await statusOf(json('/v1/chat/completions', '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}'))).toBe(200);
  for (const target of targets) expect(await statusOf(multipartRequest(target, target.body))).toBeLessThan(300);
  expect(cli.output().match(/listening on/g)).toHaveLength(1);
  expect(cli.output()).not.toMatch(/unexpected failure|Unhandled|uncaught|ERR_|^error/im);

  // Sockets of the clients that left are closed by the server: descriptors back to the baseline.
  const fdsAfter = await until(() => fdsOf(pid), (n) => n <= fdsBefore, 20_000);
  expect({ fdsBefore, fdsAfter: Math.max(fdsAfter, fdsBefore) }).toEqual({ fdsBefore, fdsAfter: fdsBefore });
  const traffic = UPLOADS * UPLOAD_BYTES;
  const rssAfter = await until(() => rssOf(pid), (n) => n <= rssBefore + RSS_SLACK, 20_000);
  const figures = `${Math.round(traffic / MIB)} MiB of uploads: RSS ${Math.round(rssBefore / MIB)} MiB before, ${Math.round(rssAfter / MIB)} MiB after (bound ${Math.round((rssBefore + RSS_SLACK) / MIB)})`;
  if (process.env.SHOW_RSS) console.log(figures);
  expect([figures, rssAfter <= rssBefore + RSS_SLACK]).toEqual([figures, true]);
}, 300_000);

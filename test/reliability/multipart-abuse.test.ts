/**
 * Multipart abuse on every multipart operation of the spec (found in the prepared spec): truncated
 * parts, missing or wrong boundaries, huge part headers, thousands of parts, a file repeated,
 * binary garbage, clients that stop mid-file. Each case gets an answer in time, a 4xx in OpenAI's
 * shape when it is certainly invalid, never a 5xx; the server keeps serving every operation's
 * valid form, logs no error, and nothing escapes as an unhandled error.
 */
import net from 'node:net';
import type { MockServer } from '../../src';
import { startMock } from '../helpers/server';
import { ABUSES, AUTH, multipartRequest, multipartTargets, type MultipartTarget } from './helpers/multipart';
import { captureLogger, trapUnhandled } from './helpers/process-state';
import { createRandom, seedFromEnv } from './helpers/prng';
import { parseAnswer, rawRequest, type RawAnswer } from './helpers/raw-http';

const SEED = seedFromEnv();
const DEADLINE_MS = 15_000;
const IN_FLIGHT = 6;

let mock: MockServer;
let targets: MultipartTarget[];
const log = captureLogger('debug');
const unhandled = trapUnhandled();

beforeAll(async () => {
  // A short request timeout, so that a client that stops mid-file is answered within the test.
  mock = await startMock({ logger: log.logger, headersTimeout: 2_000, requestTimeout: 3_000 });
  targets = await multipartTargets();
});

afterAll(async () => {
  await mock?.close();
  unhandled.stop();
});

function openAIShaped(answer: RawAnswer): string | undefined {
  let parsed: any;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return `a ${answer.status} whose body is not JSON: ${JSON.stringify(answer.body.slice(0, 200))}`;
  }
  const error = parsed?.error;
  const shaped =
    Object.keys(parsed ?? {}).length === 1 &&
    typeof error?.message === 'string' &&
    typeof error.type === 'string' &&
    (error.param === null || typeof error.param === 'string') &&
    (error.code === null || typeof error.code === 'string');
  return shaped ? undefined : `a ${answer.status} not in OpenAI's error shape: ${answer.body.slice(0, 300)}`;
}

async function valid(target: MultipartTarget): Promise<RawAnswer> {
  const outcome = await rawRequest(mock.port, multipartRequest(target, target.body), DEADLINE_MS);
  if (!('answer' in outcome)) throw new Error(`${target.operation.iid}: the valid form got no answer (${outcome.error})`);
  return outcome.answer;
}

test('the spec has the multipart operations the issue names, and each takes its valid form', async () => {
  const ids = targets.map((t) => t.operation.iid);
  for (const id of ['createFile', 'addUploadPart', 'createTranscription', 'createTranslation', 'createImageEdit', 'createImageVariation', 'CreateContainerFile']) {
    expect(ids).toContain(id);
  }
  for (const target of targets) {
    const answer = await valid(target);
    expect({ op: target.operation.iid, status: answer.status < 300 ? '2xx' : answer.status, body: answer.status < 300 ? '' : answer.body.slice(0, 300) }).toEqual({
      op: target.operation.iid,
      status: '2xx',
      body: '',
    });
  }
});

test(`${ABUSES.length} kinds of abuse on every multipart operation: answered, never a 5xx (seed ${SEED})`, async () => {
  const random = createRandom(SEED);
  const cases = targets.flatMap((target) => ABUSES.map((abuse) => ({ target, abuse, bytes: abuse.bytes(target, random) })));
  const problems: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const { target, abuse, bytes } = cases[next++]!;
      const where = `${target.operation.iid}, ${abuse.name}`;
      let outcome;
      try {
        outcome = await rawRequest(mock.port, bytes, DEADLINE_MS);
      } catch (error) {
        problems.push(`${where}: ${(error as Error).message}`);
        continue;
      }
      if (!('answer' in outcome)) {
        if (!abuse.clientLeaves) problems.push(`${where}: closed without an answer (${outcome.error ?? 'no error'})`);
        continue;
      }
      const { answer } = outcome;
      if (answer.status >= 500) problems.push(`${where}: ${answer.status} ${answer.body.slice(0, 300)}`);
      else if ((typeof abuse.invalid === 'function' ? abuse.invalid(target) : abuse.invalid) && answer.status < 400) problems.push(`${where}: accepted with ${answer.status}`);
      else if (answer.status >= 400) {
        const shape = openAIShaped(answer);
        if (shape) problems.push(`${where}: ${shape}`);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  expect({ seed: SEED, cases: cases.length, problems }).toEqual({ seed: SEED, cases: targets.length * ABUSES.length, problems: [] });

  // The same server still takes every operation's valid form.
  for (const target of targets) expect([target.operation.iid, (await valid(target)).status < 300]).toEqual([target.operation.iid, true]);
  expect(unhandled.seen).toEqual([]);
  expect(log.lines.filter((l) => l.startsWith('error: '))).toEqual([]);
});

/** Sends the head and half of a valid form, then waits without closing; resolves with what the server did. */
function stallMidFile(target: MultipartTarget, withinMs: number): Promise<{ answer?: RawAnswer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(mock.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer: parseAnswer(Buffer.concat(chunks)), closed });
    };
    const timer = setTimeout(finish, withinMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    const head = `${target.method} ${target.url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${AUTH}\r\nContent-Type: multipart/form-data; boundary=${target.boundary}\r\nContent-Length: ${target.body.length}\r\n\r\n`;
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), target.body.subarray(0, Math.floor(target.body.length / 2))]));
  });
}

test('clients that stop mid-file and wait get a 408 and their connection closed; the others are served meanwhile', async () => {
  const stalled = Promise.all(targets.map((target) => stallMidFile(target, 10_000)));
  // While every stalled upload holds its socket, each operation's valid form is still answered.
  for (const target of targets) expect((await valid(target)).status).toBeLessThan(300);
  for (const [i, outcome] of (await stalled).entries()) {
    expect([targets[i]!.operation.iid, outcome.answer?.status, outcome.closed]).toEqual([targets[i]!.operation.iid, 408, true]);
    expect(openAIShaped(outcome.answer!)).toBeUndefined();
  }
  expect(unhandled.seen).toEqual([]);
});

test('clients that stop mid-file and go away leave nothing behind', async () => {
  await Promise.all(
    targets.map(
      (target) =>
        new Promise<void>((resolve) => {
          const socket = net.connect(mock.port, '127.0.0.1', () => {
            const head = `${target.method} ${target.url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${AUTH}\r\nContent-Type: multipart/form-data; boundary=${target.boundary}\r\nContent-Length: ${target.body.length}\r\n\r\n`;
            socket.write(Buffer.concat([Buffer.from(head, 'latin1'), target.body.subarray(0, Math.floor(target.body.length / 2))]), () => socket.destroy());
          });
          socket.on('error', () => undefined);
          socket.on('close', () => resolve());
        }),
    ),
  );
  for (const target of targets) expect((await valid(target)).status).toBeLessThan(300);
  expect(unhandled.seen).toEqual([]);
  expect(log.lines.filter((l) => l.startsWith('error: '))).toEqual([]);
});

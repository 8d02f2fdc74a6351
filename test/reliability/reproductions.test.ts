/**
 * The failures of issue #17 as they were reported, over raw sockets: each must now be the answer
 * the README promises, and the server must go on answering after it.
 */
import net from 'node:net';
import type { MockServer } from '../../src';
import { sdk, startMock } from '../helpers/server';
import { captureLogger, trapUnhandled } from './helpers/process-state';
import { buildRequest, parseAnswer, rawRequest, type RawAnswer } from './helpers/raw-http';

let mock: MockServer;
const log = captureLogger('debug');
const unhandled = trapUnhandled();

beforeAll(async () => {
  mock = await startMock({ logger: log.logger });
});

afterAll(async () => {
  await mock?.close();
  unhandled.stop();
});

afterEach(async () => {
  // Whatever the case did, the same server still answers the SDK, and nothing escaped it.
  const models = await sdk(mock).models.list();
  expect(models.data.length).toBeGreaterThan(0);
  expect(unhandled.seen).toEqual([]);
  expect(log.lines.filter((l) => l.startsWith('error: '))).toEqual([]);
});

const AUTH = { Authorization: 'Bearer sk-repro' };

function expectOpenAIError(answer: RawAnswer, status: number): { message: string; type: string; param: string | null; code: string | null } {
  expect(answer.status).toBe(status);
  const body = JSON.parse(answer.body);
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  return body.error;
}

async function send(method: string, target: string, headers: Record<string, string>, body?: string | Buffer): Promise<RawAnswer> {
  // A hang detector, not a timing: the first `Prefer: example=` loads Prism, which takes long on a busy machine.
  const outcome = await rawRequest(mock.port, buildRequest(method, target, headers, body), 120_000);
  if (!('answer' in outcome)) throw new Error(`closed without an answer: ${outcome.error}`);
  return outcome.answer;
}

test('a multipart upload whose file part never reaches its closing boundary is a 400, not a crash', async () => {
  const body = '--B\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n--B\r\nContent-Disposition: form-data; name="file"; filename="a.jsonl"\r\n\r\nx\r\n';
  const answer = await send('POST', '/v1/files', { ...AUTH, 'Content-Type': 'multipart/form-data; boundary=B' }, body);
  const error = expectOpenAIError(answer, 400);
  expect(error.type).toBe('invalid_request_error');
  expect(error.message).toMatch(/multipart body cannot be read: Unexpected end of form/);
});

/**
 * Opens a socket, sends the head of a request with a body it does not (all) send, and reports the
 * answer and whether the server then closed the connection, within `withinMs`.
 */
function earlyAnswer(head: string, partialBody: string, withinMs: number): Promise<{ answer?: RawAnswer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(mock.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    const timer = setTimeout(() => finish(), withinMs);
    function finish() {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer: parseAnswer(Buffer.concat(chunks)), closed });
    }
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.write(head + partialBody);
  });
}

test.each([
  ['401 (no key)', '/v1/chat/completions', ''],
  ['404 (no such route)', '/v1/nope', 'Authorization: Bearer sk-repro\r\n'],
])('a %s to a request whose body is still owed ends the connection instead of holding it', async (_name, target, auth) => {
  const head = `POST ${target} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n`;
  // Well under the keep-alive timeout (30 s): a connection still open after 3 s is being held.
  const { answer, closed } = await earlyAnswer(head, '{"model":', 3_000);
  expect(answer?.status).toBe(target === '/v1/nope' ? 404 : 401);
  expect(answer?.headers.connection).toBe('close');
  expect(closed).toBe(true);
});

test('a 401 to a small body that arrives is read, and the connection serves the next request', async () => {
  const body = '{"model":"gpt-4o","messages":[]}';
  const first = `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  const second = `GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-repro\r\nConnection: close\r\n\r\n`;
  const statuses = await new Promise<number[]>((resolve, reject) => {
    const socket = net.connect(mock.port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve([...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]))));
    // The head first, the body a moment later: the answer is known before the body arrives.
    socket.write(first);
    setTimeout(() => socket.write(body + second), 100);
  });
  expect(statuses).toEqual([401, 200]);
});

test('Prefer: example= with an undocumented name is a 400 naming the documented ones', async () => {
  const error = expectOpenAIError(await send('GET', '/v1/responses/resp_1', { ...AUTH, Prefer: 'example=nope' }), 400);
  expect(error).toMatchObject({ param: 'Prefer', code: 'undocumented_example' });
  expect(error.message).toMatch(/example=nope.*'default'/);
  const none = expectOpenAIError(await send('GET', '/v1/models', { ...AUTH, Prefer: 'example=nope' }), 400);
  expect(none.message).toMatch(/documents none/);
  // A documented name still picks its example.
  expect((await send('GET', '/v1/responses/resp_1', { ...AUTH, Prefer: 'example=default' })).status).toBe(200);
}, 180_000);

test('a number too large for a double is named as it was sent, not as null', async () => {
  const body = '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"n":1e400}';
  const error = expectOpenAIError(await send('POST', '/v1/chat/completions', { ...AUTH, 'Content-Type': 'application/json' }, body), 400);
  expect(error).toMatchObject({ param: 'n', code: 'invalid_value' });
  expect(error.message).toContain('1e400');
  expect(error.message).not.toContain('null');
  const nested = '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"temperature":-2E+999}';
  const deep = expectOpenAIError(await send('POST', '/v1/chat/completions', { ...AUTH, 'Content-Type': 'application/json' }, nested), 400);
  expect(deep).toMatchObject({ param: 'temperature' });
  expect(deep.message).toContain('-2E+999');
});

test('POST /v1/evals/{eval_id}/runs answers its 400 in the envelope every operation uses (see README, Reliability)', async () => {
  const error = expectOpenAIError(await send('POST', '/v1/evals/eval_1/runs', { ...AUTH, 'Content-Type': 'application/json' }, '{}'), 400);
  expect(error.param).toBe('data_source');
});

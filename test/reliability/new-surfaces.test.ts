/**
 * Hostile clients of the surfaces added with stateful mode, Realtime, latency, rate limits and
 * metrics, against the command itself (a child process): whatever they send, the same process
 * still answers, with an OpenAI-shaped error where the input was bad.
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import WebSocket from 'ws';
import { spawnCli, type CliRun } from '../helpers/cli';
import { startMock } from '../helpers/server';

let cli: CliRun;
let port: number;
let base: string;

beforeAll(async () => {
  cli = spawnCli(['--port', '0', '--no-cors', '--stateful', '--log-level', 'info']);
  port = Number((await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, 0, 60_000))[1]);
  base = `http://127.0.0.1:${port}`;
}, 120_000);

afterAll(async () => {
  await cli?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(base + path, {
    method,
    headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

function expectOpenAIError(answer: { status: number; json: any; text: string }, status: number) {
  expect({ status: answer.status, body: answer.json ?? answer.text }).toEqual({
    status,
    body: { error: { message: expect.any(String), type: expect.any(String), param: answer.json?.error?.param ?? null, code: answer.json?.error?.code ?? null } },
  });
  for (const key of ['param', 'code']) expect(['string', 'object']).toContain(typeof answer.json.error[key]);
}

async function stillServing() {
  expect(cli.child.exitCode).toBeNull();
  expect(cli.child.signalCode).toBeNull();
  const answer = await call('POST', '/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  expect(answer.status).toBe(200);
  expect(answer.json.object).toBe('chat.completion');
}

interface Socket {
  ws: WebSocket;
  events: any[];
  closed: Promise<number>;
  waitFor(type: string, from?: number, timeoutMs?: number): Promise<any>;
}

async function realtime(headers: Record<string, string> = { authorization: 'Bearer sk-test' }): Promise<Socket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/realtime?model=gpt-realtime`, { headers });
  const events: any[] = [];
  ws.on('message', (data) => events.push(JSON.parse(data.toString())));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    events,
    closed,
    async waitFor(type, from = 0, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.slice(from).find((e) => e.type === type);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no ${type} event; got ${events.map((e) => e.type).join(', ')}`);
        await sleep(20);
      }
    },
  };
}

/** PCM16 at 24 kHz: a loud square wave (speech to the simulated VAD) or silence. */
function pcm(ms: number, loud: boolean): string {
  const samples = (24_000 * ms) / 1000;
  const buffer = Buffer.alloc(samples * 2);
  if (loud) for (let i = 0; i < samples; i++) buffer.writeInt16LE(i % 2 ? 20_000 : -20_000, i * 2);
  return buffer.toString('base64');
}

describe('Realtime', () => {
  test('a scripted drop of the transcription the server VAD asks for cuts that socket, not the process', async () => {
    const script = await call('POST', '/__admin/scripts', { operation: 'createTranscription', close: true, times: 1, session: 'vad-drop' });
    expect(script.status).toBe(201);
    const socket = await realtime({ authorization: 'Bearer sk-test', 'x-mock-session': 'vad-drop' });
    socket.ws.send(JSON.stringify({ type: 'session.update', session: { type: 'realtime', audio: { input: { transcription: { model: 'whisper-1' } } } } }));
    socket.ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: pcm(1000, true) }));
    socket.ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: pcm(1000, false) }));
    await socket.waitFor('input_audio_buffer.committed');
    expect(await socket.closed).toBe(1006);
    await stillServing();
  }, 60_000);

  test('a scripted drop of the response the server VAD starts cuts that socket, not the process', async () => {
    const script = await call('POST', '/__admin/scripts', { operation: 'createResponse', close: true, times: 1, session: 'vad-drop-response' });
    expect(script.status).toBe(201);
    const socket = await realtime({ authorization: 'Bearer sk-test', 'x-mock-session': 'vad-drop-response' });
    socket.ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: pcm(1000, true) }));
    socket.ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: pcm(1000, false) }));
    await socket.waitFor('input_audio_buffer.committed');
    expect(await socket.closed).toBe(1006);
    await stillServing();
  }, 60_000);

  test('the input audio buffer is bounded: past a session of audio an append is refused with an error event', async () => {
    const socket = await realtime();
    socket.ws.send(JSON.stringify({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } }));
    // 11 MiB of silence per frame (15 MiB of base64, under the frame limit): 86.4 MB is 30 minutes.
    const frame = JSON.stringify({ type: 'input_audio_buffer.append', event_id: 'big', audio: Buffer.alloc(11 * 1024 * 1024).toString('base64') });
    for (let i = 0; i < 8; i++) socket.ws.send(frame);
    const error = await socket.waitFor('error', 0, 60_000);
    expect(error.error).toMatchObject({ type: 'invalid_request_error', code: 'input_audio_buffer_too_large', param: 'audio', event_id: 'big' });
    socket.ws.send(JSON.stringify({ type: 'input_audio_buffer.clear' }));
    await socket.waitFor('input_audio_buffer.cleared');
    socket.ws.close();
    await stillServing();
  }, 90_000);
});

/** The raw answer to raw bytes: status, headers and body, or what happened to the socket. */
function rawExchange(text: string): Promise<{ status: number; headers: string; body: string } | { closed: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closed: `timeout after ${out.length} bytes` });
    }, 20_000);
    socket.on('data', (chunk) => (out += chunk.toString('latin1')));
    socket.on('error', (error) => {
      clearTimeout(timer);
      resolve({ closed: error.message });
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const at = out.indexOf('\r\n\r\n');
      if (at < 0) return resolve({ closed: `closed after ${out.length} bytes` });
      resolve({ status: Number(out.slice(9, 12)), headers: out.slice(0, at).toLowerCase(), body: out.slice(at + 4) });
    });
    socket.write(text);
  });
}

describe('WebSocket handshakes', () => {
  const upgrade = (lines: string[]) =>
    ['GET /v1/realtime?model=gpt-realtime HTTP/1.1', 'Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade', 'Authorization: Bearer sk-test', ...lines, '', ''].join('\r\n');

  test.each([
    ['no key', ['Sec-WebSocket-Version: 13'], 400],
    ['a key that is not 16 bytes of base64', ['Sec-WebSocket-Key: !!', 'Sec-WebSocket-Version: 13'], 400],
    ['an unknown version', ['Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 99'], 426],
    ['no version', ['Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='], 426],
  ])('%s: an OpenAI-shaped error, not the WebSocket library\'s text/html', async (_name, lines, status) => {
    const answer = await rawExchange(upgrade(lines as string[]));
    if (!('status' in answer)) throw new Error(`no answer: ${answer.closed}`);
    expect(answer.status).toBe(status);
    expect(answer.headers).toContain('content-type: application/json');
    expectOpenAIError({ status: answer.status, json: JSON.parse(answer.body), text: answer.body }, status);
  }, 30_000);
});

describe('latency', () => {
  test('an absurd configured latency (1e12 ms) still waits (Node would fire it after 1 ms) and a client that leaves frees it', async () => {
    const mock = await startMock({ latency: { default: { ttftMs: 1e12, totalMs: 1e12 } } });
    try {
      const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      for (const stream of [false, true]) {
        const abort = new AbortController();
        const answer = fetch(`${mock.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
          body: stream ? JSON.stringify({ ...JSON.parse(body), stream: true }) : body,
          signal: abort.signal,
        }).then(async (response) => ({ status: response.status, text: await response.text() }));
        const early = await Promise.race([answer, sleep(1000).then(() => 'still waiting' as const)]);
        expect(early).toBe('still waiting');
        abort.abort();
        await expect(answer).rejects.toThrow();
      }
      // The same server answers at once when asked for no latency.
      const fast = await fetch(`${mock.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json', prefer: 'latency=fast' }, body });
      expect(fast.status).toBe(200);
    } finally {
      await mock.close();
    }
  }, 60_000);
});

describe('stateful mode', () => {
  test('the lifecycle clock cannot be advanced past the last date JavaScript holds (created_at went null)', async () => {
    const session = { 'x-mock-session': 'clock-overflow' };
    for (const ms of [1e308, 8.64e15]) {
      const refused = await call('POST', '/__admin/state/advance', { ms }, session);
      expectOpenAIError(refused, 400);
      expect(refused.json.error.param).toBe('ms');
    }
    const state = await call('GET', '/__admin/state');
    expect(Number.isFinite(state.json.clock.offsetMs)).toBe(true);
    const created = await call('POST', '/v1/vector_stores', { name: 'after the refusal' }, session);
    expect(created.status).toBe(200);
    expect(Number.isInteger(created.json.created_at)).toBe(true);
  }, 30_000);
});

describe('a file-backed state store that is not one', () => {
  test.each([
    ['a file that is not SQLite', (file: string) => writeFile(file, 'not a database at all\n'), /cannot be opened: file is not a database/],
    [
      'another SQLite database with a table of the same name',
      async (file: string) => {
        const db = new DatabaseSync(file);
        db.exec('CREATE TABLE objects (x INTEGER); INSERT INTO objects VALUES (1);');
        db.close();
      },
      /is not an openai-mock state store/,
    ],
    [
      'a store whose rows are not JSON',
      async (file: string) => {
        const db = new DatabaseSync(file);
        db.exec("CREATE TABLE objects (session TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (session, kind, id)); INSERT INTO objects VALUES ('default', 'file', 'file-1', 1, '{broken');");
        db.close();
      },
      /is not an openai-mock state store/,
    ],
  ])('%s: a one-line error at start, no stack trace', async (_name, make, message) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'openai-mock-store-'));
    try {
      const file = path.join(dir, 'state.db');
      await make(file);
      await writeFile(path.join(dir, 'openai-mock.config.json'), JSON.stringify({ state: { store: file } }));
      const run = spawnCli(['--port', '0'], { cwd: dir });
      const { code } = await run.exited;
      expect(code).not.toBe(0);
      expect(run.output()).toMatch(message);
      expect(run.output()).not.toMatch(/\n\s+at /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the process after the attack', () => {
  const fdsOf = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
  const openSessions = async () => (await call('GET', '/__admin/realtime/sessions')).json.data.length as number;

  test('sockets dropped mid-response (no close frame), a response.create flood and a client that never reads leave no session or descriptor behind', async () => {
    const pid = cli.child.pid!;
    const sessionsBefore = await openSessions();
    const fdsBefore = process.platform === 'linux' ? fdsOf(pid) : 0;

    const flood = await realtime();
    for (let i = 0; i < 200; i++) flood.ws.send(JSON.stringify({ type: 'response.create', event_id: `flood_${i}` }));
    const refused = await flood.waitFor('error');
    expect(refused.error.code).toBe('conversation_already_has_active_response');
    // A client that stops reading while audio is sent to it.
    (flood.ws as unknown as { _socket: net.Socket })._socket.pause();
    await sleep(500);
    flood.ws.terminate();

    const dropped: Socket[] = [];
    for (let i = 0; i < 40; i++) {
      const socket = await realtime();
      socket.ws.send(JSON.stringify({ type: 'response.create' }));
      socket.ws.send(Buffer.from([0xff, 0x00, 0x80]), { binary: true });
      dropped.push(socket);
    }
    await dropped[0]!.waitFor('response.created');
    for (const socket of dropped) (socket.ws as unknown as { _socket: net.Socket })._socket.destroy();

    const deadline = Date.now() + 20_000;
    while ((await openSessions()) > sessionsBefore && Date.now() < deadline) await sleep(200);
    expect(await openSessions()).toBe(sessionsBefore);
    if (process.platform === 'linux') {
      while (fdsOf(pid) > fdsBefore + 5 && Date.now() < deadline) await sleep(200);
      expect(fdsOf(pid)).toBeLessThanOrEqual(fdsBefore + 5);
    }

    // Metrics scraped while requests run: every scrape and every request answers.
    const load = Array.from({ length: 60 }, (_, i) => call('POST', '/v1/chat/completions', { model: 'gpt-4o-mini', stream: i % 2 === 0, messages: [{ role: 'user', content: 'hi' }] }));
    const scrapes = Array.from({ length: 20 }, () => call('GET', '/__admin/metrics'));
    const answers = await Promise.all([...load, ...scrapes]);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(answers.at(-1)!.text).toMatch(/openai_mock_requests_total/);

    await stillServing();
    expect(cli.child.pid).toBe(pid);
  }, 90_000);
});

describe('stream pacing', () => {
  test('a scripted gap past 2^31-1 ms (intervalMs 1e12) holds the stream without spinning the timer', async () => {
    const session = { 'x-mock-session': 'far-gap' };
    const script = await call('POST', '/__admin/scripts', { operation: 'createChatCompletion', session: 'far-gap', reply: { status: 200 }, stream: { intervalMs: 1e12 } });
    expect(script.status).toBe(201);
    const from = cli.output().length;
    const abort = new AbortController();
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json', ...session },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();
    const next = reader.read().then(() => 'next event' as const, () => 'aborted' as const);
    expect(await Promise.race([next, sleep(1500).then(() => 'still waiting' as const)])).toBe('still waiting');
    abort.abort();
    await next;
    // Node fires an overflowing timer after 1 ms, warning each time: re-armed so, it would spin.
    expect(cli.output().slice(from)).not.toMatch(/TimeoutOverflowWarning/);
    await stillServing();
  }, 60_000);

  test('a Realtime response paced by a scripted gap past 2^31-1 ms waits, and the socket closed mid-response frees it', async () => {
    const script = await call('POST', '/__admin/scripts', { operation: 'createResponse', session: 'far-gap-rt', reply: { status: 200 }, stream: { intervalMs: 1e12 } });
    expect(script.status).toBe(201);
    const from = cli.output().length;
    const socket = await realtime({ authorization: 'Bearer sk-test', 'x-mock-session': 'far-gap-rt' });
    socket.ws.send(JSON.stringify({ type: 'response.create', response: { output_modalities: ['text'] } }));
    await socket.waitFor('response.output_item.added');
    const before = socket.events.length;
    await sleep(1500);
    expect(socket.events.slice(before).map((e) => e.type)).toEqual([]);
    socket.ws.close();
    await socket.closed;
    expect(cli.output().slice(from)).not.toMatch(/TimeoutOverflowWarning/);
    await stillServing();
  }, 60_000);
});

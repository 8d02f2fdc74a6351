/**
 * `--workers 2 --port 0`: the command as a child process, two worker processes behind one port.
 * Both answer (plain HTTP, HTTPS with HTTP/1.1 and h2), a config edit reaches both with one log
 * line, a killed worker is replaced, the per-process admin routes say so, and SIGTERM leaves no
 * process behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { ROOT, spawnCli, type CliRun } from '../helpers/cli';
import { tempProject } from '../overrides/support';

const LISTENING = /openai-mock listening on http:\/\/127\.0\.0\.1:(\d+) and https:\/\/127\.0\.0\.1:\d+ \(h2, http\/1\.1\) \(\d+ operations, spec [^,]+, 2 workers, ready in \d+ ms\)/;
const START_MS = 120_000;

interface Answer {
  status: number;
  worker: string | undefined;
  body: any;
}

/** One request on a connection of its own: the primary hands connections, not requests, to workers. */
function ask(port: number, method: string, urlPath: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(
      { host: '127.0.0.1', port, method, path: urlPath, agent: false, headers: { authorization: 'Bearer sk-test', ...(text ? { 'content-type': 'application/json' } : {}) } },
      (response) => {
        let data = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (data += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, worker: response.headers['x-mock-worker'] as string | undefined, body: data ? JSON.parse(data) : undefined }));
      },
    );
    request.on('error', reject);
    request.end(text);
  });
}

const chat = (port: number) => ask(port, 'POST', '/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
const health = (port: number) => ask(port, 'GET', '/__admin/health');

/** Health, asked until every worker has answered: id -> pid. */
async function workerPids(port: number, count = 2, deadlineMs = 60_000): Promise<Map<string, number>> {
  const pids = new Map<string, number>();
  const deadline = Date.now() + deadlineMs;
  while (pids.size < count && Date.now() < deadline) {
    const { body, worker } = await health(port);
    expect(String(body.worker.id)).toBe(worker);
    pids.set(worker!, body.worker.pid);
  }
  return pids;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
};

async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const CONFIG = (reply: string) => `import { chat, defineConfig, defineOverride } from 'openai-mock';

export default defineConfig({
  overrides: [
    defineOverride({ operation: 'createChatCompletion', response: (ctx) => chat.reply(ctx, ${JSON.stringify(reply)}) }),
    // A bug in user code that escapes the request: it ends the worker that ran it.
    defineOverride({
      operation: 'createChatCompletion',
      match: (request) => request.body.model === 'crash-worker',
      response: (ctx) => {
        setImmediate(() => {
          throw new Error('boom outside the request');
        });
        return chat.reply(ctx, 'about to crash');
      },
    }),
  ],
});
`;

describe('--workers 2 --port 0', () => {
  let project: Awaited<ReturnType<typeof tempProject>>;
  let dataDir: string;
  let cli: CliRun;
  let port: number;
  let configFile: string;

  beforeAll(async () => {
    project = await tempProject('openai-mock-workers-');
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'openai-mock-workers-data-'));
    configFile = await project.write('mock.config.ts', CONFIG('first'));
    cli = spawnCli(['--workers', '2', '--port', '0', '--watch', '--config', configFile, '--ready-file', path.join(project.dir, 'ready.json')], {
      cwd: project.dir,
      env: { OPENAI_MOCK_SPEC: process.env.OPENAI_MOCK_SPEC, XDG_DATA_HOME: dataDir },
    });
    port = Number((await cli.waitFor(LISTENING, 0, START_MS))[1]);
  }, START_MS + 10_000);

  afterAll(async () => {
    if (process.env.SHOW_LOG) console.log(cli?.output());
    await cli?.stop();
    await project?.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('the official SDK gets its answer, and each worker answers with its own process', async () => {
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'sk-test', maxRetries: 0, timeout: 30_000 });
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(data.choices[0]!.message.content).toBe('first');
    expect(['1', '2']).toContain(response.headers.get('x-mock-worker'));

    const pids = await workerPids(port);
    expect([...pids.keys()].sort()).toEqual(['1', '2']);
    const [one, two] = [pids.get('1')!, pids.get('2')!];
    expect(one).not.toBe(two);
    for (const pid of [one, two]) {
      expect(pid).not.toBe(cli.child.pid);
      expect(alive(pid)).toBe(true);
    }
    const { body } = await health(port);
    expect(body).toMatchObject({ status: 'ok', workers: 2 });
    // The ready line comes once, from the primary, and so does the ready file.
    expect(cli.output().match(/openai-mock listening on/g)).toHaveLength(1);
    expect(JSON.parse(await readFile(path.join(project.dir, 'ready.json'), 'utf8'))).toEqual({ url: `http://127.0.0.1:${port}`, port, pid: cli.child.pid });
  });

  test('HTTPS on the same port reaches the workers, over HTTP/1.1 and h2', async () => {
    const ca = await readFile(path.join(dataDir, 'openai-mock', 'tls', 'ca.pem'), 'utf8');
    const overH1 = () =>
      new Promise<{ status: number; version: string; encrypted: boolean; worker: string }>((resolve, reject) => {
        const request = https.get({ host: '127.0.0.1', port, path: '/__admin/health', ca, agent: false }, (response) => {
          response.resume();
          resolve({ status: response.statusCode!, version: response.httpVersion, encrypted: (response.socket as import('node:tls').TLSSocket).encrypted, worker: response.headers['x-mock-worker'] as string });
        });
        request.on('error', reject);
      });
    // Each worker serves the certificate of the one local CA (the first made it, the second read it).
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < 2; i++) {
      const answer = await overH1();
      expect(answer).toMatchObject({ status: 200, version: '1.1', encrypted: true });
      seen.add(answer.worker);
    }
    expect(seen).toEqual(new Set(['1', '2']));

    const session = http2.connect(`https://127.0.0.1:${port}`, { ca });
    try {
      const overH2 = await new Promise<{ status: number; worker: string; body: string }>((resolve, reject) => {
        const stream = session.request({ ':method': 'POST', ':path': '/v1/chat/completions', authorization: 'Bearer sk-test', 'content-type': 'application/json' });
        let status = 0;
        let worker = '';
        let body = '';
        stream.on('response', (headers) => {
          status = Number(headers[':status']);
          worker = String(headers['x-mock-worker']);
        });
        stream.setEncoding('utf8');
        stream.on('data', (chunk) => (body += chunk));
        stream.on('end', () => resolve({ status, worker, body }));
        stream.on('error', reject);
        stream.end(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }));
      });
      expect(overH2.status).toBe(200);
      expect(['1', '2']).toContain(overH2.worker);
      expect(JSON.parse(overH2.body).choices[0].message.content).toBe('first');
    } finally {
      session.close();
    }
  });

  test('the journal and scripts over HTTP answer 409: they are per worker', async () => {
    const journal = await ask(port, 'GET', '/__admin/journal');
    expect(journal.status).toBe(409);
    expect(journal.body.error).toMatchObject({ code: 'per_worker_state', type: 'invalid_request_error' });
    expect(journal.body.error.message).toMatch(/2 workers share this port.*--workers 1/);
    const script = await ask(port, 'POST', '/__admin/scripts', { operation: 'createChatCompletion', reply: 'scripted' });
    expect(script.status).toBe(409);
    expect(script.body.error.message).toMatch(/scripts are kept in each worker process/);
    // Refused, not added to one worker: no answer comes from it.
    for (let i = 0; i < 4; i++) expect((await chat(port)).body.choices[0].message.content).toBe('first');
  });

  test('/__admin/metrics answers for every worker together', async () => {
    const workers = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const answer = await ask(port, 'POST', '/v1/embeddings', { model: 'text-embedding-3-small', input: 'hello' });
      expect(answer.status).toBe(200);
      workers.add(answer.worker!);
    }
    expect(workers).toEqual(new Set(['1', '2']));
    // Asked of each worker in turn: every one gives the sum.
    for (let i = 0; i < 2; i++) {
      const text = await new Promise<string>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: '/__admin/metrics', agent: false }, (response) => {
          expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
          let data = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => (data += chunk));
          response.on('end', () => resolve(data));
        }).on('error', reject);
      });
      expect(text).toMatch(/^openai_mock_requests_total\{operation="createEmbedding",status="200"\} 6$/m);
      expect(text).toMatch(/^openai_mock_request_duration_seconds_count\{operation="createEmbedding"\} 6$/m);
    }
  });

  test('a config edit reaches every worker, with one log line', async () => {
    const from = cli.output().length;
    await project.write('mock.config.ts', CONFIG('second'));
    // Ten answers in a row, from both workers, all the new one.
    const streak: Answer[] = [];
    await until(
      async () => {
        const answer = await chat(port);
        if (answer.body.choices[0].message.content === 'second') streak.push(answer);
        else streak.length = 0;
        return streak;
      },
      (s) => s.length >= 10 && new Set(s.map((a) => a.worker)).size === 2,
    );
    expect(streak.length).toBeGreaterThanOrEqual(10);
    expect(new Set(streak.map((a) => a.worker))).toEqual(new Set(['1', '2']));
    await cli.waitFor(/overrides reloaded: 2 overrides in \d+ ms/, from);
    // Worker 1 alone says so (a save may come as two writes, each a reload).
    const lines = cli.output().slice(from).split('\n').filter((line) => line.includes('overrides reloaded'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^\[worker 1\] overrides reloaded: 2 overrides in \d+ ms$/);
  });

  test('a killed worker is replaced, with a warning naming the cause', async () => {
    const before = await workerPids(port);
    const victim = before.get('2')!;
    const from = cli.output().length;
    process.kill(victim, 'SIGKILL');
    await cli.waitFor(new RegExp(`warn: worker 2 \\(pid ${victim}\\) was killed by SIGKILL; starting another`), from, 30_000);
    const replaced = Number((await cli.waitFor(/worker 2 replaced \(pid (\d+)\)/, from, START_MS))[1]);
    expect(replaced).not.toBe(victim);
    const after = await workerPids(port);
    expect(after.get('1')).toBe(before.get('1'));
    expect(after.get('2')).toBe(replaced);
    // The replacement loaded the config as it is now.
    const answers = await until(
      async () => [await chat(port), await chat(port), await chat(port), await chat(port)],
      (list) => list.some((a) => a.worker === '2'),
    );
    for (const answer of answers) expect(answer.body.choices[0].message.content).toBe('second');
  }, START_MS + 30_000);

  test('a worker crashed by an uncaught error is replaced, the warning naming the error', async () => {
    const from = cli.output().length;
    const answer = await ask(port, 'POST', '/v1/chat/completions', { model: 'crash-worker', messages: [{ role: 'user', content: 'Hi' }] });
    expect(answer.body.choices[0].message.content).toBe('about to crash');
    const id = answer.worker!;
    await cli.waitFor(new RegExp(`warn: worker ${id} \\(pid \\d+\\) crashed: boom outside the request; starting another`), from, 30_000);
    await cli.waitFor(new RegExp(`worker ${id} replaced \\(pid \\d+\\)`), from, START_MS);
    expect([...(await workerPids(port)).keys()].sort()).toEqual(['1', '2']);
  }, START_MS + 30_000);

  test('with every worker killed at once, the replacements keep the port (the primary\'s socket for port 0 went with them)', async () => {
    const before = await workerPids(port);
    const from = cli.output().length;
    for (const pid of before.values()) process.kill(pid, 'SIGKILL');
    await cli.waitFor(/worker 1 replaced \(pid \d+\)/, from, START_MS);
    await cli.waitFor(/worker 2 replaced \(pid \d+\)/, from, START_MS);
    const after = await workerPids(port);
    expect([...after.keys()].sort()).toEqual(['1', '2']);
    for (const [id, pid] of after) expect(pid).not.toBe(before.get(id));
    // A later death after that: its replacement joins the same socket, not a new port.
    const again = cli.output().length;
    process.kill(after.get('2')!, 'SIGKILL');
    const replaced = Number((await cli.waitFor(/worker 2 replaced \(pid (\d+)\)/, again, START_MS))[1]);
    expect((await workerPids(port)).get('2')).toBe(replaced);
  }, 2 * START_MS);

  test('SIGTERM stops the primary and every worker', async () => {
    const pids = [...(await workerPids(port)).values(), cli.child.pid!];
    const exit = await cli.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    const gone = await until(
      async () => pids.filter(alive),
      (left) => left.length === 0,
      30_000,
    );
    expect(gone).toEqual([]);
    // And the port is free again.
    await new Promise<void>((resolve, reject) => {
      const probe = net.createServer().once('error', reject);
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
  });
});

test('a taken port is one line and exit code 1, with no worker left behind', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as net.AddressInfo).port;
  try {
    const cli = spawnCli(['--workers', '2', '--port', String(port)], { env: { OPENAI_MOCK_SPEC: process.env.OPENAI_MOCK_SPEC } });
    const exit = await cli.exited;
    expect(exit.code).toBe(1);
    expect(cli.output()).toMatch(new RegExp(`openai-mock: cannot listen on 127\\.0\\.0\\.1:${port}: the port is taken`));
    expect(cli.output()).not.toMatch(/openai-mock listening/);
    const left = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes('main.js') && line.includes(`--port ${port}`));
    expect(left).toEqual([]);
  } finally {
    taken.close();
  }
}, START_MS);

test('--workers takes a whole number or auto', async () => {
  const cli = spawnCli(['--workers', '0']);
  expect((await cli.exited).code).toBe(2);
  expect(cli.output()).toMatch(/--workers must be a whole number from 1 to 256, or auto, got "0"/);
  const fromEnv = spawnCli([], { env: { OPENAI_MOCK_WORKERS: 'many' } });
  expect((await fromEnv.exited).code).toBe(2);
  expect(fromEnv.output()).toMatch(/OPENAI_MOCK_WORKERS must be a whole number from 1 to 256, or auto, got "many"/);
});

test('--stateful with more than one worker is refused at start: the objects would be per process', async () => {
  const cli = spawnCli(['--workers', '2', '--stateful']);
  expect((await cli.exited).code).toBe(2);
  expect(cli.output()).toMatch(/--stateful keeps its objects in one process.*use --workers 1 with --stateful/);
});

test('workers do not outlive a primary killed outright', async () => {
  const cli = spawnCli(['--workers', '2', '--port', '0', '--http-only'], { env: { OPENAI_MOCK_SPEC: process.env.OPENAI_MOCK_SPEC } });
  const port = Number((await cli.waitFor(/openai-mock listening on http:\/\/127\.0\.0\.1:(\d+)/, 0, START_MS))[1]);
  const pids = [...(await workerPids(port)).values()];
  expect(pids).toHaveLength(2);
  cli.child.kill('SIGKILL');
  await cli.exited;
  const left = await until(
    async () => pids.filter(alive),
    (list) => list.length === 0,
    30_000,
  );
  expect(left).toEqual([]);
}, START_MS + 60_000);

test('createMockServer stays one process: option "workers" is the command\'s, said with a warning', async () => {
  const { createMockServer } = await import('../../src/index');
  const lines: string[] = [];
  const { createLogger } = await import('../../src/log/logger');
  const server = await createMockServer({ workers: 2, logger: createLogger('warn', (line) => lines.push(line)) });
  try {
    expect(lines.join('\n')).toMatch(/createMockServer serves from this process only: option "workers" is for the command/);
    const { body, worker } = await ask(server.port, 'GET', '/__admin/health');
    expect(body.workers).toBe(1);
    expect(body.worker).toBeUndefined();
    expect(worker).toBeUndefined();
    expect((await ask(server.port, 'GET', '/__admin/journal')).status).toBe(200);
  } finally {
    await server.close();
  }
});

test('workers: auto is the number of cores, from an option or the environment', async () => {
  const { resolveSettings } = await import('../../src/settings/resolve');
  const cores = os.availableParallelism();
  expect((await resolveSettings({ workers: 'auto' }, { env: {} })).workers).toBe(cores);
  expect((await resolveSettings({}, { env: { OPENAI_MOCK_WORKERS: 'auto' } })).workers).toBe(cores);
  expect((await resolveSettings({}, { env: { OPENAI_MOCK_WORKERS: '3' } })).workers).toBe(3);
  expect((await resolveSettings({}, { env: {} })).workers).toBe(1);
  await expect(resolveSettings({ workers: 0 as never }, { env: {}, given: 'flag' })).rejects.toThrow('--workers must be a whole number from 1 to 256, or "auto", got 0');
});

test('Ctrl-C (SIGINT to the whole process group) stops all cleanly: no worker is replaced on the way out', async () => {
  // A group of its own, as a terminal gives a command.
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), '--workers', '2', '--port', '0', '--http-only'], {
    cwd: ROOT,
    env: { ...process.env, OPENAI_MOCK_SPEC: process.env.OPENAI_MOCK_SPEC },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const ready = await until(
      async () => /openai-mock listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output),
      (match) => match !== null || child.exitCode !== null,
      START_MS,
    );
    expect(ready).not.toBeNull();
    const pids = [...(await workerPids(Number(ready![1]))).values()];
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(output).toMatch(/SIGINT: closing/);
    expect(output).not.toMatch(/starting another|replaced/);
    expect(await until(async () => pids.filter(alive), (left) => left.length === 0, 30_000)).toEqual([]);
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
}, START_MS + 60_000);

/**
 * The `openai-mock` command as a child process (built by the global setup): what it prints, how
 * it answers, how it fails, and how it stops.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnCli, type CliRun } from '../helpers/cli';

const LISTENING = /^openai-mock listening on (http:\/\/127\.0\.0\.1:(\d+))(?: and https:\/\/127\.0\.0\.1:\d+ \(h2, http\/1\.1\))? \((\d+) operations, spec (\S+), ready in (\d+) ms\)$/m;

let dir: string;
let smallSpec: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openai-mock-cli-'));
  smallSpec = path.join(dir, 'small.yaml');
  await writeFile(
    smallSpec,
    [
      'openapi: 3.1.0',
      'info: { title: Small, version: 9.9.9 }',
      'paths:',
      '  /models:',
      '    get:',
      '      operationId: listModels',
      '      responses:',
      "        '200':",
      '          description: OK',
      '          content:',
      '            application/json:',
      '              schema: { type: object, required: [object], properties: { object: { type: string, enum: [list] } } }',
      '  /models/{model}:',
      '    delete:',
      '      operationId: deleteModel',
      '      parameters: [{ name: model, in: path, required: true, schema: { type: string } }]',
      '      responses:',
      "        '200': { description: OK, content: { application/json: { schema: { type: object } } } }",
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Run = CliRun;

/** The command started here, without the OPENAI_MOCK_SPEC of the test's own environment unless given. */
function start(args: string[], env: Record<string, string | undefined> = {}): Run {
  return spawnCli(args, { env: { OPENAI_MOCK_SPEC: undefined, ...env } });
}

/** Runs the command to its end. */
async function run(args: string[], env: Record<string, string | undefined> = {}) {
  const r = start(args, env);
  const { code } = await r.exited;
  return { code, output: r.output() };
}

const stop = (r: Run) => r.stop();

test('--port 0: the listening line, an answer, one log line per request, and a clean SIGTERM', async () => {
  const r = start(['--port', '0']);
  const [, url, port, operations, version] = await r.waitFor(LISTENING);
  expect(Number(port)).toBeGreaterThan(0);
  expect(Number(operations)).toBeGreaterThan(250);
  expect(version).toMatch(/^\d+\.\d+\.\d+/);

  const models = await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer sk-test' } });
  expect(models.status).toBe(200);
  expect((await models.json()).object).toBe('list');
  const missing = await fetch(`${url}/v1/nope`, { method: 'POST' });
  expect(missing.status).toBe(404);
  const unauthenticated = await fetch(`${url}/v1/models`);
  expect(unauthenticated.status).toBe(401);

  await r.waitFor(/^GET \/v1\/models 200 \d+(\.\d+)?ms$/m);
  await r.waitFor(/^POST \/v1\/nope 404 \d+(\.\d+)?ms$/m);
  await r.waitFor(/^GET \/v1\/models 401 \d+(\.\d+)?ms$/m);
  const requestLines = r.output().split('\n').filter((line) => /^(GET|POST) \//.test(line));
  expect(requestLines).toHaveLength(3);

  const { code, signal } = await stop(r);
  expect({ code, signal }).toEqual({ code: 0, signal: null });
});

test('SIGINT closes it cleanly too, with a request in the log', async () => {
  const r = start(['--port', '0', '--spec', smallSpec, '--no-cache']);
  const [, url] = await r.waitFor(LISTENING);
  expect((await fetch(`${url}/models`, { headers: { authorization: 'Bearer x' } })).status).toBe(200);
  r.child.kill('SIGINT');
  expect(await r.exited).toEqual({ code: 0, signal: null });
});

test('--help and --version', async () => {
  const help = await run(['--help']);
  expect(help.code).toBe(0);
  expect(help.output).toMatch(/^Usage: openai-mock \[options\]/);
  for (const flag of ['--port', '--host', '--spec', '--config', '--log-level', '--no-auth', '--help', '--version']) expect(help.output).toContain(flag);

  const version = await run(['--version']);
  expect(version.code).toBe(0);
  expect(version.output.trim()).toBe(require('../../package.json').version);
});

test('a missing spec is a one-line error naming the path and what to do, no stack trace', async () => {
  const missing = path.join(dir, 'no-such-spec.yaml');
  const { code, output } = await run(['--port', '0', '--spec', missing]);
  expect(code).not.toBe(0);
  expect(code).not.toBeNull();
  const lines = output.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(missing);
  expect(lines[0]).toMatch(/--spec/);
  expect(lines[0]).toMatch(/npm run fetch-spec/);
  expect(output).not.toMatch(/\n\s+at /);
});

/** One line: the file, what named it, what is wrong, and what to do; no stack trace. */
function expectSpecError(result: { code: number | null; output: string }, file: string, origin: string, problem: RegExp) {
  expect(result.code).toBe(1);
  const lines = result.output.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^openai-mock: /);
  expect(lines[0]).toContain(`${file} (${origin})`);
  expect(lines[0]).toMatch(problem);
  expect(lines[0]).toMatch(/Fix the file/);
  expect(lines[0]).toMatch(/--spec PATH\|URL/);
  expect(result.output).not.toMatch(/\n\s+at /);
}

test('a file that is not a spec is a one-line error too, naming the file and what to do', async () => {
  const notSpec = path.join(dir, 'not-a-spec.yaml');
  await writeFile(notSpec, 'hello: world\n');
  expectSpecError(await run(['--port', '0', '--spec', notSpec, '--no-cache']), notSpec, '--spec', /is not an OpenAPI 3 document/);
});

test('a spec that is not valid YAML is a one-line error naming the file and who named it', async () => {
  const broken = path.join(dir, 'broken.yaml');
  await writeFile(broken, 'openapi: 3.1.0\npaths:\n  /x: [\n  bad: {\n');
  const yamlProblem = /is not valid YAML or JSON: .+\(\d+:\d+\)/;
  expectSpecError(await run(['--port', '0', '--spec', broken, '--no-cache']), broken, '--spec', yamlProblem);
  expectSpecError(await run(['--port', '0', '--no-cache'], { OPENAI_MOCK_SPEC: broken }), broken, 'OPENAI_MOCK_SPEC', yamlProblem);

  const configDir = await mkdtemp(path.join(dir, 'config-'));
  const config = path.join(configDir, 'openai-mock.config.json');
  await writeFile(config, JSON.stringify({ spec: '../broken.yaml' }));
  // --log-level error: the config's own info line is not the point here.
  expectSpecError(await run(['--port', '0', '--no-cache', '--log-level', 'error', '--config', config]), broken, 'config "spec"', yamlProblem);
});

describe('an address it cannot listen on is one line naming the host and port and what to do, exit 1', () => {
  function expectListenError(result: { code: number | null; output: string }, where: string, fix: RegExp) {
    expect(result.code).toBe(1);
    const lines = result.output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^openai-mock: cannot listen on ${where.replace(/[.[\]]/g, '\\$&')}: `));
    expect(lines[0]).toMatch(fix);
    expect(result.output).not.toMatch(/\n\s+at /);
  }

  test('a host that does not resolve (ENOTFOUND)', async () => {
    const result = await run(['--host', '999.1.1.1', '--port', '0', '--spec', smallSpec, '--no-cache']);
    expectListenError(result, '999.1.1.1:0', /cannot be resolved \(ENOTFOUND\); pass --host/);
  });

  test("an address that is not this machine's (EADDRNOTAVAIL), with or without --port", async () => {
    // 192.0.2.0/24 is TEST-NET-1: documentation only, never a machine's address.
    const explicit = await run(['--host', '192.0.2.1', '--port', '4567', '--spec', smallSpec, '--no-cache']);
    expectListenError(explicit, '192.0.2.1:4567', /not an address of this machine \(EADDRNOTAVAIL\); pass --host/);
    const searched = await run(['--host', '192.0.2.1', '--spec', smallSpec, '--no-cache']);
    expectListenError(searched, '192.0.2.1:12111', /EADDRNOTAVAIL/);
  });

  test('a taken port given with --port (EADDRINUSE)', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const taken = (blocker.address() as net.AddressInfo).port;
      const result = await run(['--port', String(taken), '--spec', smallSpec, '--no-cache']);
      expectListenError(result, `127.0.0.1:${taken}`, /the port is taken \(EADDRINUSE\); choose another with --port/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

test.each([
  [['--bogus']],
  [['--port', 'abc']],
  [['--port', '70000']],
  [['--log-level', 'loud']],
  [['extra-positional']],
])('bad flags %j exit 2 with a usage hint', async (args) => {
  const { code, output } = await run(args);
  expect(code).toBe(2);
  expect(output).toMatch(/^openai-mock: /);
  expect(output).toContain('--help');
  expect(output).not.toMatch(/\n\s+at /);
});

test('OPENAI_MOCK_SPEC is used when there is no --spec', async () => {
  const r = start(['--port', '0', '--no-cache'], { OPENAI_MOCK_SPEC: smallSpec });
  const [, url, , operations, version] = await r.waitFor(LISTENING);
  expect({ operations, version }).toEqual({ operations: '2', version: '9.9.9' });
  // Deleting is for fine-tunes (OpenAI's gpt-4o is refused with 403), an operation of this small spec's own.
  const answer = await fetch(`${url}/v1/models/gpt-4o`, { method: 'DELETE', headers: { authorization: 'Bearer x' } });
  expect(answer.status).toBe(403);
  expect((await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer x' } })).status).toBe(200);
  expect(await stop(r)).toEqual({ code: 0, signal: null });
});

test('--spec wins over OPENAI_MOCK_SPEC', async () => {
  const r = start(['--port', '0', '--no-cache', '--spec', smallSpec], { OPENAI_MOCK_SPEC: path.join(dir, 'env-missing.yaml') });
  const [, , , operations] = await r.waitFor(LISTENING);
  expect(operations).toBe('2');
  expect(await stop(r)).toEqual({ code: 0, signal: null });

  const flagMissing = path.join(dir, 'flag-missing.yaml');
  const failed = await run(['--port', '0', '--spec', flagMissing], { OPENAI_MOCK_SPEC: smallSpec });
  expect(failed.code).toBe(1);
  expect(failed.output).toContain(flagMissing);
  expect(failed.output).toContain('(--spec)');
});

test('a missing OPENAI_MOCK_SPEC is named as such', async () => {
  const envMissing = path.join(dir, 'env-missing.yaml');
  const { code, output } = await run(['--port', '0'], { OPENAI_MOCK_SPEC: envMissing });
  expect(code).toBe(1);
  expect(output).toContain(envMissing);
  expect(output).toContain('OPENAI_MOCK_SPEC');
});

test('--no-auth accepts requests without an Authorization header', async () => {
  const r = start(['--port', '0', '--no-auth', '--spec', smallSpec, '--no-cache']);
  const [, url] = await r.waitFor(LISTENING);
  const answer = await fetch(`${url}/v1/models`);
  expect(answer.status).toBe(200);
  expect(await stop(r)).toEqual({ code: 0, signal: null });
});

test('without --port it takes the first free port from 12111', async () => {
  // Hold 12111 so the test does not depend on it being free; if someone else holds it, so much the better.
  const blocker = net.createServer();
  const held = await new Promise<boolean>((resolve) => {
    blocker.once('error', () => resolve(false));
    blocker.listen(12111, '127.0.0.1', () => resolve(true));
  });
  try {
    const r = start(['--spec', smallSpec, '--no-cache']);
    const [, url, port] = await r.waitFor(LISTENING);
    expect(Number(port)).toBeGreaterThan(12111);
    expect(Number(port)).toBeLessThan(12211);
    expect((await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer x' } })).status).toBe(200);
    expect(await stop(r)).toEqual({ code: 0, signal: null });
  } finally {
    if (held) await new Promise((resolve) => blocker.close(resolve));
  }
});

test('Prism is not loaded while the command is idle, only by the first answer that needs it', async () => {
  const helper = path.join(__dirname, '..', 'helpers', 'report-prism.js');
  const r = start(['--port', '0', '--spec', smallSpec], { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(helper)}` });
  const url = (await r.waitFor(LISTENING))[1]!;
  const auth = { authorization: 'Bearer sk-test' };
  expect((await fetch(`${url}/v1/models`, { headers: auth })).status).toBe(200);
  // Well past the 0.2 s of idleness after which the command used to load it in the background.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  let from = r.output().length;
  r.child.kill('SIGUSR2');
  expect((await r.waitFor(/prism loaded: (\w+)/, from))[1]).toBe('false');

  // A schema-generated body is Prism's to make.
  const dynamic = await fetch(`${url}/v1/models/m1`, { method: 'DELETE', headers: { ...auth, prefer: 'dynamic=true' } });
  expect(dynamic.status).toBe(200);
  expect(typeof (await dynamic.json())).toBe('object');
  from = r.output().length;
  r.child.kill('SIGUSR2');
  expect((await r.waitFor(/prism loaded: (\w+)/, from))[1]).toBe('true');
  expect((await r.stop()).code).toBe(0);
});

test('speech and file contents are built without Prism: the first of them answers at once', async () => {
  const helper = path.join(__dirname, '..', 'helpers', 'report-prism.js');
  // The whole spec (the default one): the small one has neither operation.
  const r = start(['--port', '0'], { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(helper)}`, OPENAI_MOCK_SPEC: process.env.OPENAI_MOCK_SPEC });
  const url = (await r.waitFor(LISTENING))[1]!;
  const auth = { authorization: 'Bearer sk-test' };
  const speech = await fetch(`${url}/v1/audio/speech`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini-tts', input: 'Hello', voice: 'alloy', response_format: 'wav' }),
  });
  expect(speech.status).toBe(200);
  expect(speech.headers.get('content-type')).toBe('audio/wav');
  expect(Buffer.from(await speech.arrayBuffer()).subarray(0, 4).toString('latin1')).toBe('RIFF');
  const content = await fetch(`${url}/v1/files/file-abc/content`, { headers: auth });
  expect(content.headers.get('content-type')).toBe('application/octet-stream');
  expect(await content.text()).toBe('openai-mock: the content of file-abc\n');
  const from = r.output().length;
  r.child.kill('SIGUSR2');
  expect((await r.waitFor(/prism loaded: (\w+)/, from))[1]).toBe('false');
  expect((await r.stop()).code).toBe(0);
});

// process.execve: Node 22.15+ and 23.11+, not on Windows; /proc to read the running command line.
const canExecve = typeof (process as unknown as { execve?: unknown }).execve === 'function' && process.platform === 'linux';
(canExecve ? describe : describe.skip)('the young generation (process.execve, same pid)', () => {
  const commandLine = async (run: Run) => {
    await run.waitFor(LISTENING);
    const { readFile } = await import('node:fs/promises');
    return (await readFile(`/proc/${run.child.pid}/cmdline`, 'utf8')).split('\0');
  };

  test('the command runs with --max-semi-space-size=4 unless given its own size', async () => {
    const plain = start(['--port', '0', '--spec', smallSpec]);
    expect(await commandLine(plain)).toContain('--max-semi-space-size=4');
    // Same pid: the signal reaches the server itself, which closes cleanly.
    expect((await plain.stop()).code).toBe(0);

    const own = start(['--port', '0', '--spec', smallSpec], { NODE_OPTIONS: '--max-semi-space-size=8' });
    expect(await commandLine(own)).not.toContain('--max-semi-space-size=4');
    await own.stop();

    const off = start(['--port', '0', '--spec', smallSpec], { OPENAI_MOCK_EXECVE: '0' });
    expect(await commandLine(off)).not.toContain('--max-semi-space-size=4');
    await off.stop();

    // Under a debugger (port 0: any free one), no second start.
    const debugged = start(['--port', '0', '--spec', smallSpec], { NODE_OPTIONS: '--inspect=127.0.0.1:0' });
    expect(await commandLine(debugged)).not.toContain('--max-semi-space-size=4');
    await debugged.stop();
  });

  test('the command collects the garbage of its start once, just before its ready line (it gives itself --expose-gc)', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'openai-mock-gc-'));
    try {
      // A preload that says on stdout, the ready line's stream, each time the collection is asked for.
      const probe = path.join(dir, 'gc-probe.js');
      await writeFile(probe, "const g = globalThis.gc; if (g) globalThis.gc = () => { process.stdout.write('FULL GC\\n'); g(); };");
      const run = start(['--port', '0', '--spec', smallSpec], { NODE_OPTIONS: `--require ${probe}` });
      expect(await commandLine(run)).toContain('--expose-gc');
      const output = run.output();
      expect(output.match(/FULL GC/g)).toHaveLength(1);
      expect(output.indexOf('FULL GC')).toBeLessThan(output.search(LISTENING));
      expect((await run.stop()).code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The container image (Dockerfile), built and run for real with the engine found here: `docker`
 * when its daemon answers, else `podman`. `npm run test:image`; not part of `npm test`.
 *
 * Containers publish their port on 127.0.0.1 with a port the engine picks (`-p 127.0.0.1::4010`),
 * or take a free one with `--network host`, so that tests running beside these never collide.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';

const ROOT = path.resolve(__dirname, '..', '..');
const IMAGE = process.env.OPENAI_MOCK_TEST_IMAGE ?? 'localhost/openai-mock:test';

function findEngine(): 'docker' | 'podman' | undefined {
  for (const engine of ['docker', 'podman'] as const) {
    if (spawnSync(engine, ['info'], { stdio: 'ignore', timeout: 30_000 }).status === 0) return engine;
  }
  return undefined;
}
const ENGINE = findEngine();

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function engine(args: string[], timeoutMs = 60_000): Promise<Result> {
  if (!ENGINE) throw new Error('no container engine: neither `docker info` nor `podman info` succeeds here');
  return new Promise((resolve, reject) => {
    const child = spawn(ENGINE, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${ENGINE} ${args.join(' ')}: no answer within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function mustSucceed(args: string[], timeoutMs?: number): Promise<string> {
  const result = await engine(args, timeoutMs);
  if (result.code !== 0) throw new Error(`${ENGINE} ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result.stdout.trim();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const started: string[] = [];

interface Container {
  name: string;
  url: string;
  /** From `run -d` to the first answered request, in ms, as the host saw it. */
  firstAnswerMs: number;
  logs(): Promise<string>;
  /** `stop -t 2`: SIGTERM, then SIGKILL after 2 s; resolves with the container's exit code. */
  stop(): Promise<number>;
}

/**
 * Runs the image detached and waits until it answers `GET /v1/models`: at the published port, or
 * from inside the container (`exec`) when it has no network.
 */
async function runImage(options: { runArgs?: string[]; command?: string[]; hostPort?: number } = {}): Promise<Container> {
  const name = `openai-mock-test-${process.pid}-${started.length}-${Date.now().toString(36)}`;
  const networkArgs = options.runArgs?.some((arg) => arg.startsWith('--network')) ? [] : ['-p', '127.0.0.1::4010'];
  const runAt = performance.now();
  started.push(name);
  await mustSucceed(['run', '-d', '--name', name, ...networkArgs, ...(options.runArgs ?? []), IMAGE, ...(options.command ?? [])]);
  let url = '';
  if (options.hostPort) url = `http://127.0.0.1:${options.hostPort}`;
  else if (networkArgs.length > 0) url = `http://${(await mustSucceed(['port', name, '4010'])).split('\n')[0]!.replace('0.0.0.0', '127.0.0.1')}`;
  const logs = async () => {
    const result = await engine(['logs', name]);
    return result.stdout + result.stderr;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (url) {
      const ok = await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer test' } }).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) break;
    } else if ((await engine(['exec', name, 'node', '-e', HEALTH_PROBE])).code === 0) break;
    const state = await mustSucceed(['inspect', name, '--format', '{{.State.Running}}']);
    if (state !== 'true' || Date.now() > deadline) throw new Error(`the container ${name} does not answer (running: ${state}):\n${await logs()}`);
    await sleep(50);
  }
  const firstAnswerMs = performance.now() - runAt;
  return {
    name,
    url,
    firstAnswerMs,
    logs,
    async stop() {
      await mustSucceed(['stop', '-t', '2', name], 30_000);
      return Number(await mustSucceed(['inspect', name, '--format', '{{.State.ExitCode}}']));
    },
  };
}

const HEALTH_PROBE = `fetch('http://127.0.0.1:4010/v1/models',{headers:{authorization:'Bearer test'}}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`;

function client(container: Container) {
  return new OpenAI({ baseURL: `${container.url}/v1`, apiKey: 'test', maxRetries: 0 });
}

const chatRequest = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Hi' }] };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A folder the container's user (uid 1000) can read: mkdtemp makes it 0700 and root's. */
function shareableDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

function writeShared(file: string, text: string, mode = 0o644): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, text);
  chmodSync(file, mode);
}

/** Waits until `read` gives `expected` (a reload is seen), or fails with what it last gave. */
async function eventually<T>(read: () => Promise<T>, expected: T, what: string, logs: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (last === expected) return;
    await sleep(100);
  }
  throw new Error(`${what}: still ${JSON.stringify(last)}, expected ${JSON.stringify(expected)}\n${await logs()}`);
}

const temporary: string[] = [];

beforeAll(async () => {
  if (!ENGINE) throw new Error('no container engine: neither `docker info` nor `podman info` succeeds here (see README, "Docker")');
  if (process.env.OPENAI_MOCK_TEST_IMAGE) return; // an image built elsewhere
  // podman writes OCI images by default, which drop HEALTHCHECK; docker's format keeps it.
  const format = ENGINE === 'podman' ? ['--format', 'docker'] : [];
  await mustSucceed(['build', ...format, '-t', IMAGE, ROOT], 20 * 60_000);
}, 21 * 60_000);

afterAll(async () => {
  if (ENGINE && started.length > 0) await engine(['rm', '-f', ...started]);
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

test('answers on a published port at /v1 and bare paths, runs as non-root, and exits 0 on SIGTERM within 2 s', async () => {
  const container = await runImage();
  const models = await client(container).models.list();
  expect(models.data.length).toBeGreaterThan(0);
  const bare = await fetch(`${container.url}/models`, { headers: { authorization: 'Bearer test' } });
  expect(bare.status).toBe(200);
  expect((await bare.json()).object).toBe('list');
  const chat = await fetch(`${container.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
    body: JSON.stringify(chatRequest),
  });
  expect((await chat.json()).object).toBe('chat.completion');
  const health = await fetch(`${container.url}/__admin/health`);
  expect(health.status).toBe(200);
  expect((await health.json()).status).toBe('ok');

  // PID 1 (tini) and the server it starts run as the image's user.
  const uids = await mustSucceed(['exec', container.name, 'sh', '-c', 'grep ^Uid: /proc/1/status; id -u']);
  expect(uids).toMatch(/^Uid:\s+1000\s/);
  expect(uids.split('\n').pop()).toBe('1000');

  const logs = await container.logs();
  const ready = /ready in (\d+) ms/.exec(logs);
  expect(logs).toContain('openai-mock listening on http://0.0.0.0:4010');
  console.log(`image: run -> first answer at the published port ${Math.round(container.firstAnswerMs)} ms; the server's "ready in" ${ready?.[1]} ms`);
  // `stop -t 2` kills what has not exited 2 s after SIGTERM, which would be exit code 137.
  expect(await container.stop()).toBe(0);
  expect(await container.logs()).toContain('SIGTERM: closing');
}, 120_000);

test('--network host with OPENAI_MOCK_PORT; flags pass through, with or without the command name, and variables apply', async () => {
  const port = await freePort();
  const [hostNetwork, published] = await Promise.all([
    runImage({ runArgs: ['--network', 'host', '-e', `OPENAI_MOCK_PORT=${port}`], command: ['--seed', 'snap'], hostPort: port }),
    runImage({ runArgs: ['-e', 'OPENAI_MOCK_LOG_LEVEL=warn'], command: ['openai-mock', '--seed', 'snap'] }),
  ]);
  const [a, b] = await Promise.all([client(hostNetwork).chat.completions.create(chatRequest), client(published).chat.completions.create(chatRequest)]);
  // Seeded: ids and timestamps come from the seed and the request (2025-01-01T00:00:00Z).
  expect(a.created).toBe(Date.UTC(2025, 0, 1) / 1000);
  expect(b.id).toBe(a.id);
  expect(await published.logs()).not.toContain('GET /v1/models 200');
  expect(await hostNetwork.logs()).toContain('GET /v1/models 200');
  await Promise.all([hostNetwork.stop(), published.stop()]);
}, 120_000);

test('starts and answers with no network at all, and the HEALTHCHECK command passes', async () => {
  const container = await runImage({ runArgs: ['--network', 'none'] });
  const healthcheck = JSON.parse(await mustSucceed(['image', 'inspect', IMAGE, '--format', '{{json .Config.Healthcheck}}'])) as { Test: string[] };
  const [kind, ...command] = healthcheck.Test;
  expect(kind).toMatch(/^CMD(-SHELL)?$/);
  const probe = kind === 'CMD' ? command : ['sh', '-c', command[0]!];
  expect(await engine(['exec', container.name, ...probe])).toMatchObject({ code: 0 });
  // It asks the server: pointed at a port where nothing listens, it fails.
  expect((await engine(['exec', '-e', 'OPENAI_MOCK_PORT=1', container.name, ...probe])).code).not.toBe(0);
  expect(await container.stop()).toBe(0);
}, 120_000);

test("the README's /docker-entrypoint.d example changes the chat answer; a failing script stops the container", async () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const example = /```sh\n(#!\/bin\/sh\n# docker-entrypoint\.d\/01_patch_message_content\.sh\n[\s\S]*?)```/.exec(readme);
  expect(example).not.toBeNull();
  const scripts = shareableDir('openai-mock-image-scripts-');
  temporary.push(scripts);
  writeShared(path.join(scripts, '01_patch_message_content.sh'), example![1]!, 0o755);
  const container = await runImage({ runArgs: ['-v', `${scripts}:/docker-entrypoint.d:ro`] });
  const completion = await client(container).chat.completions.create(chatRequest);
  expect(completion.choices[0]!.message.content).toBe('Hello World!!');
  expect(await container.logs()).toContain('running /docker-entrypoint.d/01_patch_message_content.sh');
  expect(await container.stop()).toBe(0);

  const failing = shareableDir('openai-mock-image-failing-');
  temporary.push(failing);
  writeShared(path.join(failing, '01_fine.sh'), 'echo fine\n', 0o755);
  writeShared(path.join(failing, '02_broken.sh'), '#!/bin/sh\necho "broken on purpose" >&2\nexit 3\n', 0o755);
  writeShared(path.join(failing, '03_never.sh'), '#!/bin/sh\necho "03 ran"\n', 0o755);
  const run = await engine(['run', '--rm', '-v', `${failing}:/docker-entrypoint.d:ro`, IMAGE], 60_000);
  expect(run.code).toBe(3);
  const output = run.stdout + run.stderr;
  expect(output).toContain('fine');
  expect(output).toContain('/docker-entrypoint.d/02_broken.sh failed with exit code 3; not starting');
  expect(output).not.toContain('03 ran');
  expect(output).not.toContain('listening');
}, 180_000);

const configModule = (reply: string) =>
  `import { chat, defineConfig, defineOverride } from 'openai-mock';\n\nexport default defineConfig({\n  overrides: [defineOverride({ operation: 'createChatCompletion', response: (ctx) => chat.reply(ctx, '${reply}') })],\n});\n`;
const overrideModule = (reply: string) =>
  `import { chat, defineOverride } from 'openai-mock';\n\nexport default defineOverride({ operation: 'createChatCompletion', match: (request) => request.body.model === 'from-folder', response: (ctx) => chat.reply(ctx, '${reply}') });\n`;

test('a mounted TypeScript config and overrides folder apply, and reload when the mounted files are edited', async () => {
  // 1. The config file mounted alone, edited in place: the watcher's folder events never name such
  //    a file, so the entry point has it polled.
  const single = shareableDir('openai-mock-image-config-');
  temporary.push(single);
  writeShared(path.join(single, 'mock.config.ts'), configModule('config v1'));
  // 2. A folder mounted at /config, config and overrides/, saved the way editors do (a new file
  //    renamed over the old one), seen through file-system events.
  const folder = shareableDir('openai-mock-image-folder-');
  temporary.push(folder);
  writeShared(path.join(folder, 'mock.config.ts'), configModule('folder config'));
  writeShared(path.join(folder, 'overrides', 'from-folder.ts'), overrideModule('override v1'));

  const [fileMount, folderMount] = await Promise.all([
    runImage({ runArgs: ['-v', `${path.join(single, 'mock.config.ts')}:/config/mock.config.ts:ro`] }),
    runImage({ runArgs: ['-v', `${folder}:/config:ro`] }),
  ]);
  const reply = (container: Container, model = 'gpt-4o') => async () =>
    (await client(container).chat.completions.create({ ...chatRequest, model })).choices[0]!.message.content;

  expect(await reply(fileMount)()).toBe('config v1');
  expect(await reply(folderMount)()).toBe('folder config');
  expect(await reply(folderMount, 'from-folder')()).toBe('override v1');

  writeFileSync(path.join(single, 'mock.config.ts'), configModule('config v2'));
  const edited = path.join(folder, 'overrides', '.from-folder.ts.swp');
  writeShared(edited, overrideModule('override v2'));
  renameSync(edited, path.join(folder, 'overrides', 'from-folder.ts'));

  await eventually(reply(fileMount), 'config v2', 'the mounted config file after an edit', fileMount.logs);
  await eventually(reply(folderMount, 'from-folder'), 'override v2', 'the mounted overrides folder after an edit', folderMount.logs);
  expect(await fileMount.logs()).toContain('overrides reloaded');
  await Promise.all([fileMount.stop(), folderMount.stop()]);
}, 180_000);

/**
 * The published package as a user gets it: `npm pack`, the tarball installed into a fresh project
 * outside this repository, then the command and the programmatic API run there with no network
 * (no ../shared beside it, every proxy variable pointing at a closed port, npm offline) and called
 * with the SDK. `npm test` does it with npm; `npm run test:package` also with pnpm and yarn
 * (fetched through npx; a manager that cannot be had is reported, not silently passed).
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const PIN = JSON.parse(readFileSync(path.join(ROOT, 'spec', 'pin.json'), 'utf8')) as { sha256: string };
const OPENAI_VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.openai!;
const ALL = process.env.npm_lifecycle_event === 'test:package';
const MANAGERS = ALL ? (['npm', 'pnpm', 'yarn'] as const) : (['npm'] as const);
type Manager = (typeof MANAGERS)[number];

/** Each manager's add-a-dev-dependency command, by the ordinary clients (pnpm and yarn through npx). */
const ADD: Record<Manager, string[]> = {
  npm: ['npm', 'install', '--prefer-offline', '--no-audit', '--no-fund', '--save-dev'],
  pnpm: ['npx', '--yes', 'pnpm@10.20.0', 'add', '--prefer-offline', '--save-dev'],
  yarn: ['npx', '--yes', '-p', '@yarnpkg/cli-dist@4.9.2', 'yarn', 'add', '--dev'],
};
/** How each manager runs a dependency's command. */
const EXEC: Record<Manager, string[]> = {
  npm: ['npx', '--offline', 'openai-mock'],
  pnpm: ['npx', '--yes', 'pnpm@10.20.0', 'exec', 'openai-mock'],
  yarn: ['npx', '--yes', '-p', '@yarnpkg/cli-dist@4.9.2', 'yarn', 'openai-mock'],
};
const NODE_RUN: Record<Manager, string[]> = {
  npm: [process.execPath],
  pnpm: [process.execPath],
  yarn: ['npx', '--yes', '-p', '@yarnpkg/cli-dist@4.9.2', 'yarn', 'node'],
};

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(command[0]!, command.slice(1), { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The user's environment with nothing of this repository's, and no way out to the network. */
function offlineEnv(proxyPort: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('OPENAI_MOCK_') || key.startsWith('npm_') || key.startsWith('JEST_')) continue;
    env[key] = value;
  }
  const proxy = `http://127.0.0.1:${proxyPort}`;
  Object.assign(env, {
    // Loopback stays direct, as in any sane set-up: the SDK talks to the mock there.
    HTTPS_PROXY: proxy, HTTP_PROXY: proxy, https_proxy: proxy, http_proxy: proxy, ALL_PROXY: proxy, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost',
    // Node 24 sends fetch through those variables only when asked.
    NODE_USE_ENV_PROXY: '1',
    npm_config_offline: 'true',
    YARN_ENABLE_NETWORK: '0',
  });
  return env;
}

let work: string;
let tarball: string;
let packed: string[];
let proxyPort: number;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'openai-mock-package-'));
  proxyPort = await closedPort();
  // What `npm pack` runs first (prepack): a package without the pinned spec is not packed. dist/
  // is fresh from the global setup, so the build in `prepare` is skipped here.
  const prepack = await run([process.execPath, path.join(ROOT, 'scripts', 'fetch-spec.js'), '--require'], { cwd: ROOT });
  expect(prepack.code).toBe(0);
  const pack = await run(['npm', 'pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT });
  expect(pack.code).toBe(0);
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(work, info!.filename);
  packed = info!.files.map((f) => f.path);
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('the tarball carries the pinned spec, dist/, the licence and the sources its maps name; no install script, no tests', async () => {
  for (const file of ['spec/openapi.yaml', 'spec/pin.json', 'LICENSE', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/authoring.d.ts']) {
    expect(packed).toContain(file);
  }
  expect(packed.filter((f) => f.endsWith('.test.ts') || f.startsWith('test/'))).toEqual([]);
  // Where a project has it.
  const unpacked = path.join(work, 'unpacked', 'node_modules', 'openai-mock');
  expect((await run(['tar', '-xzf', tarball, '-C', work], { cwd: work })).code).toBe(0);
  await run(['mkdir', '-p', path.dirname(unpacked)], { cwd: work });
  await run(['mv', path.join(work, 'package'), unpacked], { cwd: work });
  expect(createHash('sha256').update(await readFile(path.join(unpacked, 'spec', 'openapi.yaml'))).digest('hex')).toBe(PIN.sha256);
  const manifest = JSON.parse(await readFile(path.join(unpacked, 'package.json'), 'utf8'));
  for (const hook of ['preinstall', 'install', 'postinstall']) expect(manifest.scripts?.[hook]).toBeUndefined();
  expect(manifest.license).toBe('MIT');
  expect(await readFile(path.join(unpacked, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  // A stack trace or a debugger follows a map to its source: every source a map names is shipped.
  const maps = packed.filter((f) => f.endsWith('.map'));
  expect(maps.length).toBeGreaterThan(10);
  const missing: string[] = [];
  for (const map of maps) {
    const { sources } = JSON.parse(await readFile(path.join(unpacked, map), 'utf8')) as { sources: string[] };
    for (const source of sources) if (!existsSync(path.resolve(unpacked, path.dirname(map), source))) missing.push(`${map} -> ${source}`);
  }
  expect(missing).toEqual([]);
  // A consumer that does run the package's `prepare` (approved, or a tarball or folder dependency) gets a no-op.
  const prepare = await run([process.execPath, path.join(unpacked, 'scripts', 'prepare.js')], { cwd: unpacked });
  expect(prepare).toEqual({ code: 0, stdout: '', stderr: '' });
}, 60_000);

describe.each(MANAGERS)('installed with %s into a new project', (manager) => {
  let project: string;
  let installed = false;

  beforeAll(async () => {
    project = path.join(work, `consumer-${manager}`);
    await run(['mkdir', '-p', project], { cwd: work });
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: `consumer-${manager}`, version: '1.0.0', private: true }));
    const add = await run([...ADD[manager], tarball, `openai@${OPENAI_VERSION}`], { cwd: project, env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' } });
    if (add.code !== 0) throw new Error(`${manager} could not install the tarball (exit ${add.code}):\n${add.stdout}\n${add.stderr}`);
    installed = true;
  }, 300_000);

  test('`openai-mock --port 0` starts from the package\'s own spec with no network, and answers the SDK', async () => {
    expect(installed).toBe(true);
    const child = spawn(EXEC[manager][0]!, [...EXEC[manager].slice(1), '--port', '0'], {
      cwd: project,
      env: offlineEnv(proxyPort),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: npx runs the command as a grandchild, which a signal to npx alone leaves running.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const check = () => {
          const match = /listening on (http:\/\/\S+)/.exec(stdout);
          if (match) resolve(match[1]!);
        };
        child.stdout.on('data', check);
        child.on('exit', (code) => reject(new Error(`exited with ${code} before its ready line:\n${stdout}\n${stderr}`)));
      });
      expect(stdout).toMatch(/\(288 operations, spec 2\.3\.0, ready in \d+ ms\)/);
      const { default: OpenAI } = await import('openai');
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'test', maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
      expect(completion.object).toBe('chat.completion');
      expect(completion.model).toBe('gpt-4o');
      // The command keeps its line per request.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stderr).toMatch(/POST \/v1\/chat\/completions 200/);
      expect(stderr).not.toMatch(/download|fetch-spec|ECONNREFUSED/i);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      await exited;
    }
    // The cache is where the README says: the project's node_modules/.cache (yarn's PnP has no node_modules: the user cache).
    if (existsSync(path.join(project, 'node_modules'))) expect(existsSync(path.join(project, 'node_modules', '.cache', 'openai-mock'))).toBe(true);
  }, 300_000);

  test('createMockServer() and the SDK in the project\'s own script (ESM and CommonJS), silent per request', async () => {
    expect(installed).toBe(true);
    await writeFile(
      path.join(project, 'use.mjs'),
      `import { createMockServer, defineOverride, chat } from 'openai-mock';
import OpenAI from 'openai';
const mock = await createMockServer({ port: 0, overrides: [defineOverride({ operation: 'createChatCompletion', response: (ctx) => chat.reply(ctx, 'from the package') })] });
const client = new OpenAI({ baseURL: mock.url + '/v1', apiKey: 'test', maxRetries: 0 });
const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'Hi' });
await mock.close();
console.log(JSON.stringify({ text: completion.choices[0].message.content, dims: embedding.data[0].embedding.length, operations: mock.operations }));
`,
    );
    await writeFile(
      path.join(project, 'use.cjs'),
      `const { createMockServer } = require('openai-mock');
createMockServer({ port: 0 }).then(async (mock) => {
  const response = await fetch(mock.url + '/v1/models', { headers: { authorization: 'Bearer test' } });
  await mock.close();
  console.log(JSON.stringify({ status: response.status }));
});
`,
    );
    const esm = await run([...NODE_RUN[manager], 'use.mjs'], { cwd: project, env: offlineEnv(proxyPort) });
    expect(esm.stderr).toBe('');
    expect(JSON.parse(esm.stdout)).toEqual({ text: 'from the package', dims: 1536, operations: 288 });
    const cjs = await run([...NODE_RUN[manager], 'use.cjs'], { cwd: project, env: offlineEnv(proxyPort) });
    expect(cjs.stderr).toBe('');
    expect(JSON.parse(cjs.stdout)).toEqual({ status: 200 });
  }, 300_000);
});

// The oldest `openai` the peer range admits: the typed overrides compile against it too.
(ALL ? test : test.skip)('the override types compile with openai 6.0.0, the bottom of the peer range', async () => {
  const peer = path.join(work, 'peer-openai');
  await run(['mkdir', '-p', peer], { cwd: work });
  await writeFile(path.join(peer, 'package.json'), JSON.stringify({ name: 'peer', version: '1.0.0', private: true }));
  const add = await run(['npm', 'install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', 'openai@6.0.0'], { cwd: peer });
  expect(add.code).toBe(0);
  const openai = path.join(peer, 'node_modules', 'openai');
  const fixtures = path.join(ROOT, 'test', 'overrides', 'fixtures');
  await writeFile(
    path.join(peer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2023', lib: ['es2023'], module: 'preserve', moduleResolution: 'bundler', strict: true, skipLibCheck: true, noEmit: true,
        types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        paths: { 'openai-mock': [path.join(ROOT, 'src', 'index.ts')], openai: [openai], 'openai/*': [`${openai}/*`] },
      },
      files: ['typed.ts', 'operation-ids.ts', 'readme.ts'].map((f) => path.join(fixtures, f)),
    }),
  );
  const tsc = await run([process.execPath, path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(peer, 'tsconfig.json')], { cwd: peer });
  expect(tsc.stdout).toBe('');
  expect(tsc.code).toBe(0);
}, 600_000);

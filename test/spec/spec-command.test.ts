/**
 * `openai-mock spec update` and `spec info` through the command, against a loopback server that
 * answers as GitHub's API and raw host do (never the network), with specs edited from the real one
 * and cut down to a few paths so that preparing them is quick.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { load as parseYaml, CORE_SCHEMA } from 'js-yaml';
import OpenAI from 'openai';
import { spawnCli, ROOT } from '../helpers/cli';

const SPEC_FILE = process.env.OPENAI_MOCK_SPEC || path.join(ROOT, 'spec', 'openapi.yaml');
const KEEP = ['/models', '/models/{model}', '/embeddings', '/chat/completions'];
const COMMIT = 'c0ffee'.padEnd(40, '0');
const BROKEN_COMMIT = 'badbad'.padEnd(40, '1');
const COMMIT_DATE = '2026-11-30T12:00:00Z';

let dir: string;
let current: string;
let next: string;
let server: http.Server;
let base: string;
const requests: string[] = [];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'openai-mock-spec-'));
  const doc = parseYaml(await fs.readFile(SPEC_FILE, 'utf8'), { schema: CORE_SCHEMA }) as Record<string, any>;
  doc.paths = Object.fromEntries(KEEP.map((p) => [p, doc.paths[p]]));
  current = JSON.stringify(doc);
  // The upstream's next version: one operation gone, one new, one request schema changed, and
  // one schema reworded only (which is not a change worth a row).
  const edited = structuredClone(doc);
  delete edited.paths['/models/{model}'].delete;
  edited.paths['/mock/extra'] = { get: { operationId: 'getExtra', responses: { 200: { description: 'OK', content: { 'application/json': { schema: { type: 'object', properties: { ok: { type: 'boolean' } } } } } } } } };
  edited.components.schemas.CreateEmbeddingRequest.properties.priority = { type: 'integer' };
  edited.components.schemas.CreateChatCompletionRequest.description = 'Reworded.';
  edited.info.version = '9.9.9';
  next = JSON.stringify(edited);

  server = http.createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    const send = (status: number, body: string, type = 'application/json') => response.writeHead(status, { 'content-type': type }).end(body);
    const url = request.url ?? '';
    const commit = /^\/api\/repos\/openai\/openai-openapi\/commits\/([^/?]+)$/.exec(url);
    if (commit) {
      const ref = decodeURIComponent(commit[1]!);
      if (ref === 'HEAD' || ref === 'main') return send(200, JSON.stringify({ sha: COMMIT, commit: { committer: { date: COMMIT_DATE } } }));
      if (ref === 'broken') return send(200, JSON.stringify({ sha: BROKEN_COMMIT, commit: { committer: { date: COMMIT_DATE } } }));
      return send(422, JSON.stringify({ message: 'No commit found for SHA: ' + ref }));
    }
    if (url === `/raw/openai/openai-openapi/${COMMIT}/openapi.yaml`) return send(200, next, 'text/plain');
    if (url === `/raw/openai/openai-openapi/${BROKEN_COMMIT}/openapi.yaml`) return send(200, 'openapi: 3.1.0\npaths:\n  /x: [\n', 'text/plain');
    if (url === '/files/current.json') return send(200, current, 'text/plain');
    if (url === '/files/unavailable') return send(503, 'down', 'text/plain');
    send(404, 'not found', 'text/plain');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await fs.rm(dir, { recursive: true, force: true });
});

/** A fresh spec home holding the current spec (as if updated to it before), and the command's environment for it. */
async function home(name: string) {
  const folder = path.join(dir, name);
  await fs.mkdir(folder, { recursive: true });
  await fs.writeFile(path.join(folder, 'openapi.yaml'), current);
  const env = {
    OPENAI_MOCK_SPEC_HOME: folder,
    OPENAI_MOCK_CACHE_DIR: path.join(dir, 'cache'),
    OPENAI_MOCK_GITHUB_API: `${base}/api`,
    OPENAI_MOCK_GITHUB_RAW: `${base}/raw`,
    OPENAI_MOCK_SPEC: '',
  };
  return { folder, env };
}

async function run(args: string[], env: Record<string, string>) {
  const cli = spawnCli(args, { env, cwd: dir });
  const { code } = await cli.exited;
  return { code, output: cli.output() };
}

test('update --dry-run prints what changed and writes nothing', async () => {
  const { folder, env } = await home('dry');
  const { code, output } = await run(['spec', 'update', '--dry-run'], env);
  expect(output).toContain(`new spec: ${base}/raw/openai/openai-openapi/${COMMIT}/openapi.yaml`);
  expect(code).toBe(0);
  expect(output).toMatch(/version 9\.9\.9, c0ffee000000 \(2026-11-30T12:00:00Z\)/);
  expect(output).toMatch(/operations: 6 -> 6 \(1 added, 1 removed, 1 with changed schemas\)/);
  expect(output).toMatch(/added +GET \/mock\/extra \(getExtra\)/);
  expect(output).toMatch(/removed +DELETE \/models\/\{model\} \(deleteModel\)/);
  expect(output).toMatch(/changed +POST \/embeddings \(createEmbedding\) +changed +-/);
  expect(output).not.toMatch(/chat\/completions/);
  expect(output).toContain('Dry run: nothing written');
  expect(await fs.readFile(path.join(folder, 'openapi.yaml'), 'utf8')).toBe(current);
  expect(existsSync(path.join(folder, 'pin.json'))).toBe(false);
});

test('update writes the spec and its pin; spec info and the next start use it', async () => {
  const { folder, env } = await home('real');
  const { code, output } = await run(['spec', 'update'], env);
  expect(output).toContain(`Wrote ${folder}/openapi.yaml and pin.json`);
  expect(code).toBe(0);
  expect(await fs.readFile(path.join(folder, 'openapi.yaml'), 'utf8')).toBe(next);
  expect(JSON.parse(await fs.readFile(path.join(folder, 'pin.json'), 'utf8'))).toEqual({
    repository: 'openai/openai-openapi',
    file: 'openapi.yaml',
    commit: COMMIT,
    url: `${base}/raw/openai/openai-openapi/${COMMIT}/openapi.yaml`,
    sha256: sha256(next),
    date: COMMIT_DATE,
    version: '9.9.9',
  });
  expect(requests).toContain('GET /api/repos/openai/openai-openapi/commits/HEAD');

  const info = await run(['spec', 'info'], env);
  expect(info.code).toBe(0);
  expect(info.output).toContain(`source     ${folder}/openapi.yaml (default)`);
  expect(info.output).toContain('version    OpenAI API 9.9.9');
  expect(info.output).toContain(`commit     ${COMMIT} (${COMMIT_DATE})`);
  expect(info.output).toContain(`sha256     ${sha256(next)}`);
  expect(info.output).toContain('operations 6');
  const json = JSON.parse((await run(['spec', 'info', '--json'], env)).output);
  expect(json).toMatchObject({ source: `${folder}/openapi.yaml`, version: '9.9.9', commit: COMMIT, sha256: sha256(next), operations: 6 });

  // Updating again to the same commit changes nothing.
  const again = await run(['spec', 'update', '--ref', 'main'], env);
  expect(again.code).toBe(0);
  expect(again.output).toContain('The spec is already this one; nothing to write.');

  const server = spawnCli(['--port', '0', '--log-level', 'warn'], { env, cwd: dir });
  try {
    const [, url] = await server.waitFor(/listening on (http:\/\/\S+) \(6 operations, spec 9\.9\.9/);
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
    expect((await client.models.retrieve('gpt-4o')).id).toBe('gpt-4o');
    expect(await client.get('/mock/extra')).toEqual({ ok: expect.any(Boolean) });
    const gone = await fetch(`${url}/v1/models/ft:x`, { method: 'DELETE', headers: { authorization: 'Bearer t' } });
    expect(gone.status).toBe(404);
    expect((await gone.json()).error.message).toBe('Invalid URL (DELETE /v1/models/ft:x)');
  } finally {
    await server.stop();
  }
});

test('--from takes the spec itself (an http URL or a file), --ref is then its commit', async () => {
  const { folder, env } = await home('from');
  await fs.writeFile(path.join(folder, 'openapi.yaml'), next);
  const { code, output } = await run(['spec', 'update', '--from', `${base}/files/current.json`, '--ref', 'v1.2.3'], env);
  expect(code).toBe(0);
  expect(output).toMatch(/added +DELETE \/models\/\{model\} \(deleteModel\)/);
  expect(JSON.parse(await fs.readFile(path.join(folder, 'pin.json'), 'utf8'))).toMatchObject({ commit: 'v1.2.3', url: `${base}/files/current.json`, sha256: sha256(current) });

  const file = path.join(dir, 'next.json');
  await fs.writeFile(file, next);
  const local = await run(['spec', 'update', '--from', file], env);
  expect(local.code).toBe(0);
  expect(JSON.parse(await fs.readFile(path.join(folder, 'pin.json'), 'utf8'))).toMatchObject({ commit: null, url: file, sha256: sha256(next) });
  const info = await run(['spec', 'info'], env);
  expect(info.output).toContain(`commit     none (pinned from ${file})`);
});

test('a failed download or a broken spec leaves the current one untouched, with a clear message', async () => {
  const { folder, env } = await home('fail');
  const before = await fs.readFile(path.join(folder, 'openapi.yaml'), 'utf8');
  const cases: [string[], RegExp][] = [
    [['--from', `${base}/files/unavailable`], new RegExp(`could not download ${base}/files/unavailable: HTTP 503`)],
    [['--ref', 'no-such-ref'], /could not download .*commits\/no-such-ref: HTTP 422/],
    [['--ref', 'broken'], /the new spec from .*\/openapi\.yaml is not valid YAML or JSON/],
    [['--from', path.join(dir, 'missing.yaml')], /could not read .*missing\.yaml: no such file/],
  ];
  for (const [args, message] of cases) {
    const { code, output } = await run(['spec', 'update', ...args], env);
    expect(output).toMatch(message);
    expect(output).toContain(`The current spec is unchanged (${folder}/openapi.yaml)`);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(code).toBe(1);
  }
  // A port that was free a moment ago: nothing listens there.
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const refused = await run(['spec', 'update'], { ...env, OPENAI_MOCK_GITHUB_API: `http://127.0.0.1:${port}/api` });
  expect(refused.code).toBe(1);
  expect(refused.output).toMatch(new RegExp(`could not download http://127\\.0\\.0\\.1:${port}/api/.*: ECONNREFUSED`));
  expect(await fs.readFile(path.join(folder, 'openapi.yaml'), 'utf8')).toBe(before);
  expect(existsSync(path.join(folder, 'pin.json'))).toBe(false);
  expect((await fs.readdir(folder)).sort()).toEqual(['openapi.yaml']);
});

test('bad words are usage errors (exit 2)', async () => {
  const { env } = await home('usage');
  const unknown = await run(['spec', 'upgrade'], env);
  expect(unknown.code).toBe(2);
  expect(unknown.output).toContain('openai-mock: unknown command "spec upgrade"; spec has update and info');
  const flag = await run(['spec', 'update', '--form', 'x'], env);
  expect(flag.code).toBe(2);
  expect(flag.output).toMatch(/spec: Unknown option '--form'/);
  const help = await run(['spec', '--help'], env);
  expect(help.code).toBe(0);
  expect(help.output).toContain('openai-mock spec update [--ref REF] [--from URL|PATH] [--dry-run]');
});

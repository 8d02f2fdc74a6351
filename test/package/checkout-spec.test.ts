/**
 * A checkout whose spec download failed at `npm install`: the first start tries again, saying so
 * with a progress line, and starts; when it fails again, the error says what to do in a checkout.
 * The checkout is a copy of this one without spec/openapi.yaml (dist/, scripts/, spec/pin.json,
 * a .git), with the network out of reach (proxy variables at a closed port).
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnCli } from '../helpers/cli';

const ROOT = path.resolve(__dirname, '..', '..');
let checkout: string;
let proxy: string;

beforeAll(async () => {
  checkout = await mkdtemp(path.join(os.tmpdir(), 'openai-mock-checkout-'));
  for (const part of ['dist', 'scripts', 'package.json']) await cp(path.join(ROOT, part), path.join(checkout, part), { recursive: true });
  await mkdir(path.join(checkout, 'spec'));
  await cp(path.join(ROOT, 'spec', 'pin.json'), path.join(checkout, 'spec', 'pin.json'));
  await mkdir(path.join(checkout, '.git'));
  await symlink(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'));
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
}, 60_000);

afterAll(async () => {
  if (checkout) await rm(checkout, { recursive: true, force: true });
});

const offline = () => ({ HTTPS_PROXY: proxy, HTTP_PROXY: proxy, https_proxy: proxy, http_proxy: proxy, NO_PROXY: '', no_proxy: '', NODE_USE_ENV_PROXY: '1', OPENAI_MOCK_SPEC: undefined, OPENAI_MOCK_SHARED_SPEC: undefined });
const main = () => path.join(checkout, 'dist', 'cli', 'main.js');

test('with the download out of reach: it tries again, says so, then tells a checkout to run npm run fetch-spec', async () => {
  const run = spawnCli(['--port', '0', '--no-cache'], { cwd: checkout, env: offline(), main: main() });
  const { code } = await run.exited;
  const output = run.output();
  expect(code).toBe(1);
  expect(output).toMatch(/spec\/openapi\.yaml is missing .*trying again/);
  expect(output).toMatch(/could not download https:\/\/raw\.githubusercontent\.com\/openai\/openai-openapi\//);
  expect(output).toMatch(/openai-mock: cannot read the spec at .*spec\/openapi\.yaml \(default\): no such file\. .*npm run fetch-spec/);
  expect(existsSync(path.join(checkout, 'spec', 'openapi.yaml'))).toBe(false);
}, 120_000);

test('with the pinned spec at hand (the shared copy): the first start fills spec/openapi.yaml and answers', async () => {
  const run = spawnCli(['--port', '0', '--no-cache'], { cwd: checkout, env: { ...offline(), OPENAI_MOCK_SHARED_SPEC: path.join(ROOT, 'spec', 'openapi.yaml') }, main: main() });
  try {
    const [, url] = await run.waitFor(/listening on (http:\/\/\S+)/, 0, 120_000);
    expect(run.output()).toMatch(/trying again[\s\S]*copied .* to spec\/openapi\.yaml/);
    expect(existsSync(path.join(checkout, 'spec', 'openapi.yaml'))).toBe(true);
    expect((await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer x' } })).status).toBe(200);
  } finally {
    await run.stop();
  }
}, 180_000);

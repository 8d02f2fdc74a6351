/**
 * Options settled once: flags (or code) over environment over config file over defaults; the
 * ready line, --ready-file and the admin API through the real command and a real socket.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveSettings, SettingsError } from '../../src/settings/resolve';
import { envName, OPTIONS } from '../../src/settings/options';
import { loadConfig } from '../../src';
import { spawnCli, ROOT } from '../helpers/cli';
import { startMock } from '../helpers/server';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'openai-mock-settings-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('precedence: given > environment > config > default', () => {
  test('each layer wins over the ones below it, and says where a value came from', async () => {
    const file = path.join(dir, 'openai-mock.config.json');
    await fs.writeFile(file, JSON.stringify({ port: 1111, host: 'localhost', bodyLimit: 10, seed: 'from-config' }));
    const config = await loadConfig({ file });
    const env = { OPENAI_MOCK_PORT: '2222', OPENAI_MOCK_HOST: '::1' };
    const s = await resolveSettings({ config, port: 3333 }, { env, given: 'flag' });
    expect(s.port).toBe(3333);
    expect(s.origins.port).toBe('--port');
    expect(s.host).toBe('::1');
    expect(s.origins.host).toBe('OPENAI_MOCK_HOST');
    expect(s.bodyLimit).toBe(10);
    expect(s.origins.bodyLimit).toBe('config "bodyLimit"');
    expect(s.auth).toBe(true);
    expect(s.origins.auth).toBeUndefined();
  });

  test('environment values are read as their flags are, and a bad one names the variable', async () => {
    const s = await resolveSettings({}, { env: { OPENAI_MOCK_AUTH: 'no', OPENAI_MOCK_WATCH: '1', OPENAI_MOCK_BODY_LIMIT: '99', OPENAI_MOCK_CACHE_DIR: 'rel' }, given: 'flag' });
    expect(s.auth).toBe(false);
    expect(s.watch).toBe(true);
    expect(s.bodyLimit).toBe(99);
    expect(s.cacheDir).toBe(path.resolve('rel'));
    await expect(resolveSettings({}, { env: { OPENAI_MOCK_PORT: 'eighty' } })).rejects.toThrow(new SettingsError('OPENAI_MOCK_PORT must be a whole number from 0 to 65535, got "eighty"'));
    await expect(resolveSettings({}, { env: { OPENAI_MOCK_CORS: 'maybe' } })).rejects.toThrow(/OPENAI_MOCK_CORS must be true or false/);
  });

  test('a wrong option given in code is an error naming it', async () => {
    await expect(resolveSettings({ port: -1 } as never, { env: {} })).rejects.toThrow('option "port" must be a whole number from 0 to 65535, got -1');
  });

  test('a misspelt option given in code is an error naming the one meant, not silently ignored', async () => {
    await expect(resolveSettings({ statefull: true } as never, { given: 'option' })).rejects.toThrow('unknown option "statefull" (did you mean "state"?)');
    await expect(resolveSettings({ nothingLikeIt: 1 } as never, { given: 'option' })).rejects.toThrow(/^unknown option "nothingLikeIt"; /);
  });

  test('the library is quiet by default, the command is not', async () => {
    expect((await resolveSettings({}, { env: {} })).logLevel).toBe('warn');
    expect((await resolveSettings({}, { env: {}, defaultLogLevel: 'info' })).logLevel).toBe('info');
  });

  test('every option with a flag, its variable and its config key are in the README', async () => {
    const readme = await fs.readFile(path.join(ROOT, 'README.md'), 'utf8');
    for (const def of OPTIONS) {
      if ('flag' in def) expect(readme).toContain(`--${def.flag}`);
      const env = envName(def);
      if (env) expect(readme).toContain(env);
      if (!('cliOnly' in def)) expect(readme).toContain(`\`${def.key}\``);
    }
  });
});

describe('the command', () => {
  test('the ready line reaches stdout even at --log-level error, and --ready-file holds url, port and pid', async () => {
    const readyFile = path.join(dir, 'nested', 'ready.json');
    const run = spawnCli(['--log-level', 'error', '--ready-file', readyFile], { env: { OPENAI_MOCK_PORT: '0' } });
    try {
      const [, url] = await run.waitFor(/listening on (http:\/\/\S+)/);
      const ready = JSON.parse(await fs.readFile(readyFile, 'utf8'));
      expect(ready).toEqual({ url, port: Number(new URL(url!).port), pid: run.child.pid });
      const health = await fetch(`${url}/__admin/health`);
      expect(health.status).toBe(200);
    } finally {
      await run.stop();
    }
  });

  test('an unknown flag suggests the nearest one; a bad variable is one line, exit 2', async () => {
    const typo = spawnCli(['--prot', '1']);
    expect((await typo.exited).code).toBe(2);
    expect(typo.output()).toMatch(/unknown option --prot; did you mean --port\?/);
    const bad = spawnCli([], { env: { OPENAI_MOCK_BODY_LIMIT: 'lots' } });
    expect((await bad.exited).code).toBe(2);
    expect(bad.output().trim()).toBe('openai-mock: OPENAI_MOCK_BODY_LIMIT must be a whole number from 1 to 1099511627776, got "lots"');
  });
});

describe('admin API', () => {
  test('health answers without auth; unknown admin paths are OpenAI-shaped 404s; the token guards the rest', async () => {
    const mock = await startMock({ adminToken: 'secret-admin' });
    try {
      const health = await fetch(`${mock.url}/__admin/health`);
      expect(health.status).toBe(200);
      const body = await health.json();
      expect(body).toMatchObject({ status: 'ok', operations: mock.operations, spec: { version: mock.specVersion, sha256: mock.specSha256 } });
      expect(typeof body.version).toBe('string');
      expect(body.uptimeMs).toBeGreaterThanOrEqual(0);

      const missing = await fetch(`${mock.url}/__admin/nothing-here`, { headers: { authorization: 'Bearer secret-admin' } });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ error: { message: 'Invalid URL (GET /__admin/nothing-here)', type: 'invalid_request_error', param: null, code: null } });

      const wrongMethod = await fetch(`${mock.url}/__admin/health`, { method: 'DELETE' });
      expect(wrongMethod.status).toBe(404);
    } finally {
      await mock.close();
    }
  });
});

/**
 * Stateful mode from the command: `--stateful` and `OPENAI_MOCK_STATEFUL` turn it on; a config's
 * `state.store` is read from the config's folder and survives a restart of the command.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnCli } from '../helpers/cli';

const SPEC = process.env.OPENAI_MOCK_SPEC ?? path.resolve(__dirname, '..', '..', 'spec', 'openapi.yaml');
const auth = { authorization: 'Bearer sk-test' };

async function upload(url: string, text: string): Promise<{ id: string }> {
  const form = new FormData();
  form.append('purpose', 'assistants');
  form.append('file', new Blob([text]), 'a.txt');
  const response = await fetch(`${url}/v1/files`, { method: 'POST', headers: auth, body: form });
  expect(response.status).toBe(200);
  return (await response.json()) as { id: string };
}

async function start(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const run = spawnCli(['--port', '0', '--spec', SPEC, '--no-cache', ...args], { env, cwd });
  const [, url] = await run.waitFor(/listening on (http:\/\/[^\s]+)/, 0, 60_000);
  return { run, url: url! };
}

test('--stateful and OPENAI_MOCK_STATEFUL keep an upload', async () => {
  for (const [args, env] of [[['--stateful'], {}], [[], { OPENAI_MOCK_STATEFUL: '1' }]] as const) {
    const { run, url } = await start([...args], { ...env });
    try {
      const file = await upload(url, 'hello');
      const content = await fetch(`${url}/v1/files/${file.id}/content`, { headers: auth });
      expect(await content.text()).toBe('hello');
    } finally {
      await run.stop();
    }
  }
}, 120_000);

test("a config's state.store is relative to the config and keeps objects across restarts", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openai-mock-cli-state-'));
  try {
    fs.writeFileSync(path.join(dir, 'openai-mock.config.json'), JSON.stringify({ state: { store: 'data/state.db' } }));
    let { run, url } = await start(['--config', path.join(dir, 'openai-mock.config.json')], {}, os.tmpdir());
    const file = await upload(url, 'kept');
    await run.stop();
    expect(fs.existsSync(path.join(dir, 'data', 'state.db'))).toBe(true);
    ({ run, url } = await start(['--config', path.join(dir, 'openai-mock.config.json')], {}, os.tmpdir()));
    try {
      const content = await fetch(`${url}/v1/files/${file.id}/content`, { headers: auth });
      expect(await content.text()).toBe('kept');
    } finally {
      await run.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

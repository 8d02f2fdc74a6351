/**
 * The command with the companion's flags, driven by curl: fixture scripts from a folder, a
 * script added over HTTP in a session named by the API key, the bounded journal read back.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { spawnCli } from '../helpers/cli';

const run = promisify(execFile);
const curl = async (...args: string[]) => JSON.parse((await run('curl', ['-s', ...args], { timeout: 15_000 })).stdout);

test('--fixtures-dir, --sessions api-key and --journal from the command line', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'openai-mock-cli-fixtures-'));
  try {
    await fs.writeFile(path.join(dir, 'chat.yaml'), '- operation: createChatCompletion\n  reply: { text: "from the fixture" }\n');
    const cli = spawnCli(['--port', '0', '--fixtures-dir', dir, '--sessions', 'api-key', '--journal', '2', '--log-level', 'warn'], {
      env: { OPENAI_MOCK_CONFIG: undefined },
      cwd: dir,
    });
    const url = (await cli.waitFor(/listening on (http:\/\/\S+)/, 0, 60_000))[1]!;
    const chat = (key: string) =>
      curl(`${url}/v1/chat/completions`, '-H', `Authorization: Bearer ${key}`, '-H', 'Content-Type: application/json', '-d', '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}');

    expect((await chat('sk-ci-one')).choices[0].message.content).toBe('from the fixture');
    await curl(`${url}/__admin/scripts?session=sk-ci-two`, '-d', '{"operation":"createChatCompletion","reply":"for two"}');
    expect((await chat('sk-ci-two')).choices[0].message.content).toBe('for two');
    expect((await chat('sk-ci-one')).choices[0].message.content).toBe('from the fixture');

    const journal = await curl(`${url}/__admin/journal`);
    // --journal 2: the newest two of three.
    expect(journal.data.map((e: { session: string; id: string }) => [e.id, e.session])).toEqual([['2', 'sk-ci-two'], ['3', 'sk-ci-one']]);
    await cli.stop();
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}, 120_000);

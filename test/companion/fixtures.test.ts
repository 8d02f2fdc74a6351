/**
 * Fixture files: scripts as YAML, loaded at start, reloaded on save (the last good set kept when
 * a save is empty or broken), and a suite in Python driving the mock over plain HTTP.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { MockServer } from '../../src';
import { createLogger } from '../../src/log/logger';
import { startMock } from '../helpers/server';

const run = promisify(execFile);
const CLIENT = path.join(__dirname, 'fixture_client.py');

let dir: string;
let mock: MockServer;
const lines: string[] = [];

const fixture = (answer: string) => `# fixtures/weather.yaml
- operation: createChatCompletion
  match:
    lastUserMessage: { regex: "weather", flags: i }
  reply:
    text: "${answer}"
- operation: POST /v1/embeddings
  fail: { status: 503 }
  times: 1
`;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'openai-mock-fixtures-'));
  await fs.mkdir(path.join(dir, 'fixtures'));
  await fs.writeFile(path.join(dir, 'fixtures', 'weather.yaml'), fixture('Sunny, 21°C.'));
  mock = await startMock({ fixturesDir: path.join(dir, 'fixtures'), watch: true, logger: createLogger('info', (line) => lines.push(line)) });
});
afterAll(async () => {
  await mock.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const python = async (command: string) => (await run('python3', [CLIENT, mock.url, command], { timeout: 30_000 })).stdout.trim();

/** Waits for a log line (a reload) after `from`; the watcher's timing is the file system's. */
async function logged(pattern: RegExp, from: number): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const line = lines.slice(from).find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no log line ${pattern} after ${from}:\n${lines.slice(from).join('\n')}`);
}

test('a YAML fixture answers a Python client; saving the file reloads it; an empty or broken save keeps the last good set', async () => {
  expect(await python('ask')).toBe('Sunny, 21°C.');
  expect(mock.scripts().map((s) => [s.origin, s.label])).toEqual([
    ['fixture', expect.stringMatching(/weather\.yaml\[0\]$/)],
    ['fixture', expect.stringMatching(/weather\.yaml\[1\]$/)],
  ]);

  let from = lines.length;
  await fs.writeFile(path.join(dir, 'fixtures', 'weather.yaml'), fixture('Rain, 12°C.'));
  expect(await logged(/fixtures reloaded: 2 scripts/, from)).toBeDefined();
  expect(await python('ask')).toBe('Rain, 12°C.');

  // An editor truncating the file before writing it, then a syntax error: the last good set stays.
  from = lines.length;
  await fs.writeFile(path.join(dir, 'fixtures', 'weather.yaml'), '');
  expect(await logged(/fixtures not reloaded; the last good set stays in force:\n.*weather\.yaml: the file is empty/, from)).toBeDefined();
  expect(await python('ask')).toBe('Rain, 12°C.');
  from = lines.length;
  await fs.writeFile(path.join(dir, 'fixtures', 'weather.yaml'), '- operation: createChatCompletion\n  reply: [unclosed');
  expect(await logged(/fixtures not reloaded/, from)).toBeDefined();
  from = lines.length;
  await fs.writeFile(path.join(dir, 'fixtures', 'weather.yaml'), fixture('Fog.').replace('createChatCompletion', 'createChatCompletions'));
  expect(await logged(/fixtures not reloaded; .*\n.*did you mean "createChatCompletion"/, from)).toBeDefined();
  expect(await python('ask')).toBe('Rain, 12°C.');

  // A new file joins the set.
  from = lines.length;
  await fs.writeFile(path.join(dir, 'fixtures', 'weather.yaml'), fixture('Snow.'));
  await fs.writeFile(path.join(dir, 'fixtures', 'models.json'), JSON.stringify({ scripts: [{ operation: 'listModels', reply: { body: { data: [] } } }] }));
  await logged(/fixtures reloaded: 3 scripts/, from);
  expect(await python('ask')).toBe('Snow.');
  const models = await fetch(`${mock.url}/v1/models`, { headers: { authorization: 'Bearer sk-test-key' } });
  expect(await models.json()).toMatchObject({ object: 'list', data: [] });
});

test('a Python suite scripts a 429 and a text over /__admin/scripts in its own session and checks the journal', async () => {
  expect(await python('scripted')).toBe('ok');
  // Its session's traffic stayed in its session.
  expect(mock.journal.requests({ session: 'pytest-worker-1' })).toHaveLength(2);
  expect(mock.session('pytest-worker-1').scripts().filter((s) => s.origin === 'admin')).toEqual([]);
});

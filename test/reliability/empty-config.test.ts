/**
 * Editors truncate a file before they write it. Under `--watch`, an empty (or not yet written)
 * config or override module is a save under way: the last good set stays in force, the log says
 * so, and the next save is loaded as usual.
 */
import { mkdtemp, mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MockServer } from '../../src';
import { startMock } from '../helpers/server';
import { captureLogger, trapUnhandled } from './helpers/process-state';

let dir: string;
const unhandled = trapUnhandled();

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openai-mock-empty-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterAll(() => {
  unhandled.stop();
  expect(unhandled.seen).toEqual([]);
});

async function ownerOfModels(mock: MockServer): Promise<string> {
  const response = await fetch(`${mock.url}/v1/models`, { headers: { authorization: 'Bearer sk-empty' } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data: { owned_by: string }[] };
  return body.data[0]!.owned_by;
}

/** Waits for a log line matching `pattern` written after `from` lines. */
async function logged(lines: string[], pattern: RegExp, from: number, withinMs = 10_000): Promise<string> {
  const until = Date.now() + withinMs;
  for (;;) {
    const line = lines.slice(from).find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > until) throw new Error(`no log line ${pattern} within ${withinMs} ms; the log:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const jsonConfig = (owner: string) =>
  JSON.stringify({ overridesDir: false, overrides: [{ operation: 'listModels', response: { body: { object: 'list', data: [{ id: 'm', object: 'model', created: 1, owned_by: owner }] } } }] });

const tsConfig = (owner: string) => `import { defineConfig, defineOverride } from 'openai-mock';
export default defineConfig({
  overridesDir: false,
  overrides: [defineOverride({ operation: 'listModels', response: { body: { object: 'list', data: [{ id: 'm', object: 'model', created: 1, owned_by: '${owner}' }] } } })],
});
`;

const overrideModule = (owner: string) => `import { defineOverride } from 'openai-mock';
export default defineOverride({ operation: 'listModels', response: { body: { object: 'list', data: [{ id: 'm', object: 'model', created: 1, owned_by: '${owner}' }] } } });
`;

/** Starts a watching server on `file`, empties `target` (or writes `partial` to it), checks the last good set answers, then saves `next`. */
async function emptiedThenSaved(options: { file: string; target: string; partial?: string; next: string; nextOwner: string }) {
  const log = captureLogger('info');
  const mock = await startMock({ config: options.file, watch: true, cwd: dir, logger: log.logger });
  try {
    expect(await ownerOfModels(mock)).toBe('good');
    let from = log.lines.length;
    if (options.partial === undefined) await truncate(options.target, 0);
    else await writeFile(options.target, options.partial);
    const refusal = await logged(log.lines, /overrides not reloaded/, from);
    expect(refusal).toContain(options.target);
    // The refused file is read again once the write has had time to settle: still refused, still the last good set.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(log.lines.slice(from).some((l) => /overrides reloaded/.test(l))).toBe(false);
    expect(await ownerOfModels(mock)).toBe('good');

    from = log.lines.length;
    await writeFile(options.target, options.next);
    await logged(log.lines, /overrides reloaded: 1 overrides/, from);
    expect(await ownerOfModels(mock)).toBe(options.nextOwner);
  } finally {
    await mock.close();
  }
}

test('an emptied JSON config keeps the last good overrides, and the next save loads', async () => {
  const file = path.join(dir, 'openai-mock.config.json');
  await writeFile(file, jsonConfig('good'));
  await emptiedThenSaved({ file, target: file, next: jsonConfig('next'), nextOwner: 'next' });
});

test('a JSON config of white space only is empty too', async () => {
  const file = path.join(dir, 'openai-mock.config.json');
  await writeFile(file, jsonConfig('good'));
  await emptiedThenSaved({ file, target: file, partial: '\n  \n', next: jsonConfig('next'), nextOwner: 'next' });
});

test('an emptied TypeScript config keeps the last good overrides', async () => {
  const file = path.join(dir, 'openai-mock.config.ts');
  await writeFile(file, tsConfig('good'));
  await emptiedThenSaved({ file, target: file, next: tsConfig('next'), nextOwner: 'next' });
});

test('a TypeScript config written up to its imports (it exports nothing yet) keeps the last good overrides', async () => {
  const file = path.join(dir, 'openai-mock.config.ts');
  await writeFile(file, tsConfig('good'));
  await emptiedThenSaved({ file, target: file, partial: "import { defineConfig } from 'openai-mock';\n", next: tsConfig('next'), nextOwner: 'next' });
});

test('an emptied override module keeps the last good overrides', async () => {
  const file = path.join(dir, 'openai-mock.config.json');
  await writeFile(file, JSON.stringify({}));
  await mkdir(path.join(dir, 'overrides'));
  const module = path.join(dir, 'overrides', 'models.ts');
  await writeFile(module, overrideModule('good'));
  await emptiedThenSaved({ file, target: module, next: overrideModule('next'), nextOwner: 'next' });
});

test('an empty config file named at start-up is an error naming it, not a config without overrides', async () => {
  const file = path.join(dir, 'openai-mock.config.json');
  await writeFile(file, '');
  await expect(startMock({ config: file, cwd: dir })).rejects.toThrow(/openai-mock\.config\.json: the config file is empty/);
});

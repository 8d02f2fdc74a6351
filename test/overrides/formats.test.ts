/**
 * Every config format that the search finds, loaded from a real folder; then the search and the
 * config's settings through the command, with flags winning over the file.
 */
import path from 'node:path';
import { loadConfig, SEARCH_PLACES } from '../../src';
import { resolveSettings } from '../../src/settings/resolve';
import { startCli, tempProject } from './support';

const TS = `import { defineConfig, defineOverride, errors } from 'openai-mock';
const port: number = PORT;
export default defineConfig({ port, overrides: [defineOverride({ operation: 'createChatCompletion', response: errors.server() })] });
`;
const MTS = `import path from 'node:path';
export default { port: PORT, spec: path.join(import.meta.dirname, 'spec.yaml') } satisfies import('openai-mock').Config;
`;
const CTS = `import mock = require('openai-mock');
export = mock.defineConfig({ port: PORT });
`;
const CJS = `const { defineConfig } = require('openai-mock');
module.exports = defineConfig({ port: PORT });
`;
const MJS = `export default async () => ({ port: PORT });
`;
const JSON_TEXT = `{ "port": PORT }`;
const YAML = `port: PORT\nlogLevel: warn\n`;

/** Each search place with a config in its format; the port tells which file was read. */
const FORMATS: [file: string, text: string][] = [
  ['openai-mock.config.ts', TS],
  ['openai-mock.config.mts', MTS],
  ['openai-mock.config.cts', CTS],
  ['openai-mock.config.js', CJS],
  ['openai-mock.config.mjs', MJS],
  ['openai-mock.config.cjs', CJS],
  ['openai-mock.config.json', JSON_TEXT],
  ['openai-mock.config.yaml', YAML],
  ['openai-mock.config.yml', YAML],
  ['mock.config.ts', TS],
  ['mock.config.mts', MTS],
  ['mock.config.cts', CTS],
  ['mock.config.js', CJS],
  ['mock.config.mjs', MJS],
  ['mock.config.cjs', CJS],
  ['.openai-mockrc', JSON_TEXT],
  ['.openai-mockrc.json', JSON_TEXT],
  ['.openai-mockrc.yaml', YAML],
  ['.openai-mockrc.yml', YAML],
  ['.openai-mockrc.ts', TS],
  ['.openai-mockrc.mts', MTS],
  ['.openai-mockrc.cts', CTS],
  ['.openai-mockrc.js', MJS],
  ['.openai-mockrc.mjs', MJS],
  ['.openai-mockrc.cjs', CJS],
  ['package.json', `{ "name": "some-app", "openai-mock": { "port": PORT } }`],
];

test('the test covers every place the search looks', () => {
  expect(FORMATS.map(([file]) => file).sort()).toEqual([...SEARCH_PLACES].sort());
});

test.each(FORMATS.map(([file, text], i) => [file, text, 20000 + i] as const))('%s is found and loaded', async (file, text, port) => {
  const project = await tempProject('openai-mock-format-');
  try {
    const written = await project.write(file, text.replace('PORT', String(port)));
    // The search starts in a sub-folder and goes up to the project's root.
    await project.write('package.json', file === 'package.json' ? text.replace('PORT', String(port)) : '{ "name": "some-app" }');
    const sub = path.join(project.dir, 'src', 'deep');
    await project.write('src/deep/.keep', '');
    const loaded = await loadConfig({ cwd: sub });
    expect(loaded?.file).toBe(written);
    expect(loaded?.config.port).toBe(port);
    if (text === TS) expect(loaded?.overrides).toHaveLength(1);
    // A relative spec is read from the config's folder, not the working directory.
    if (text === MTS) expect((await resolveSettings({ config: loaded, cwd: sub }, { env: {} })).spec.source).toBe(path.join(project.dir, 'spec.yaml'));
    if (text === YAML) expect(loaded?.config.logLevel).toBe('warn');
    expect(loaded?.inputs).toContain(written);
  } finally {
    await project.remove();
  }
});

test('a config file wins over an rc file, and an rc file over package.json', async () => {
  const project = await tempProject('openai-mock-format-');
  try {
    await project.write('package.json', '{ "openai-mock": { "port": 1 } }');
    await project.write('.openai-mockrc.json', '{ "port": 2 }');
    expect((await loadConfig({ cwd: project.dir }))?.config.port).toBe(2);
    await project.write('openai-mock.config.yaml', 'port: 3');
    expect((await loadConfig({ cwd: project.dir }))?.config.port).toBe(3);
  } finally {
    await project.remove();
  }
});

test('no config: nothing loaded; a wrong key or value: an error naming the file and key', async () => {
  const project = await tempProject('openai-mock-format-');
  try {
    await project.write('package.json', '{ "name": "no-config" }');
    expect(await loadConfig({ cwd: project.dir })).toBeUndefined();
    const file = await project.write('openai-mock.config.json', '{ "prot": 1 }');
    await expect(loadConfig({ cwd: project.dir })).rejects.toThrow(`${file}: unknown key "prot"`);
    await project.write('openai-mock.config.json', '{ "port": "80" }');
    await expect(loadConfig({ cwd: project.dir })).rejects.toThrow(`${file}: "port" must be a whole number from 0 to 65535, got "80"`);
    await project.write('openai-mock.config.json', '{ "port": ');
    await expect(loadConfig({ cwd: project.dir })).rejects.toThrow(file);
    await expect(loadConfig({ cwd: project.dir, file: 'missing.config.ts' })).rejects.toThrow(`config file not found: ${path.join(project.dir, 'missing.config.ts')}`);
  } finally {
    await project.remove();
  }
});

test('the command finds a YAML config from its working directory; the config sets options, flags win', async () => {
  const project = await tempProject('openai-mock-format-');
  const small = [
    'openapi: 3.1.0',
    'info: { title: Small, version: 1.2.3 }',
    'paths:',
    '  /models:',
    '    get:',
    '      operationId: listModels',
    '      responses:',
    "        '200': { description: OK, content: { application/json: { schema: { type: object } } } }",
    '',
  ].join('\n');
  await project.write('package.json', '{ "name": "app" }');
  // Port 1 would need privileges: the listening line proves --port 0 won over it.
  await project.write('mock/.openai-mockrc.yaml', 'port: 1\nauth: false\nspec: ./small.yaml\ncacheDir: false\noverridesDir: mocks\n');
  await project.write('mock/small.yaml', small);
  await project.write(
    'mock/mocks/models.ts',
    "import { defineOverride } from 'openai-mock';\nexport default defineOverride({ operation: 'GET /v1/models', response: { body: { object: 'list', data: [{ id: 'from-yaml', object: 'model', created: 0, owned_by: 'me' }] } } });\n",
  );
  // Started in a sub-folder: the search goes up to the config, and `spec` is read from the config's folder.
  await project.write('mock/sub/.keep', '');
  const cli = await startCli([], path.join(project.dir, 'mock', 'sub'));
  try {
    expect(cli.log()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ (?:and https:\/\/\S+ \(h2, http\/1\.1\) )?\(1 operations, spec 1\.2\.3/);
    // No Authorization header: the config turned auth off.
    const response = await fetch(`${cli.url}/v1/models`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: 'list', data: [{ id: 'from-yaml', object: 'model', created: 0, owned_by: 'me' }] });
  } finally {
    await cli.stop();
    await project.remove();
  }
});

test('a config that does not load stops the command at start with the file and line', async () => {
  const project = await tempProject('openai-mock-format-');
  try {
    const file = await project.write('openai-mock.config.ts', "import { defineConfig } from 'openai-mock';\nexport default defineConfig({ port: 0 as number, });\nconst broken = ;\n");
    const failure = await startCli([], project.dir).then(
      async (cli) => {
        await cli.stop();
        return 'it started';
      },
      (error: Error) => error.message,
    );
    expect(failure).toContain(`openai-mock: ${file}:3:16: Unexpected ";"`);
  } finally {
    await project.remove();
  }
});

/**
 * The types a user's editor sees: the example config and overrides and a fixture using every main
 * operation family type-check; a fixture of misspelt fields fails on exactly the marked lines.
 */
import path from 'node:path';
import ts from 'typescript';

const FIXTURES = path.join(__dirname, 'fixtures');
let diagnostics: readonly ts.Diagnostic[];

beforeAll(() => {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(FIXTURES, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  })!;
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  diagnostics = ts.getPreEmitDiagnostics(program);
});

const where = (d: ts.Diagnostic) => {
  const { line } = d.file!.getLineAndCharacterOfPosition(d.start!);
  return `${path.relative(FIXTURES, d.file!.fileName)}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
};

test('the example config and overrides, the README\'s examples and a fixture of every main operation type-check', () => {
  const others = diagnostics.filter((d) => !d.file?.fileName.endsWith('typos.ts')).map(where);
  expect(others).toEqual([]);
});

test('a misspelt field, a wrong type or value, a missing field: type errors on exactly the marked lines', () => {
  const file = path.join(FIXTURES, 'typos.ts');
  const text = ts.sys.readFile(file)!.split('\n');
  const marked = text.flatMap((line, i) => (line.includes('// typo') ? [i + 1] : []));
  const failing = diagnostics.filter((d) => d.file?.fileName === file).map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line + 1);
  expect([...new Set(failing)].sort((a, b) => a - b)).toEqual(marked);
  const messages = diagnostics.filter((d) => d.file?.fileName === file).map(where).join('\n');
  expect(messages).toContain("Property 'modle' does not exist");
  expect(messages).toContain("Property 'output_txt' does not exist");
  expect(messages).toContain("'prot' does not exist in type 'Config'");
  expect(messages).toContain("Type 'string' is not assignable to type 'number[]'");
  expect(messages).toContain("'bdy' does not exist");
});

test('every typed operation names an operation of the spec, by its id and by its route', async () => {
  const { loadSpec } = await import('../../src/openapi/load-spec');
  const { locateSpec } = await import('../../src/openapi/locate');
  const { defaultCacheDir } = await import('../../src/openapi/cache');
  const { indexOperations } = await import('../../src/overrides/resolve');
  const spec = await loadSpec(locateSpec({ env: process.env.OPENAI_MOCK_SPEC, cwd: process.cwd() }), { dir: defaultCacheDir() });
  const index = indexOperations(spec.spec.operations);
  const source = ts.sys.readFile(path.join(__dirname, '..', '..', 'src', 'overrides', 'operations.ts'))!;
  const typed = [...source.matchAll(/^\s+(\w+): Op<'(\w+)', '([^']+)'/gm)].map((m) => ({ id: m[1]!, route: `${m[2]} ${m[3]}` }));
  expect(typed.length).toBeGreaterThanOrEqual(29);
  const wrong = typed.filter(({ id, route }) => {
    const byId = index.resolve(id);
    const byRoute = index.resolve(route);
    return !(byId instanceof Set && byId.has(id) && byRoute instanceof Set && byRoute.has(id));
  });
  expect(wrong).toEqual([]);
});

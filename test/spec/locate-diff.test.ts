/** Where the default spec is read and updates are written; what counts as a change between two specs. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultSpecPath, isInstalledPackage, specHome } from '../../src/openapi/locate';
import { diffSpecs, formatDiff } from '../../src/openapi/spec-diff';

describe('spec home', () => {
  test('a checkout updates its own spec/; an installed package the user cache; OPENAI_MOCK_SPEC_HOME wins', () => {
    const checkout = path.join(os.tmpdir(), 'work', 'openai-mock');
    const installed = path.join(os.tmpdir(), 'app', 'node_modules', 'openai-mock');
    expect(isInstalledPackage(checkout)).toBe(false);
    expect(isInstalledPackage(installed)).toBe(true);
    expect(specHome({}, checkout)).toBe(path.join(checkout, 'spec'));
    expect(specHome({ XDG_CACHE_HOME: '/xdg' }, installed)).toBe('/xdg/openai-mock/spec');
    expect(specHome({}, installed)).toBe(path.join(os.homedir(), '.cache', 'openai-mock', 'spec'));
    expect(specHome({ OPENAI_MOCK_SPEC_HOME: '/elsewhere', XDG_CACHE_HOME: '/xdg' }, installed)).toBe('/elsewhere');
  });

  test("the default spec is the updated one when there is one, else the package's", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'openai-mock-home-'));
    try {
      const root = path.join(dir, 'node_modules', 'openai-mock');
      const env = { XDG_CACHE_HOME: path.join(dir, 'cache') };
      expect(defaultSpecPath(env, root)).toBe(path.join(root, 'spec', 'openapi.yaml'));
      await fs.mkdir(path.join(dir, 'cache', 'openai-mock', 'spec'), { recursive: true });
      await fs.writeFile(path.join(dir, 'cache', 'openai-mock', 'spec', 'openapi.yaml'), 'openapi: 3.1.0\npaths: {}\n');
      expect(defaultSpecPath(env, root)).toBe(path.join(dir, 'cache', 'openai-mock', 'spec', 'openapi.yaml'));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('spec diff', () => {
  const op = (ref: string, extra: Record<string, unknown> = {}) => ({
    operationId: 'thing',
    requestBody: { content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } },
    responses: { 200: { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/Out' } } } } },
    ...extra,
  });
  const spec = (schemas: Record<string, unknown>, paths: Record<string, unknown> = { '/thing': { post: op('In') } }) => ({ openapi: '3.1.0', paths, components: { schemas } });
  const base = { In: { type: 'object', properties: { a: { $ref: '#/components/schemas/Deep' } } }, Deep: { type: 'string', description: 'words' }, Out: { type: 'object', properties: { description: { type: 'string' } } } };

  test('words do not count; a field named description does, and so does a change deep in a referenced schema', () => {
    expect(diffSpecs(spec(base), spec({ ...base, Deep: { type: 'string', description: 'other words', 'x-note': 1 } })).changes).toEqual([]);
    const deep = diffSpecs(spec(base), spec({ ...base, Deep: { type: 'integer' } }));
    expect(deep.changes).toEqual([{ key: 'POST /thing', operationId: 'thing', change: 'changed', request: true, response: false }]);
    const field = diffSpecs(spec(base), spec({ ...base, Out: { type: 'object', properties: { description: { type: 'integer' } } } }));
    expect(field.changes).toEqual([{ key: 'POST /thing', operationId: 'thing', change: 'changed', request: false, response: true }]);
  });

  test('added and removed operations; cycles end; the table is short', () => {
    const cyclic = { ...base, Deep: { type: 'array', items: { $ref: '#/components/schemas/In' } } };
    const diff = diffSpecs(spec(cyclic), spec(cyclic, { '/other': { get: { operationId: 'other', responses: {} } } }));
    expect(diff).toEqual({
      before: 1,
      after: 1,
      changes: [
        { key: 'GET /other', operationId: 'other', change: 'added' },
        { key: 'POST /thing', operationId: 'thing', change: 'removed' },
      ],
    });
    const many = diffSpecs(undefined, spec(base, Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`/p${i}`, { get: { responses: {} } }]))));
    const lines = formatDiff(many, 10);
    expect(lines[0]).toBe('operations: 0 -> 50 (50 added, 0 removed, 0 with changed schemas)');
    expect(lines).toHaveLength(1 + 1 + 10 + 1);
    expect(lines.at(-1)).toBe('  ... and 40 more');
  });
});

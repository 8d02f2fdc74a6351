import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cacheKey, packageVersion, pruneCache, readCache, validatorsDir, writeCache } from './cache';
import type { PreparedSpec } from './prepare';

const ROOT = path.resolve(__dirname, '..', '..');

async function installedVersion(name: string): Promise<string> {
  return JSON.parse(await readFile(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

describe('cache key', () => {
  test('names the versions of the packages that prepare the spec, even one whose exports hide its package.json', async () => {
    const httpSpec = await installedVersion('@stoplight/http-spec');
    expect(() => require('@stoplight/http-spec/package.json')).toThrow();
    expect(packageVersion('@stoplight/http-spec')).toBe(httpSpec);
    expect(packageVersion('@stoplight/prism-http')).toBe(await installedVersion('@stoplight/prism-http'));
    expect(packageVersion('no-such-package-for-openai-mock')).toBe('unknown');
    const key = cacheKey('ab'.repeat(32));
    expect(key).toContain(`-httpspec${httpSpec}`);
    expect(key).not.toContain('unknown');
  });
});

describe('cache folder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'openai-mock-cache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const spec = { sha256: 'x', operations: [] } as unknown as PreparedSpec;
  const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000);

  test('a new cache file removes the older ones but the most recent few, and nothing that is not a cache file', async () => {
    const old = [1, 2, 3, 4].map((n) => `${'0123456789abcdef'.repeat(2).slice(0, 31)}${n}-format1-mock0.1.0.json`);
    for (const [i, name] of old.entries()) {
      await writeFile(path.join(dir, name), '{}');
      await utimes(path.join(dir, name), hoursAgo(10 - i), hoursAgo(10 - i));
    }
    const staleTemporary = `${old[0]}.123.456.tmp`;
    const freshTemporary = `${old[1]}.789.1011.tmp`;
    await writeFile(path.join(dir, staleTemporary), '{');
    await utimes(path.join(dir, staleTemporary), hoursAgo(3), hoursAgo(3));
    await writeFile(path.join(dir, freshTemporary), '{');
    const foreign = ['notes.json', 'format1-mock.json', `${old[0]}.bak`, 'ABCDEF0123456789ABCDEF0123456789-format1-x.json'];
    for (const name of foreign) await writeFile(path.join(dir, name), 'mine');
    await utimes(path.join(dir, foreign[0]!), hoursAgo(20), hoursAgo(20));
    await mkdir(path.join(dir, 'v8-compile'));

    const key = cacheKey('f'.repeat(64));
    await writeCache(dir, key, spec);

    expect((await readdir(dir)).sort()).toEqual([`${key}.json`, old[2], old[3], freshTemporary, ...foreign, 'v8-compile'].sort());
    expect(await readCache(dir, key)).toEqual(spec);
  });

  test("a removed prepared spec takes its compiled validators with it; the kept ones' stay", async () => {
    const keys = [1, 2, 3, 4].map((n) => `${'0123456789abcdef'.repeat(2).slice(0, 31)}${n}-format1-mock0.1.0`);
    for (const [i, key] of keys.entries()) {
      await writeFile(path.join(dir, `${key}.json`), '{}');
      await utimes(path.join(dir, `${key}.json`), hoursAgo(10 - i), hoursAgo(10 - i));
      await mkdir(validatorsDir(dir, key), { recursive: true });
      await writeFile(path.join(validatorsDir(dir, key), 'json-op.js'), '');
    }
    await mkdir(path.join(dir, 'validators', 'not-ours'));
    await pruneCache(dir, 2);
    expect((await readdir(path.join(dir, 'validators'))).sort()).toEqual(
      [path.basename(validatorsDir(dir, keys[2]!)), path.basename(validatorsDir(dir, keys[3]!)), 'not-ours'].sort(),
    );
  });

  test('component schemas are written once, in ASCII, and come back shared between the operations that reach them', async () => {
    const Error = { type: 'object', description: 'Café — naïve 😀', properties: { message: { type: 'string' } } };
    const Model = { type: 'object', properties: { id: { type: 'string' }, error: { $ref: '#/__bundled__/Error' } } };
    const operation = (iid: string, bundled: Record<string, unknown>) => ({ iid, id: iid, method: 'get', path: `/${iid}`, responses: [], __bundled__: bundled });
    const prepared = { sha256: 'x', operations: [operation('a', { Error, Model }), operation('b', { Error }), operation('c', {})] } as unknown as PreparedSpec;
    const key = cacheKey('e'.repeat(64));
    await writeCache(dir, key, prepared);

    const text = await readFile(path.join(dir, `${key}.json`), 'utf8');
    expect(text.split('"message"').length - 1).toBe(1);
    expect(text).toMatch(/^[\x20-\x7e]*$/);
    const read = (await readCache(dir, key))!;
    expect(read).toEqual(prepared);
    const [a, b] = read.operations;
    expect(a!.__bundled__!.Error).toBe(b!.__bundled__!.Error);
  });

  test('a cache file whose operation names a component it lacks is not used', async () => {
    const key = cacheKey('d'.repeat(64));
    await writeFile(path.join(dir, `${key}.json`), JSON.stringify({ sha256: 'x', components: {}, operations: [{ iid: 'a', __bundled__: ['Gone'] }] }));
    expect(await readCache(dir, key)).toBeUndefined();
  });

  test('a missing or unreadable folder is not an error', async () => {
    await expect(pruneCache(path.join(dir, 'missing'))).resolves.toBeUndefined();
  });
});

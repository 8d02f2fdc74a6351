/**
 * The options of proxy, record and replay as the settings read them; the key both sides share;
 * cassettes the replayer refuses; CORS off by default in proxy mode.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveSettings } from '../../src/settings/resolve';
import { keyOf, normalRequest } from '../../src/cassettes/key';
import { CassetteStore } from '../../src/cassettes/store';
import type { MockRequest } from '../../src/pipeline/types';
import { startMock } from '../helpers/server';
import { loopback, recordingLogger } from './support';

const resolve = (input: Parameters<typeof resolveSettings>[0], env: NodeJS.ProcessEnv = {}) => resolveSettings({ cwd: '/work/app', ...input }, { env });

describe('settings', () => {
  test('--proxy URL, --record DIR, --replay DIR with --replay-mode, from flags or variables', async () => {
    const fromFlags = await resolve({ proxy: 'http://127.0.0.1:9/v1', record: 'tapes', replay: 'tapes', replayMode: 'record-missing' } as any);
    expect(fromFlags.proxy).toEqual({ target: 'http://127.0.0.1:9/v1' });
    expect(fromFlags.record).toEqual({ dir: '/work/app/tapes', redact: [] });
    expect(fromFlags.replay).toEqual({ dir: '/work/app/tapes', mode: 'record-missing', ignore: [], speed: 'recorded' });
    const fromEnv = await resolve({}, { OPENAI_MOCK_PROXY: 'https://api.example.com/v1', OPENAI_MOCK_REPLAY: 'c', OPENAI_MOCK_REPLAY_MODE: 'record' });
    expect(fromEnv.proxy?.target).toBe('https://api.example.com/v1');
    expect(fromEnv.replay).toMatchObject({ dir: '/work/app/c', mode: 'record' });
  });

  test('CORS is off in proxy mode unless asked for', async () => {
    expect((await resolve({ proxy: 'http://127.0.0.1:9/v1' })).cors).toEqual({ loopback: false });
    expect((await resolve({ proxy: 'http://127.0.0.1:9/v1', cors: true })).cors).toBe(true);
    expect((await resolve({})).cors).toBe(true);
  });

  test.each([
    [{ record: 'tapes' }, /record needs a proxy/],
    [{ replay: { dir: 'c', mode: 'record-missing' } }, /sends requests upstream/],
    [{ replay: { dir: 'c', mode: 'rewind' } }, /replay.mode must be one of/],
    [{ replay: { dir: 'c', speed: -1 } }, /replay.speed/],
    [{ proxy: { target: 'http://x/v1', fallback: 'retry' } }, /proxy.fallback/],
    [{ proxy: 'ftp://x' }, /"proxy" must be an http\(s\) base URL/],
  ])('%j is refused with a clear message', async (input, message) => {
    await expect(resolve(input as any)).rejects.toThrow(message);
  });
});

describe('the key', () => {
  const request = (body: unknown, extra: Partial<MockRequest> = {}): MockRequest => ({
    method: 'POST', path: '/v1/chat/completions', apiPath: '/chat/completions', params: {}, query: {}, headers: {}, body, files: {}, contentType: 'application/json', ...extra,
  });

  test('key order does not count; values do; ignored paths do not', () => {
    const a = keyOf(normalRequest(request({ model: 'm', temperature: 1, user: 'a' })));
    expect(keyOf(normalRequest(request({ user: 'a', temperature: 1, model: 'm' })))).toBe(a);
    expect(keyOf(normalRequest(request({ model: 'm', temperature: 2, user: 'a' })))).not.toBe(a);
    const ignoring = (body: unknown) => keyOf(normalRequest(request(body)), ['user', 'metadata']);
    expect(ignoring({ model: 'm', user: 'a' })).toBe(ignoring({ model: 'm', user: 'b', metadata: { x: '1' } }));
  });

  test('an upload counts by its content, not its boundary or buffer', () => {
    const upload = (text: string) => request({ purpose: 'batch', file: { filename: 'a.jsonl', mimeType: 'application/jsonl', bytes: text.length, data: Buffer.from(text) } }, { apiPath: '/files', contentType: 'multipart/form-data' });
    expect(keyOf(normalRequest(upload('one')))).toBe(keyOf(normalRequest(upload('one'))));
    expect(keyOf(normalRequest(upload('one')))).not.toBe(keyOf(normalRequest(upload('two'))));
    expect(JSON.stringify(normalRequest(upload('one')))).not.toContain('"data"');
  });
});

test('a foreign file or another version is skipped with a warning, not guessed at', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openai-mock-foreign-'));
  try {
    fs.writeFileSync(path.join(dir, 'har.json'), JSON.stringify({ log: { version: '1.2' } }));
    fs.writeFileSync(path.join(dir, 'future.json'), JSON.stringify({ format: 'openai-mock cassette', version: 2 }));
    const log = recordingLogger();
    const store = new CassetteStore(dir, [], log.logger);
    expect(store.size).toBe(0);
    expect(log.lines.some((l) => /har\.json is not an openai-mock cassette/.test(l))).toBe(true);
    expect(log.lines.some((l) => /future\.json is cassette version 2; this openai-mock reads version 1/.test(l))).toBe(true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a proxy refuses web pages by default, even those served on this machine, and forwards no CORS header', async () => {
  const up = await loopback((_q, _b, r) => void r.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' }).end('{"object":"list","data":[]}'));
  const proxy = await startMock({ proxy: up.url + '/v1' });
  try {
    for (const origin of ['https://evil.example', 'http://localhost:5173']) {
      const answer = await fetch(proxy.url + '/v1/models', { headers: { authorization: 'Bearer sk-x', origin } });
      expect(answer.status).toBe(403);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    }
    const direct = await fetch(proxy.url + '/v1/models', { headers: { authorization: 'Bearer sk-x' } });
    expect(direct.status).toBe(200);
    expect(direct.headers.get('access-control-allow-origin')).toBeNull();
  } finally {
    await proxy.close();
    await up.close();
  }
});

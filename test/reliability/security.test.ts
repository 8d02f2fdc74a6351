/**
 * Safe defaults: the mock listens on the loopback interface unless told otherwise, nothing a
 * client sends can reach Object.prototype in the server's process (this jest process), and the
 * log never shows an API key in full.
 */
import net from 'node:net';
import os from 'node:os';
import type { MockServer } from '../../src';
import { startMock } from '../helpers/server';
import { captureLogger } from './helpers/process-state';
import { buildRequest, rawRequest } from './helpers/raw-http';

/** An address of this machine that is not loopback, if it has one. */
function outsideAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const entry of list ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  return undefined;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('binding', () => {
  test('by default the server listens on 127.0.0.1 only', async () => {
    const mock = await startMock();
    try {
      expect(mock.host).toBe('127.0.0.1');
      expect(mock.url).toBe(`http://127.0.0.1:${mock.port}`);
      expect(await canConnect('127.0.0.1', mock.port)).toBe(true);
      const outside = outsideAddress();
      if (outside) expect(await canConnect(outside, mock.port)).toBe(false);
    } finally {
      await mock.close();
    }
  });

  test('host binds elsewhere when asked', async () => {
    const outside = outsideAddress();
    const mock = await startMock({ host: outside ?? '::1' });
    try {
      expect(mock.host).toBe(outside ?? '::1');
      expect(await canConnect(outside ?? '::1', mock.port)).toBe(true);
      expect(await canConnect('127.0.0.1', mock.port)).toBe(false);
    } finally {
      await mock.close();
    }
  });
});

describe('prototype pollution', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMock();
  });
  afterAll(async () => {
    await mock?.close();
  });

  const AUTH = { Authorization: 'Bearer sk-pollution' };
  const payloads: [string, string][] = [
    ['__proto__', '{"__proto__":{"polluted":"yes"}}'],
    ['constructor.prototype', '{"constructor":{"prototype":{"polluted":"yes"}}}'],
  ];
  /** The payloads at the top of a body and inside the free-form objects a mock might copy from. */
  const inJson = (fields: string): [string, string][] =>
    payloads.flatMap(([name, p]): [string, string][] => [
      [`${name} at the top`, `{${fields},${p.slice(1, -1)}}`],
      [`${name} in metadata`, `{${fields},"metadata":${p}}`],
      [`${name} in a JSON schema`, `{${fields},"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","properties":${p}}}},"text":{"format":{"type":"json_schema","name":"x","schema":${p}}}}`],
      [`${name} in tool parameters`, `{${fields},"tools":[{"type":"function","function":{"name":"f","parameters":${p}}},{"type":"function","name":"g","parameters":${p}}]}`],
    ]);
  const json = (path: string, fields: string, label: string) =>
    inJson(fields).map(([name, body]): [string, Buffer] => [`${label}: ${name}`, buildRequest('POST', path, { ...AUTH, 'Content-Type': 'application/json' }, body)]);
  const requests: [string, Buffer][] = [
    ...json('/v1/chat/completions', '"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi","__proto__":{"polluted":"yes"}}]', 'chat'),
    ...json('/v1/chat/completions', '"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true', 'streamed chat'),
    ...json('/v1/responses', '"model":"gpt-4o-mini","input":"hi"', 'responses'),
    ...json('/v1/responses', '"model":"gpt-4o-mini","input":"hi","stream":true', 'streamed responses'),
    ['query __proto__[polluted]', buildRequest('GET', '/v1/files?__proto__[polluted]=yes&constructor[prototype][polluted]=yes&purpose=x', AUTH)],
    ['query __proto__.polluted', buildRequest('GET', '/v1/models?__proto__.polluted=yes&a[__proto__][polluted]=yes', AUTH)],
    [
      'url-encoded form',
      buildRequest('POST', '/v1/audio/transcriptions', { ...AUTH, 'Content-Type': 'application/x-www-form-urlencoded' }, '__proto__[polluted]=yes&constructor[prototype][polluted]=yes&model=whisper-1'),
    ],
    [
      'multipart field names',
      buildRequest(
        'POST',
        '/v1/audio/transcriptions',
        { ...AUTH, 'Content-Type': 'multipart/form-data; boundary=b' },
        [
          '--b\r\nContent-Disposition: form-data; name="__proto__[polluted]"\r\n\r\nyes',
          '--b\r\nContent-Disposition: form-data; name="constructor[prototype][polluted]"\r\n\r\nyes',
          '--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1',
          '--b\r\nContent-Disposition: form-data; name="file"; filename="__proto__"\r\nContent-Type: audio/mpeg\r\n\r\nID3',
          '--b--\r\n',
        ].join('\r\n'),
      ),
    ],
    ['headers', buildRequest('GET', '/v1/models', [['Authorization', AUTH.Authorization], ['__proto__', 'polluted'], ['constructor', 'x'], ['Prefer', 'code=200, __proto__=x']])],
    ['path parameter', buildRequest('GET', '/v1/models/__proto__', AUTH)],
  ];

  test.each(requests)('%s reaches no prototype', async (_name, bytes) => {
    const outcome = await rawRequest(mock.port, bytes, 10_000);
    expect('answer' in outcome && outcome.answer.status < 500).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('logs', () => {
  const KEY = 'sk-proj-Abc123SECRETsecretSECRET9876xyz';

  test('never print an API key in full, whatever the request', async () => {
    const log = captureLogger('debug');
    const mock = await startMock({ logger: log.logger, bodyLimit: 4096 });
    try {
      const auth = { Authorization: `Bearer ${KEY}` };
      const json = { ...auth, 'Content-Type': 'application/json' };
      const cases = [
        buildRequest('GET', '/v1/models', auth),
        buildRequest('POST', '/v1/chat/completions', json, '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}'),
        buildRequest('POST', '/v1/chat/completions', json, `{"model":"${KEY}","messages":"${KEY}"}`),
        buildRequest('POST', '/v1/chat/completions', json, '{"model":'),
        buildRequest('POST', '/v1/chat/completions', json, 'x'.repeat(5000)),
        buildRequest('GET', `/v1/models?api_key=${KEY}&key=${KEY}`, auth),
        buildRequest('GET', `/v1/nope?token=${KEY}`, auth),
        buildRequest('GET', `/v1/models?x=${KEY}`, auth),
        buildRequest('GET', '/v1/models', { Authorization: `Bearer ${KEY} extra` }),
        buildRequest('GET', '/v1/models', { Authorization: KEY }),
        buildRequest('GET', '/v1/models', { 'api-key': KEY, 'OpenAI-Organization': KEY }),
        buildRequest('POST', '/v1/embeddings', { ...json, 'Content-Length': '10' }, '{"mod'),
        buildRequest('FOO', `/v1/models?api_key=${KEY}`, auth),
      ];
      for (const bytes of cases) await rawRequest(mock.port, bytes, 10_000);
    } finally {
      await mock.close();
    }
    // The log did record the requests, so the check below looks at real lines.
    expect(log.lines.filter((line) => line.includes('/v1/models')).length).toBeGreaterThanOrEqual(5);
    expect(log.lines.filter((line) => line.includes(KEY))).toEqual([]);
  });
});

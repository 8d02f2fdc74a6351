/**
 * The proxy: a real upstream (a second openai-mock, or a loopback server misbehaving on purpose),
 * the official SDK or raw HTTP as the client. No network beyond 127.0.0.1.
 */
import OpenAI from 'openai';
import { chat, defineOverride, type MockServer } from '../../src';
import { sdk, startMock } from '../helpers/server';
import { chunk, closedPort, loopback, recordingLogger, sse, type Loopback } from './support';

const COMPLETION = {
  id: 'chatcmpl-upstream',
  object: 'chat.completion',
  created: 1700000000,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', content: 'from upstream', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
};

describe('proxy to a second openai-mock', () => {
  let upstream: MockServer;
  let proxy: MockServer;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startMock({ seed: 'upstream' });
    proxy = await startMock({
      proxy: { target: upstream.url + '/v1' },
      cors: false,
      overrides: [
        defineOverride({ operation: 'createChatCompletion', match: (req) => req.body.model === 'rewrite-me', response: (ctx) => chat.reply(ctx, 'rewritten by the override') }),
      ],
    });
    client = sdk(proxy);
  });
  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
  });

  test('an override rewrites the real answer; the rest of it is the upstream\'s', async () => {
    const direct = await sdk(upstream).chat.completions.create({ model: 'rewrite-me', messages: [{ role: 'user', content: 'hi' }] });
    const proxied = await client.chat.completions.create({ model: 'rewrite-me', messages: [{ role: 'user', content: 'hi' }] });
    expect(proxied.choices[0]!.message.content).toBe('rewritten by the override');
    expect(direct.choices[0]!.message.content).not.toBe('rewritten by the override');
  });

  test('an unmatched answer is the upstream\'s, byte for byte', async () => {
    const body = JSON.stringify({ model: 'gpt-4o', input: 'same text' });
    const ask = (base: string) => fetch(`${base}/v1/embeddings`, { method: 'POST', headers: { authorization: 'Bearer sk-x', 'content-type': 'application/json' }, body });
    const [a, b] = [await ask(upstream.url), await ask(proxy.url)];
    expect(b.status).toBe(a.status);
    expect(Buffer.from(await b.arrayBuffer()).equals(Buffer.from(await a.arrayBuffer()))).toBe(true);
  });

  test('a streamed request with an override: the upstream\'s plain answer, rewritten, streamed', async () => {
    const stream = await client.chat.completions.create({ model: 'rewrite-me', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.delta.content ?? '';
    expect(text).toBe('rewritten by the override');
  });

  test('an upload goes upstream as multipart, as received', async () => {
    const file = await client.files.create({ file: await OpenAI.toFile(Buffer.from('{"a":1}\n'), 'data.jsonl'), purpose: 'batch' });
    expect(file.filename).toBe('data.jsonl');
  });
});

describe('proxy to a loopback upstream', () => {
  let up: Loopback;
  let proxy: MockServer;
  const log = recordingLogger();

  beforeAll(async () => {
    up = await loopback();
    proxy = await startMock({ proxy: { target: up.url + '/v1', apiKey: 'sk-proxy-own-key-0000000001', timeoutMs: 500, exclude: ['listModels'] }, cors: false, logger: log.logger });
  });
  afterAll(async () => {
    await proxy?.close();
    await up?.close();
  });
  beforeEach(() => {
    up.requests.length = 0;
    log.lines.length = 0;
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(proxy.url + path, { method: 'POST', headers: { authorization: 'Bearer sk-client-key', 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const chatBody = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };

  test('odd bytes (pretty JSON, odd headers) pass through unchanged; the proxy key replaces the client\'s', async () => {
    const text = JSON.stringify(COMPLETION, null, 3) + '\n';
    up.script = (_q, _b, r) => void r.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_up', 'openai-processing-ms': '7' }).end(text);
    const answer = await post('/v1/chat/completions', chatBody, { prefer: 'dynamic=true' });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe(text);
    expect(answer.headers.get('x-request-id')).toBe('req_up');
    expect(answer.headers.get('openai-processing-ms')).toBe('7');
    expect(up.requests[0]!.headers.authorization).toBe('Bearer sk-proxy-own-key-0000000001');
    expect(up.requests[0]!.headers.prefer).toBeUndefined();
    expect(up.requests[0]!.url).toBe('/v1/chat/completions');
  });

  test('the query goes upstream without the mock\'s own parameters', async () => {
    up.script = (_q, _b, r) => void r.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[],"has_more":false}');
    const answer = await fetch(proxy.url + '/v1/files?limit=2&__dynamic=true', { headers: { authorization: 'Bearer sk-x' } });
    expect(answer.status).toBe(200);
    expect(up.requests[0]!.url).toBe('/v1/files?limit=2');
  });

  test('a stream passes through event by event: the client has event 1 before the upstream sends event 2', async () => {
    let clientHasFirst!: () => void;
    const firstSeen = new Promise<void>((resolve) => (clientHasFirst = resolve));
    let order: string[] = [];
    up.script = async (_q, _b, r) => {
      r.writeHead(200, { 'content-type': 'text/event-stream' });
      r.write(sse(chunk('one')));
      order.push('upstream sent 1');
      // Waits for the client; a proxy that buffered would never let it see event 1, and the guard ends the wait.
      await Promise.race([firstSeen, new Promise((resolve) => setTimeout(resolve, 3000))]);
      order.push('upstream sends 2');
      r.write(sse(chunk(' two')));
      r.end('data: [DONE]\n\n');
    };
    order = [];
    const stream = await sdk(proxy).chat.completions.create({ ...chatBody, stream: true } as any);
    let text = '';
    for await (const part of stream as any) {
      text += part.choices[0]?.delta.content ?? '';
      if (text === 'one') {
        order.push('client got 1');
        clientHasFirst();
      }
    }
    expect(text).toBe('one two');
    expect(order).toEqual(['upstream sent 1', 'client got 1', 'upstream sends 2']);
  });

  test('an upstream 500 goes to the client as the API sent it, and the log says the upstream failed', async () => {
    const error = { error: { message: 'The server had an error', type: 'server_error', param: null, code: null } };
    up.script = (_q, _b, r) => void r.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(error));
    const answer = await post('/v1/chat/completions', chatBody);
    expect(answer.status).toBe(500);
    expect(await answer.json()).toEqual(error);
    expect(log.lines.some((l) => /upstream side/.test(l) && /500/.test(l))).toBe(true);
  });

  test('an upstream that does not answer in time: 504 in OpenAI\'s shape, logged as the upstream\'s failure', async () => {
    up.script = () => undefined;
    const answer = await post('/v1/chat/completions', chatBody);
    expect(answer.status).toBe(504);
    const body = await answer.json();
    expect(body.error).toMatchObject({ type: 'server_error', code: 'upstream_timeout' });
    expect(log.lines.some((l) => /timed out \(upstream side/.test(l))).toBe(true);
  });

  test('an upstream that drops mid-stream: the client sees the events so far, then a failed connection', async () => {
    up.script = async (_q, _b, r) => {
      r.writeHead(200, { 'content-type': 'text/event-stream' });
      r.write(sse(chunk('partial')));
      await new Promise((resolve) => setTimeout(resolve, 50));
      r.socket?.destroy();
    };
    const stream = await sdk(proxy).chat.completions.create({ ...chatBody, stream: true } as any);
    let text = '';
    await expect(
      (async () => {
        for await (const part of stream as any) text += part.choices[0]?.delta.content ?? '';
      })(),
    ).rejects.toThrow();
    expect(text).toBe('partial');
    expect(log.lines.some((l) => /broke off its stream/.test(l) && /upstream side/.test(l))).toBe(true);
  });

  test('exclude: an excluded operation is answered by the mock, never forwarded', async () => {
    const models = await sdk(proxy).models.list();
    expect(models.data.length).toBeGreaterThan(0);
    expect(up.requests).toHaveLength(0);
  });

  test('drift: an upstream answer outside the spec\'s schema is logged once and listed at /__admin/drift', async () => {
    const { usage: _u, ...withoutUsage } = COMPLETION;
    const bad = { ...withoutUsage, choices: [{ ...COMPLETION.choices[0], finish_reason: 42 }] };
    up.script = (_q, _b, r) => void r.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(bad));
    await (await post('/v1/chat/completions', chatBody)).arrayBuffer();
    await (await post('/v1/chat/completions', chatBody)).arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const list = await (await fetch(proxy.url + '/__admin/drift')).json();
    const entries = list.data.filter((e: any) => e.operation === 'createChatCompletion');
    expect(entries.length).toBeGreaterThan(0);
    expect(entries[0].problem).toMatch(/finish_reason/);
    expect(entries[0].count).toBe(2);
    expect(log.lines.filter((l) => /^warn: drift:/.test(l) && /finish_reason/.test(l))).toHaveLength(1);
  });
});

describe('an override on a proxied stream', () => {
  test('the upstream streams; the override sees the folded answer (text and tool calls); the client gets the rewritten stream', async () => {
    const up = await loopback(async (_q, _b, r) => {
      r.writeHead(200, { 'content-type': 'text/event-stream' });
      r.write(sse({ ...chunk('one'), choices: [{ index: 0, delta: { role: 'assistant', content: 'one' }, finish_reason: null }] }));
      r.write(sse(chunk(' two')));
      r.write(sse({ ...chunk(''), choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_', arguments: '{"ci' } }] }, finish_reason: null }] }));
      r.write(sse({ ...chunk(''), choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'weather', arguments: 'ty":"Paris"}' } }] }, finish_reason: 'tool_calls' }] }));
      r.end('data: [DONE]\n\n');
    });
    const seen: unknown[] = [];
    const proxy = await startMock({
      proxy: up.url + '/v1',
      overrides: [
        defineOverride({
          operation: 'createChatCompletion',
          response: (ctx) => {
            seen.push(structuredClone(ctx.response.body));
            const body = ctx.response.body as any;
            return { body: { ...body, choices: [{ ...body.choices[0], message: { ...body.choices[0].message, content: body.choices[0].message.content.toUpperCase() } }] } };
          },
        }),
      ],
    });
    try {
      const stream = await sdk(proxy).chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      let text = '';
      const calls: Record<number, { name: string; args: string }> = {};
      for await (const part of stream) {
        const delta = part.choices[0]?.delta;
        text += delta?.content ?? '';
        for (const call of delta?.tool_calls ?? []) {
          const slot = (calls[call.index] ??= { name: '', args: '' });
          slot.name += call.function?.name ?? '';
          slot.args += call.function?.arguments ?? '';
        }
      }
      expect(text).toBe('ONE TWO');
      expect(calls[0]).toEqual({ name: 'get_weather', args: '{"city":"Paris"}' });
      expect(seen[0]).toMatchObject({ id: 'chatcmpl-up', object: 'chat.completion', choices: [{ message: { content: 'one two' }, finish_reason: 'tool_calls' }] });
      expect(JSON.parse(up.requests[0]!.body.toString()).stream).toBe(true);
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});

describe('upstream failures with fallback', () => {
  test('unreachable upstream, fallback error: 502 upstream_unreachable', async () => {
    const port = await closedPort();
    const proxy = await startMock({ proxy: { target: `http://127.0.0.1:${port}/v1` }, cors: false });
    try {
      const answer = await fetch(proxy.url + '/v1/models', { headers: { authorization: 'Bearer sk-x' } });
      expect(answer.status).toBe(502);
      expect((await answer.json()).error.code).toBe('upstream_unreachable');
    } finally {
      await proxy.close();
    }
  });

  test('unreachable upstream or a 5xx, fallback mock: the mock answers', async () => {
    const port = await closedPort();
    const proxy = await startMock({ proxy: { target: `http://127.0.0.1:${port}/v1`, fallback: 'mock' }, cors: false });
    const up = await loopback((_q, _b, r) => void r.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"overloaded","type":"server_error","param":null,"code":null}}'));
    const failing = await startMock({ proxy: { target: up.url + '/v1', fallback: 'mock' }, cors: false });
    try {
      const models = await sdk(proxy).models.list();
      expect(models.data.length).toBeGreaterThan(0);
      const completion = await sdk(failing).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      expect(completion.object).toBe('chat.completion');
      expect(up.requests).toHaveLength(1);
    } finally {
      await proxy.close();
      await failing.close();
      await up.close();
    }
  });
});

describe('record mode', () => {
  test('always goes upstream and overwrites what an earlier run recorded', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openai-mock-record-'));
    let content = 'first';
    const up = await loopback((_q, _b, r) => void r.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...COMPLETION, choices: [{ ...COMPLETION.choices[0], message: { ...COMPLETION.choices[0]!.message, content } }] })));
    const ask = async () => {
      const mock = await startMock({ proxy: up.url + '/v1', replay: { dir, mode: 'record' } });
      try {
        const answer = await sdk(mock).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
        return answer.choices[0]!.message.content;
      } finally {
        await mock.close();
      }
    };
    try {
      expect(await ask()).toBe('first');
      content = 'second';
      expect(await ask()).toBe('second');
      const files = fs.readdirSync(dir);
      expect(files).toHaveLength(1);
      expect(JSON.parse(fs.readFileSync(path.join(dir, files[0]!), 'utf8')).response.json.choices[0].message.content).toBe('second');
      expect(up.requests).toHaveLength(2);
    } finally {
      await up.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Who may open the Realtime socket, and what tests can do with it: the handshake refused in
 * OpenAI's words before any upgrade (no key, a wrong key in strict mode, a foreign Host or Origin,
 * a path with no socket), keys by header or by the browsers' subprotocol, an ephemeral key from
 * `POST /v1/realtime/client_secrets` opening the socket in strict mode, the journal's record of a
 * session, a session closed on purpose, a script that drops the connection, the simulated VAD.
 */
import WebSocket from 'ws';
import type { MockServer } from '../../src';
import { startMock } from '../helpers/server';
import { client, closed, pcmAudio, realtimeWebSocket, recorder, startTlsMock } from './support';

type Refusal = { status: number; body: any };

/** Opens a raw socket: the first server event, or the HTTP refusal. */
function dial(url: string, options: WebSocket.ClientOptions & { protocols?: string[] } = {}): Promise<{ ws: WebSocket; first: any; protocol: string } | Refusal> {
  const { protocols, ...rest } = options;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols ?? [], rest);
    ws.once('message', (data) => resolve({ ws, first: JSON.parse(String(data)), protocol: ws.protocol }));
    ws.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
    });
    ws.once('error', reject);
  });
}

const refused = (result: Awaited<ReturnType<typeof dial>>): Refusal => {
  if (!('status' in result)) throw new Error(`expected a refusal, got ${JSON.stringify(result.first).slice(0, 200)}`);
  return result;
};
const accepted = (result: Awaited<ReturnType<typeof dial>>) => {
  if ('status' in result) throw new Error(`expected an upgrade, got ${result.status} ${JSON.stringify(result.body)}`);
  return result;
};

describe('strict keys, plain ws://', () => {
  let mock: MockServer;
  let base: string;
  beforeAll(async () => {
    mock = await startMock({ apiKeys: ['sk-good'] });
    base = mock.url.replace(/^http/, 'ws');
  });
  afterAll(() => mock.close());

  test('no key, a wrong key: the API 401 before the upgrade', async () => {
    const none = refused(await dial(`${base}/v1/realtime?model=gpt-realtime`));
    expect(none.status).toBe(401);
    expect(none.body.error.message).toMatch(/You didn't provide an API key/);
    const wrong = refused(await dial(`${base}/v1/realtime?model=gpt-realtime`, { headers: { authorization: 'Bearer sk-wrong' } }));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_api_key');
  });

  test('the key by Bearer header or by the browsers\' subprotocol; the bare path too; `realtime` chosen as subprotocol', async () => {
    const byHeader = accepted(await dial(`${base}/v1/realtime?model=gpt-realtime-mini`, { headers: { authorization: 'Bearer sk-good' } }));
    expect(byHeader.first).toMatchObject({ type: 'session.created', session: { model: 'gpt-realtime-mini' } });
    byHeader.ws.close();
    const byProtocol = accepted(await dial(`${base}/realtime?model=gpt-realtime`, { protocols: ['realtime', 'openai-insecure-api-key.sk-good'] }));
    expect(byProtocol.first.type).toBe('session.created');
    expect(byProtocol.protocol).toBe('realtime');
    byProtocol.ws.close();
  });

  test('a foreign Host or Origin, a path with no socket: refused as HTTP requests are', async () => {
    const host = refused(await dial(`${base}/v1/realtime?model=m`, { headers: { authorization: 'Bearer sk-good', host: 'attacker.example.com' } }));
    expect(host).toMatchObject({ status: 403, body: { error: { code: 'invalid_host' } } });
    const origin = refused(await dial(`${base}/v1/realtime?model=m`, { headers: { authorization: 'Bearer sk-good' }, origin: 'https://evil.example.com' }));
    expect(origin).toMatchObject({ status: 403, body: { error: { code: 'cors_origin_not_allowed' } } });
    const path = refused(await dial(`${base}/v1/chat/completions`, { headers: { authorization: 'Bearer sk-good' } }));
    expect(path.status).toBe(404);
  });

  test('an Upgrade that is not a WebSocket (curl --http2 on http://) is answered as a plain request, twice on one connection', async () => {
    const http = await import('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const request = http.get(`${mock.url}/v1/models`, { agent, headers: { authorization: 'Bearer sk-good', connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAAQAoAAAAAIAAAAA' } }, (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
        });
        request.on('error', reject);
      });
    for (const answer of [await get(), await get()]) expect(answer).toMatchObject({ status: 200, body: { object: 'list' } });
    agent.destroy();
  });

  test('the journal keeps the session and its events; the model\'s question is journaled as createResponse', async () => {
    const { ws } = accepted(await dial(`${base}/v1/realtime?model=gpt-realtime`, { headers: { authorization: 'Bearer sk-good', 'x-mock-session': 'journal-test' } }));
    const done = new Promise<void>((resolve) => ws.on('message', (data) => JSON.parse(String(data)).type === 'response.done' && resolve()));
    ws.send(JSON.stringify({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'journal me' }] } }));
    ws.send(JSON.stringify({ type: 'response.create', response: { output_modalities: ['audio'] } }));
    await done;
    ws.close();
    await new Promise((resolve) => ws.once('close', resolve));
    const session = mock.session('journal-test').journal;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const socket = session.requests().find((e) => e.path === '/v1/realtime')!;
    expect(socket.response.status).toBe(101);
    expect(socket.operation).toBeNull();
    const kinds = socket.response.events!.map((e) => `${e.event}:${(e.data as any).type ?? ''}`);
    expect(kinds.slice(0, 3)).toEqual(['server:session.created', 'server:conversation.created', 'client:conversation.item.create']);
    expect(kinds).toContain('server:response.done');
    expect(kinds[kinds.length - 1]).toBe('closed:');
    const audio = socket.response.events!.find((e) => (e.data as any).type === 'response.output_audio.delta')!;
    expect((audio.data as any).delta).toMatch(/bytes of base64 audio/);
    const asked = session.requests({ operation: 'createResponse' })[0]!;
    expect((asked.body as any).input).toEqual([{ type: 'message', role: 'user', content: 'journal me' }]);
    expect(asked.path).toBe('/v1/responses');
  });

  test('POST /__admin/realtime/close closes a session on purpose with the code asked; a script\'s close() cuts the socket', async () => {
    const { ws } = accepted(await dial(`${base}/v1/realtime?model=gpt-realtime`, { headers: { authorization: 'Bearer sk-good', 'x-mock-session': 'closing' } }));
    const listed = await (await fetch(`${mock.url}/__admin/realtime/sessions`)).json();
    expect(listed.data.some((s: any) => s.session === 'closing')).toBe(true);
    const gone = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const answer = await fetch(`${mock.url}/__admin/realtime/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session: 'closing', code: 4000, reason: 'test reconnects' }) });
    expect(await answer.json()).toEqual({ closed: 1 });
    expect(await gone).toBe(4000);

    mock.on('createResponse').close();
    const second = accepted(await dial(`${base}/v1/realtime?model=gpt-realtime`, { headers: { authorization: 'Bearer sk-good' } }));
    const cut = new Promise<number>((resolve) => second.ws.once('close', (code) => resolve(code)));
    second.ws.send(JSON.stringify({ type: 'response.create' }));
    expect(await cut).toBe(1006);
    mock.resetScripts();
  });

  test('server VAD: speech_started and speech_stopped from the audio\'s energy, the commit, its transcription, then the response', async () => {
    mock.on('createTranscription').reply({ text: 'What is the weather like?' });
    const { ws } = accepted(await dial(`${base}/v1/realtime?model=gpt-realtime`, { headers: { authorization: 'Bearer sk-good' } }));
    const events: any[] = [];
    const done = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        const event = JSON.parse(String(data));
        events.push(event);
        if (event.type === 'response.done') resolve();
      }),
    );
    ws.send(JSON.stringify({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], audio: { input: { transcription: { model: 'gpt-4o-transcribe' }, turn_detection: { type: 'server_vad', silence_duration_ms: 200 } } } } }));
    // 200 ms of silence, 600 ms of speech, 400 ms of silence, in 100 ms appends.
    const audio = Buffer.concat([pcmAudio(200, false), pcmAudio(600, true), pcmAudio(400, false)]);
    for (let at = 0; at < audio.length; at += 4800) ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: audio.subarray(at, at + 4800).toString('base64') }));
    await done;
    const types = events.map((e) => e.type);
    const at = (type: string) => types.indexOf(type);
    expect(at('input_audio_buffer.speech_started')).toBeGreaterThan(-1);
    expect(at('input_audio_buffer.speech_stopped')).toBeGreaterThan(at('input_audio_buffer.speech_started'));
    expect(at('input_audio_buffer.committed')).toBeGreaterThan(at('input_audio_buffer.speech_stopped'));
    expect(at('conversation.item.input_audio_transcription.completed')).toBeGreaterThan(at('input_audio_buffer.committed'));
    expect(at('response.created')).toBeGreaterThan(at('input_audio_buffer.committed'));
    const started = events[at('input_audio_buffer.speech_started')];
    const stopped = events[at('input_audio_buffer.speech_stopped')];
    // Speech began at 200 ms (less the 300 ms of prefix padding) and ended at 800 ms.
    expect(started.audio_start_ms).toBe(0);
    expect(stopped.audio_end_ms).toBe(800);
    expect(events[at('input_audio_buffer.committed')].item_id).toBe(started.item_id);
    expect(events[at('conversation.item.input_audio_transcription.completed')].transcript).toBe('What is the weather like?');
    // The silence after the turn is in the buffer until cleared; an empty buffer cannot be committed.
    const cleared = new Promise<any>((resolve) => ws.on('message', (data) => JSON.parse(String(data)).type === 'input_audio_buffer.cleared' && resolve(true)));
    const error = new Promise<any>((resolve) => ws.on('message', (data) => JSON.parse(String(data)).type === 'error' && resolve(JSON.parse(String(data)))));
    ws.send(JSON.stringify({ type: 'input_audio_buffer.clear' }));
    ws.send(JSON.stringify({ type: 'input_audio_buffer.commit', event_id: 'evt_commit' }));
    await cleared;
    expect((await error).error).toMatchObject({ code: 'input_audio_buffer_commit_empty', event_id: 'evt_commit' });
    ws.close();
    mock.resetScripts();
  });
});

test('an ephemeral key from POST /v1/realtime/client_secrets opens the socket where only configured keys may (wss://, browser-style client)', async () => {
  const { mock, cleanup } = await startTlsMock({ apiKeys: ['sk-good'] });
  try {
    const secret = await client(mock, 'sk-good').realtime.clientSecrets.create({ session: { type: 'realtime', model: 'gpt-realtime' } });
    expect(secret.value).toMatch(/^ek_/);
    expect(secret.expires_at).toBeGreaterThan(Date.now() / 1000);
    const rt = realtimeWebSocket(mock, secret.value);
    const log = recorder(rt);
    expect((await log.next('session.created')).session.type).toBe('realtime');
    rt.close();
    await closed(rt);
    const base = mock.url.replace(/^https/, 'wss');
    const forged = refused(await dial(`${base}/v1/realtime?model=gpt-realtime`, { ca: mock.ca, protocols: ['realtime', 'openai-insecure-api-key.ek_forged'] }));
    expect(forged.status).toBe(401);
  } finally {
    await cleanup();
  }
});

/**
 * The Realtime API through the official SDK's two clients, over TLS (the SDK dials `wss://`):
 * text and audio responses whose content one `createResponse` override rewrites, a function call
 * round trip, a bad event answered by an `error` event on a socket that stays open, cancel.
 */
import { defineOverride, responses, type MockServer } from '../../src';
import { closed, opened, pcm, realtimeWebSocket, realtimeWS, recorder, startTlsMock } from './support';

const OVERRIDDEN = 'Hello from the override, spoken in seven words.';
const TOOLS = [{ type: 'function' as const, name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];

let mock: MockServer;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ mock, cleanup } = await startTlsMock({
    overrides: [
      // One override of createResponse: it rewrites the text of Responses and Realtime alike; the
      // turns with tools are left to the mock (a function call, then text once the output is back).
      defineOverride({
        operation: 'createResponse',
        match: (request) => !request.body.tools,
        response: (ctx) => responses.reply(ctx, OVERRIDDEN),
      }),
    ],
  }));
});
afterAll(() => cleanup());

const userText = (text: string) => ({ type: 'conversation.item.create' as const, item: { type: 'message' as const, role: 'user' as const, content: [{ type: 'input_text' as const, text }] } });

describe.each([
  ['OpenAIRealtimeWS', realtimeWS],
  ['OpenAIRealtimeWebSocket', realtimeWebSocket],
] as const)('%s', (_name, connect) => {
  test('session.created at once, session.update, a user item, response.create: the text deltas make the overridden text', async () => {
    const rt = connect(mock);
    const log = recorder(rt);
    const created = await log.next('session.created');
    expect(created.session).toMatchObject({ type: 'realtime', model: 'gpt-realtime' });
    rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], instructions: 'Be brief.' } });
    const updated = await log.next('session.updated');
    expect(updated.session).toMatchObject({ output_modalities: ['text'], instructions: 'Be brief.' });
    rt.send(userText('Say hello.'));
    const added = await log.next('conversation.item.added');
    expect(added.item).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say hello.' }] });
    rt.send({ type: 'response.create' });
    const done = await log.next('response.done');
    const deltas = log.events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(OVERRIDDEN);
    expect(done.response).toMatchObject({ status: 'completed', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: OVERRIDDEN }] }] });
    expect(done.response.usage.output_tokens).toBeGreaterThan(0);
    const order = log.events.map((e) => e.type).filter((t) => t.startsWith('response.') && !t.endsWith('.delta'));
    expect(order).toEqual([
      'response.created',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.done',
    ]);
    expect(log.errors).toEqual([]);
    rt.close();
    await closed(rt);
  });

  test('audio output: transcript deltas make the overridden text, audio deltas decode as PCM16 of its length', async () => {
    const rt = connect(mock);
    const log = recorder(rt);
    await log.next('session.created');
    rt.send(userText('Talk to me.'));
    rt.send({ type: 'response.create', response: { output_modalities: ['audio'] } });
    const done = await log.next('response.done');
    const transcript = log.events.filter((e) => e.type === 'response.output_audio_transcript.delta').map((e) => e.delta).join('');
    expect(transcript).toBe(OVERRIDDEN);
    const audio = pcm(log.events.filter((e) => e.type === 'response.output_audio.delta').map((e) => e.delta));
    // 60 ms of 24 kHz mono 16-bit audio per word of the transcript.
    const words = OVERRIDDEN.split(/\s+/).length;
    expect(audio.length).toBe(words * 0.06 * 24000 * 2);
    const samples = Array.from({ length: audio.length / 2 }, (_, i) => audio.readInt16LE(i * 2));
    expect(Math.max(...samples)).toBeGreaterThan(1000);
    expect(log.since(0, 'response.output_audio_transcript.done')[0]!.transcript).toBe(OVERRIDDEN);
    expect(done.response.output[0].content[0]).toEqual({ type: 'output_audio', transcript: OVERRIDDEN });
    expect(done.response.usage.output_token_details.audio_tokens).toBeGreaterThan(0);
    rt.close();
    await closed(rt);
  });
});

test('a function call round trip: the call, its output sent back, then the answer', async () => {
  const rt = realtimeWS(mock);
  const log = recorder(rt);
  await log.next('session.created');
  rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], tools: TOOLS } });
  await log.next('session.updated');
  rt.send(userText('Weather in Paris?'));
  rt.send({ type: 'response.create' });
  const first = await log.next('response.done');
  const call = log.events.find((e) => e.type === 'response.function_call_arguments.done')!;
  expect(call.name).toBe('get_weather');
  const args = log.events.filter((e) => e.type === 'response.function_call_arguments.delta').map((e) => e.delta).join('');
  expect(args).toBe(call.arguments);
  expect(JSON.parse(call.arguments)).toEqual({ city: expect.any(String) });
  expect(first.response.output[0]).toMatchObject({ type: 'function_call', name: 'get_weather', call_id: call.call_id, arguments: call.arguments });

  const mark = log.events.length;
  rt.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: JSON.stringify({ temperature: 21 }) } });
  rt.send({ type: 'response.create' });
  const second = await log.next('response.done', mark);
  expect(second.response.output[0]).toMatchObject({ type: 'message', role: 'assistant' });
  expect(log.since(mark, 'response.output_text.delta').map((e) => e.delta).join('')).toBe(second.response.output[0].content[0].text);
  // What the model was asked the second time: the conversation, the call and its output included.
  const asked = mock.journal.requests({ operation: 'createResponse' }).pop()!;
  expect((asked.body as any).input.map((i: any) => i.type)).toEqual(['message', 'function_call', 'function_call_output']);
  rt.close();
  await closed(rt);
});

test('a bad event gets the API error event, naming the culprit; the socket stays open', async () => {
  const rt = realtimeWS(mock);
  const log = recorder(rt);
  await log.next('session.created');
  rt.send({ type: 'conversation.item.create', event_id: 'evt_bad', item: { type: 'message', role: 'user' } } as never);
  const error = await log.next('error');
  expect(error.error).toMatchObject({ type: 'invalid_request_error', code: 'missing_required_parameter', param: 'item.content', event_id: 'evt_bad' });
  const mark = log.events.length;
  rt.send({ type: 'no.such.event', event_id: 'evt_unknown' } as never);
  const unknown = await log.next('error', mark);
  expect(unknown.error).toMatchObject({ code: 'invalid_value', param: 'type', event_id: 'evt_unknown' });
  (rt.socket as any).send('{not json');
  const garbled = await log.next('error', mark + 1);
  expect(garbled.error.code).toBe('invalid_json');
  expect(log.errors.length).toBe(3);
  // Still open and answering.
  rt.send({ type: 'session.update', session: { type: 'realtime', instructions: 'Still here.' } });
  expect((await log.next('session.updated')).session.instructions).toBe('Still here.');
  rt.close();
  await closed(rt);
});

test('response.cancel stops a paced response mid-way: response.done cancelled', async () => {
  mock.on('createResponse').stream({ intervalMs: 30 }).replyOnce('one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen');
  const rt = realtimeWebSocket(mock);
  await opened(rt);
  const log = recorder(rt);
  await log.next('session.created');
  rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
  rt.send(userText('Count.'));
  rt.send({ type: 'response.create' });
  const firstDelta = await log.next('response.output_text.delta');
  rt.send({ type: 'response.cancel' });
  const done = await log.next('response.done');
  expect(done.response.status).toBe('cancelled');
  expect(done.response.status_details).toEqual({ type: 'cancelled', reason: 'client_cancelled' });
  expect(done.response.output[0].status).toBe('incomplete');
  const deltas = log.events.filter((e) => e.type === 'response.output_text.delta');
  expect(deltas.length).toBeLessThan(15);
  expect(firstDelta.response_id).toBe(done.response.id);
  // Nothing left to cancel.
  const mark = log.events.length;
  rt.send({ type: 'response.cancel', event_id: 'evt_late' });
  expect((await log.next('error', mark)).error).toMatchObject({ code: 'response_cancel_not_active', event_id: 'evt_late' });
  rt.close();
  await closed(rt);
});

test('Azure OpenAI: OpenAIRealtimeWS.azure dials /openai/v1/realtime with the api-key header and the deployment as model', async () => {
  const { AzureOpenAI } = await import('openai');
  const { OpenAIRealtimeWS } = await import('openai/realtime/ws');
  const azure = new AzureOpenAI({ apiKey: 'azure-key', endpoint: mock.url, apiVersion: '2025-04-01-preview', deployment: 'my-realtime' });
  const rt = await OpenAIRealtimeWS.azure(azure, { options: { ca: mock.ca } });
  expect(rt.url.pathname).toBe('/openai/v1/realtime');
  const log = recorder(rt);
  expect((await log.next('session.created')).session.model).toBe('my-realtime');
  rt.close();
  await closed(rt);
});

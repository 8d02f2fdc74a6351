/**
 * The conversation's items (order, retrieve, delete, truncate, an out-of-band response), and
 * Realtime responses that go wrong on purpose, as streams do (a failed answer, an error after N
 * events, a cut socket), speech that interrupts a response, an abrupt close from the admin API,
 * and an override that tells a Realtime question from an HTTP one by its `x-mock-realtime` header.
 */
import WebSocket from 'ws';
import { defineOverride, responses, type MockServer } from '../../src';
import { sdk, startMock } from '../helpers/server';
import { pcmAudio } from './support';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock({
    overrides: [
      defineOverride({
        operation: 'createResponse',
        match: (request) => request.headers['x-mock-realtime'] !== undefined && JSON.stringify(request.body.input).includes('realtime only'),
        response: (ctx) => responses.reply(ctx, 'Only on the socket.'),
      }),
    ],
  });
});
afterAll(() => mock.close());
afterEach(() => mock.resetScripts());

/** A socket in text mode, its events, and a wait for one of a type after a mark. */
async function open() {
  const ws = new WebSocket(`${mock.url.replace(/^http/, 'ws')}/v1/realtime?model=gpt-realtime`, { headers: { authorization: 'Bearer sk-test' } });
  const events: any[] = [];
  const waiters: { type: string; from: number; resolve(e: any): void }[] = [];
  ws.on('message', (data) => {
    const event = JSON.parse(String(data));
    events.push(event);
    for (const w of [...waiters]) if (w.type === event.type && events.length - 1 >= w.from) waiters.splice(waiters.indexOf(w), 1), w.resolve(event);
  });
  const next = (type: string, from = 0): Promise<any> => {
    const found = events.slice(from).find((e) => e.type === type);
    return found ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ type, from, resolve }));
  };
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await next('session.created');
  const send = (event: unknown) => ws.send(JSON.stringify(event));
  send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
  await next('session.updated');
  return { ws, events, next, send, closed };
}

const ask = (text: string) => ({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });

test('a failed answer (a scripted 429) ends the response with response.done failed, the API error in it', async () => {
  mock.on('createResponse').replyOnce({ status: 429, body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded', param: null } } });
  const s = await open();
  s.send(ask('hi'));
  s.send({ type: 'response.create' });
  const done = await s.next('response.done');
  expect(done.response.status).toBe('failed');
  expect(done.response.status_details.error).toMatchObject({ code: 'rate_limit_exceeded', message: 'Rate limit reached' });
  s.ws.close();
});

test('errorAfter: an error event after that many events, then a failed response.done; cutAfter: the socket is cut', async () => {
  mock.on('createResponse').stream({ errorAfter: 3, error: { message: 'The model is overloaded', code: 'overloaded' } }).replyOnce('one two three four five six');
  const s = await open();
  s.send(ask('hi'));
  const mark = s.events.length;
  s.send({ type: 'response.create' });
  const error = await s.next('error', mark);
  expect(error.error).toMatchObject({ message: 'The model is overloaded', code: 'overloaded' });
  const done = await s.next('response.done', mark);
  expect(done.response.status).toBe('failed');
  // Three events of the response, then the open item closed as incomplete, the error, the failed end.
  const sent = s.events.slice(mark, s.events.indexOf(error)).filter((e) => 'response_id' in e);
  expect(sent.map((e) => e.type)).toEqual(['response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.output_item.done']);
  expect(sent[3].item.status).toBe('incomplete');

  mock.on('createResponse').stream({ cutAfter: 2 }).replyOnce('one two three four five six');
  s.send({ type: 'response.create' });
  expect(await s.closed).toBe(1006);
});

test('speech in the input audio interrupts a response in progress (turn_detected)', async () => {
  mock.on('createResponse').stream({ intervalMs: 40 }).replyOnce('one two three four five six seven eight nine ten eleven twelve');
  const s = await open();
  s.send(ask('count'));
  s.send({ type: 'response.create' });
  await s.next('response.output_text.delta');
  s.send({ type: 'input_audio_buffer.append', audio: pcmAudio(100, true).toString('base64') });
  const done = await s.next('response.done');
  expect(done.response.status_details).toEqual({ type: 'cancelled', reason: 'turn_detected' });
  expect(s.events.some((e) => e.type === 'input_audio_buffer.speech_started')).toBe(true);
  s.ws.close();
});

test('an override matching x-mock-realtime answers the socket, not POST /v1/responses', async () => {
  const s = await open();
  s.send(ask('realtime only'));
  s.send({ type: 'response.create' });
  const done = await s.next('response.done');
  expect(done.response.output[0].content[0].text).toBe('Only on the socket.');
  const http = await sdk(mock).responses.create({ model: 'gpt-4o', input: 'realtime only' });
  expect(http.output_text).not.toBe('Only on the socket.');
  s.ws.close();
});

test('POST /__admin/realtime/close with abrupt: the connection is lost without a close frame', async () => {
  const s = await open();
  const answer = await fetch(`${mock.url}/__admin/realtime/close`, { method: 'POST', body: JSON.stringify({ abrupt: true }) });
  expect((await answer.json()).closed).toBeGreaterThanOrEqual(1);
  expect(await s.closed).toBe(1006);
  const bad = await fetch(`${mock.url}/__admin/realtime/close`, { method: 'POST', body: JSON.stringify({ code: 1005 }) });
  expect(bad.status).toBe(400);
  expect((await bad.json()).error.param).toBe('code');
});

test('items in order (previous_item_id, root), retrieve, delete; an out-of-band response leaves the conversation alone', async () => {
  const s = await open();
  const item = (id: string, text: string) => ({ id, type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
  s.send({ type: 'conversation.item.create', item: item('item_b', 'second') });
  s.send({ type: 'conversation.item.create', item: item('item_a', 'first'), previous_item_id: 'root' });
  s.send({ type: 'conversation.item.create', item: item('item_c', 'third'), previous_item_id: 'item_b' });
  s.send({ type: 'conversation.item.create', item: item('item_x', 'lost'), previous_item_id: 'item_nope', event_id: 'evt_prev' });
  const error = await s.next('error');
  expect(error.error).toMatchObject({ code: 'item_not_found', param: 'previous_item_id', event_id: 'evt_prev' });
  const added = s.events.filter((e) => e.type === 'conversation.item.added');
  expect(added.map((e) => [e.item.id, e.previous_item_id])).toEqual([['item_b', null], ['item_a', null], ['item_c', 'item_b']]);

  s.send({ type: 'conversation.item.retrieve', item_id: 'item_c' });
  expect((await s.next('conversation.item.retrieved')).item.content[0].text).toBe('third');
  s.send({ type: 'conversation.item.delete', item_id: 'item_b' });
  expect((await s.next('conversation.item.deleted')).item_id).toBe('item_b');

  let mark = s.events.length;
  s.send({ type: 'response.create', response: { conversation: 'none', metadata: { topic: 'side' } } });
  const side = await s.next('response.done', mark);
  expect(side.response).toMatchObject({ conversation_id: null, metadata: { topic: 'side' }, status: 'completed' });
  expect(s.events.slice(mark).some((e) => e.type === 'conversation.item.added')).toBe(false);
  // The model was asked the conversation as it stands: first, third.
  const asked = mock.journal.requests({ operation: 'createResponse' }).pop()!;
  expect((asked.body as any).input.map((i: any) => i.content)).toEqual(['first', 'third']);

  mark = s.events.length;
  s.send({ type: 'response.create' });
  const done = await s.next('response.done', mark);
  s.send({ type: 'conversation.item.retrieve', item_id: done.response.output[0].id });
  expect((await s.next('conversation.item.retrieved', mark)).item.role).toBe('assistant');
  s.ws.close();
});

test('conversation.item.truncate: an assistant audio item keeps the words whose audio was played', async () => {
  mock.on('createResponse').replyOnce('one two three four five');
  const s = await open();
  s.send(ask('count'));
  s.send({ type: 'response.create', response: { output_modalities: ['audio'] } });
  const done = await s.next('response.done');
  const id = done.response.output[0].id;
  // 60 ms of audio per word: 130 ms played is two words.
  s.send({ type: 'conversation.item.truncate', item_id: id, content_index: 0, audio_end_ms: 130 });
  expect(await s.next('conversation.item.truncated')).toMatchObject({ item_id: id, content_index: 0, audio_end_ms: 130 });
  s.send({ type: 'conversation.item.retrieve', item_id: id });
  expect((await s.next('conversation.item.retrieved')).item.content[0].transcript).toBe('one two');
  s.ws.close();
});

/**
 * Stateful Responses and conversations through the real server and the official SDK:
 * `previous_response_id` carries the earlier turn into what overrides see, stored responses are
 * what the client received, input items, delete then 404, background and cancel, conversations
 * and their items.
 */
import type OpenAI from 'openai';
import { defineOverride, responses, type MockServer } from '../../src';
import { sdk, startMock } from '../helpers/server';

jest.setTimeout(60_000);

let mock: MockServer;
let client: OpenAI;

/** Texts of an input list as the model sees it: `role: text`. */
function transcript(input: unknown): string[] {
  if (typeof input === 'string') return [`user: ${input}`];
  return (input as any[]).map((item) => {
    const content = typeof item.content === 'string' ? item.content : (item.content ?? []).map((part: any) => part.text ?? '').join('');
    return `${item.role ?? item.type}: ${content}`;
  });
}

// The reply tells how many turns the model was given and the last one: proves that earlier turns
// reach overrides, and that what is stored is the overridden answer.
const counting = defineOverride({
  operation: 'createResponse',
  match: (request) => !request.body.tools,
  response: (ctx) => {
    if (ctx.response.status !== 200) return undefined;
    const turns = transcript(ctx.request.body.input);
    return responses.reply(ctx, `turn ${turns.length}: ${turns[turns.length - 1]}`);
  },
});

beforeAll(async () => {
  mock = await startMock({ state: true, overrides: [counting] });
  client = sdk(mock);
});

afterAll(async () => {
  await mock?.close();
});

test('previous_response_id: the second call sees the first turn; retrieve and input_items answer from the store', async () => {
  const first = await client.responses.create({ model: 'gpt-4o', input: 'My name is Ada.' });
  expect(first.output_text).toBe('turn 1: user: My name is Ada.');
  const kept = await client.responses.retrieve(first.id);
  expect(kept.output_text).toBe(first.output_text);
  expect(kept.output[0]!.id).toBe(first.output[0]!.id);

  const second = await client.responses.create({ model: 'gpt-4o', input: 'What is my name?', previous_response_id: first.id });
  // Three turns: the first input, the first (overridden) reply, the new input.
  expect(second.output_text).toBe('turn 3: user: What is my name?');
  expect(second.previous_response_id).toBe(first.id);
  // The journal keeps the request as the client sent it.
  expect(mock.journal.last('createResponse')?.body).toMatchObject({ input: 'What is my name?', previous_response_id: first.id });

  const items = await client.responses.inputItems.list(second.id, { order: 'asc' });
  expect(transcript(items.data)).toEqual(['user: My name is Ada.', 'assistant: turn 1: user: My name is Ada.', 'user: What is my name?']);
  expect(items.data.every((item) => typeof item.id === 'string')).toBe(true);
  const page = await client.responses.inputItems.list(second.id, { limit: 1 });
  expect(page.data).toHaveLength(1);
  expect(transcript(page.data)).toEqual(['user: What is my name?']);
  expect(page.has_more).toBe(true);

  const third = await client.responses.create({ model: 'gpt-4o', input: [{ role: 'user', content: 'Again?' }], previous_response_id: second.id });
  expect(third.output_text).toBe('turn 5: user: Again?');
});

test('an unknown previous_response_id is the API 400; delete then retrieve is the API 404', async () => {
  await expect(client.responses.create({ model: 'gpt-4o', input: 'x', previous_response_id: 'resp_abc' })).rejects.toMatchObject({
    status: 400,
    error: { message: "Previous response with id 'resp_abc' not found.", param: 'previous_response_id', code: 'previous_response_not_found' },
  });
  const response = await client.responses.create({ model: 'gpt-4o', input: 'Hello' });
  await client.responses.delete(response.id);
  await expect(client.responses.retrieve(response.id)).rejects.toMatchObject({
    status: 404,
    error: { message: `Response with id '${response.id}' not found.`, type: 'invalid_request_error' },
  });
  await expect(client.responses.inputItems.list(response.id)).rejects.toMatchObject({ status: 404 });
});

test('store: false keeps nothing', async () => {
  const response = await client.responses.create({ model: 'gpt-4o', input: 'Hello', store: false });
  await expect(client.responses.retrieve(response.id)).rejects.toMatchObject({ status: 404 });
});

test('a function call answered with previous_response_id and function_call_output', async () => {
  const tools: OpenAI.Responses.Tool[] = [
    { type: 'function', name: 'get_weather', strict: true, parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } },
  ];
  const call = await client.responses.create({ model: 'gpt-4o', input: 'Weather in Paris?', tools });
  const fc = call.output.find((item) => item.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
  expect(typeof JSON.parse(fc.arguments).city).toBe('string');
  const answer = await client.responses.create({
    model: 'gpt-4o',
    tools,
    previous_response_id: call.id,
    input: [{ type: 'function_call_output', call_id: fc.call_id, output: '22C' }],
  });
  expect(answer.output.some((item) => item.type === 'message')).toBe(true);
  const items = await client.responses.inputItems.list(answer.id, { order: 'asc' });
  expect(items.data.map((item) => item.type)).toEqual(['message', 'function_call', 'function_call_output']);
});

test('background: queued, then completed on the clock; cancel while queued', async () => {
  const slow = await startMock({ state: { durations: { 'response.queued': 60_000 } } });
  try {
    const api = sdk(slow);
    const response = await api.responses.create({ model: 'gpt-4o', input: 'Later', background: true });
    expect(response.status).toBe('queued');
    expect(response.output).toEqual([]);
    expect((await api.responses.retrieve(response.id)).status).toBe('queued');
    slow.state!.advance(60_000);
    const done = await api.responses.retrieve(response.id);
    expect(done.status).toBe('completed');
    expect(done.output_text.length).toBeGreaterThan(0);
    await expect(api.responses.cancel(response.id)).rejects.toMatchObject({ status: 400 });

    const other = await api.responses.create({ model: 'gpt-4o', input: 'Never', background: true });
    expect((await api.responses.cancel(other.id)).status).toBe('cancelled');
    expect((await api.responses.retrieve(other.id)).status).toBe('cancelled');
    const foreground = await api.responses.create({ model: 'gpt-4o', input: 'Now' });
    await expect(api.responses.cancel(foreground.id)).rejects.toMatchObject({ status: 400 });
  } finally {
    await slow.close();
  }
});

test('conversations: items made, listed, read and deleted; a response in a conversation sees and extends it', async () => {
  const conversation = await client.conversations.create({ metadata: { topic: 'demo' }, items: [{ type: 'message', role: 'user', content: 'I like tea.' }] });
  expect(conversation).toMatchObject({ object: 'conversation', metadata: { topic: 'demo' } });
  expect((await client.conversations.retrieve(conversation.id)).id).toBe(conversation.id);
  expect((await client.conversations.update(conversation.id, { metadata: { topic: 'changed' } })).metadata).toEqual({ topic: 'changed' });

  const response = await client.responses.create({ model: 'gpt-4o', input: 'What do I like?', conversation: conversation.id });
  expect(response.output_text).toBe('turn 2: user: What do I like?');
  expect(response.conversation).toEqual({ id: conversation.id });

  const items = await client.conversations.items.list(conversation.id, { order: 'asc' });
  expect(transcript(items.data)).toEqual(['user: I like tea.', 'user: What do I like?', 'assistant: turn 2: user: What do I like?']);
  const added = await client.conversations.items.create(conversation.id, { items: [{ type: 'message', role: 'user', content: 'And coffee.' }] });
  expect(added.data).toHaveLength(1);
  const item = await client.conversations.items.retrieve(added.data[0]!.id!, { conversation_id: conversation.id });
  expect(transcript([item])).toEqual(['user: And coffee.']);
  expect((await client.conversations.items.list(conversation.id)).data[0]!.id).toBe(item.id);

  const next = await client.responses.create({ model: 'gpt-4o', input: 'Anything else?', conversation: { id: conversation.id } });
  expect(next.output_text).toBe('turn 5: user: Anything else?');

  const after = await client.conversations.items.delete(item.id!, { conversation_id: conversation.id });
  expect(after.id).toBe(conversation.id);
  await expect(client.conversations.items.retrieve(item.id!, { conversation_id: conversation.id })).rejects.toMatchObject({ status: 404 });

  expect(await client.conversations.delete(conversation.id)).toMatchObject({ id: conversation.id, deleted: true });
  await expect(client.conversations.retrieve(conversation.id)).rejects.toMatchObject({
    status: 404,
    error: { message: `Conversation with id '${conversation.id}' not found.` },
  });
  await expect(client.responses.create({ model: 'gpt-4o', input: 'x', conversation: conversation.id })).rejects.toMatchObject({ status: 404 });
});

test('a streamed response is stored as the stream ended', async () => {
  const stream = await client.responses.create({ model: 'gpt-4o', input: 'Stream me', stream: true });
  let id = '';
  let text = '';
  for await (const event of stream) {
    if (event.type === 'response.completed') id = event.response.id;
    if (event.type === 'response.output_text.delta') text += event.delta;
  }
  expect(text).toBe('turn 1: user: Stream me');
  expect((await client.responses.retrieve(id)).output_text).toBe(text);
});

/**
 * Stateful Assistants through the real server and the official SDK: assistant -> thread ->
 * `runs.createAndPoll` -> messages, a function tool answered with `submitToolOutputsAndPoll`,
 * `runs.stream`, `createAndRunPoll`, run steps, the API's 404s and refusals.
 */
import type OpenAI from 'openai';
import { chat, defineOverride, type MockServer } from '../../src';
import { sdk, startMock } from '../helpers/server';

jest.setTimeout(60_000);

let mock: MockServer;
let client: OpenAI;

// The assistant's reply is the pipeline's createChatCompletion: an override that names the
// thread's last user message proves both that overrides apply and what the model was sent.
const echo = defineOverride({
  operation: 'createChatCompletion',
  // With tools, only once a tool has answered (before that, the realistic answer calls the tool).
  match: (request) => !request.body.tools || request.body.messages[request.body.messages.length - 1]?.role === 'tool',
  response: (ctx) => {
    const messages = ctx.request.body.messages;
    const system = messages.find((m) => m.role === 'system');
    const last = [...messages].reverse().find((m) => m.role === 'user' || m.role === 'tool');
    return chat.reply(ctx, `[${typeof system?.content === 'string' ? system.content : ''}] you said: ${String(last?.content)}`);
  },
});

beforeAll(async () => {
  mock = await startMock({ state: true, overrides: [echo] });
  client = sdk(mock);
});

afterAll(async () => {
  await mock?.close();
});

const textOf = (message: OpenAI.Beta.Threads.Message) =>
  message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('');

test('assistant -> thread -> runs.createAndPoll -> the assistant message is the pipeline reply', async () => {
  const assistant = await client.beta.assistants.create({ model: 'gpt-4o', name: 'Helper', instructions: 'Be brief.' });
  expect(await client.beta.assistants.retrieve(assistant.id)).toMatchObject({ id: assistant.id, name: 'Helper', instructions: 'Be brief.' });

  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'What is 2+2?' }] });
  const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, { pollIntervalMs: 10 });
  expect(run.status).toBe('completed');
  expect(run.usage?.total_tokens).toBeGreaterThan(0);
  expect(run.completed_at).not.toBeNull();

  const messages = await client.beta.threads.messages.list(thread.id);
  expect(messages.data.map((m) => m.role)).toEqual(['assistant', 'user']);
  const reply = messages.data[0]!;
  expect(textOf(reply)).toBe('[Be brief.] you said: What is 2+2?');
  expect(reply).toMatchObject({ run_id: run.id, assistant_id: assistant.id, thread_id: thread.id });

  const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
  expect(steps.data).toHaveLength(1);
  expect(steps.data[0]).toMatchObject({ type: 'message_creation', status: 'completed', step_details: { message_creation: { message_id: reply.id } } });
  const step = await client.beta.threads.runs.steps.retrieve(steps.data[0]!.id, { thread_id: thread.id, run_id: run.id });
  expect(step.id).toBe(steps.data[0]!.id);

  // A second turn sees the whole thread: the earlier reply and the new message.
  await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'And 3+3?' });
  const second = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id, instructions: 'Be precise.' }, { pollIntervalMs: 10 });
  expect(second.status).toBe('completed');
  const after = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
  expect(after.data.map(textOf)).toEqual(['What is 2+2?', '[Be brief.] you said: What is 2+2?', 'And 3+3?', '[Be precise.] you said: And 3+3?']);
  const onlySecond = await client.beta.threads.messages.list(thread.id, { run_id: second.id });
  expect(onlySecond.data.map(textOf)).toEqual(['[Be precise.] you said: And 3+3?']);

  const runs = await client.beta.threads.runs.list(thread.id);
  expect(runs.data.map((r) => r.id)).toEqual([second.id, run.id]);
});

test('a function tool: requires_action with arguments for its schema, then submitToolOutputsAndPoll completes', async () => {
  const assistant = await client.beta.assistants.create({
    model: 'gpt-4o',
    tools: [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } }, required: ['city', 'unit'] },
        },
      },
    ],
  });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Weather in Paris?' }] });
  const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, { pollIntervalMs: 10 });
  expect(run.status).toBe('requires_action');
  const calls = run.required_action!.submit_tool_outputs.tool_calls;
  expect(calls).toHaveLength(1);
  expect(calls[0]!.function.name).toBe('get_weather');
  const args = JSON.parse(calls[0]!.function.arguments);
  expect(typeof args.city).toBe('string');
  expect(['c', 'f']).toContain(args.unit);

  // A missing output is refused as the API does.
  await expect(client.beta.threads.runs.submitToolOutputs(run.id, { thread_id: thread.id, tool_outputs: [] })).rejects.toMatchObject({ status: 400 });

  const done = await client.beta.threads.runs.submitToolOutputsAndPoll(
    run.id,
    { thread_id: thread.id, tool_outputs: [{ tool_call_id: calls[0]!.id, output: '22C and sunny' }] },
    { pollIntervalMs: 10 },
  );
  expect(done.status).toBe('completed');
  expect(done.required_action).toBeNull();

  const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc' });
  expect(steps.data.map((s) => s.type)).toEqual(['tool_calls', 'message_creation']);
  const toolStep = steps.data[0]!.step_details as OpenAI.Beta.Threads.Runs.ToolCallsStepDetails;
  expect(toolStep.tool_calls[0]).toMatchObject({ id: calls[0]!.id, type: 'function', function: { name: 'get_weather', output: '22C and sunny' } });

  const messages = await client.beta.threads.messages.list(thread.id);
  expect(messages.data[0]!.role).toBe('assistant');
  // The model's second turn saw the call and its output.
  expect(textOf(messages.data[0]!)).toBe('[] you said: 22C and sunny');
});

test('runs.stream: the deltas add up to the stored message, and the run ends completed', async () => {
  const assistant = await client.beta.assistants.create({ model: 'gpt-4o', instructions: 'Stream it.' });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me a story' }] });
  const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  let text = '';
  stream.on('textDelta', (delta) => (text += delta.value ?? ''));
  const final = await stream.finalRun();
  expect(final.status).toBe('completed');
  expect(text).toBe('[Stream it.] you said: Tell me a story');
  const [message] = await stream.finalMessages();
  const stored = await client.beta.threads.messages.retrieve(message!.id, { thread_id: thread.id });
  expect(textOf(stored)).toBe(text);
  expect((await client.beta.threads.runs.retrieve(final.id, { thread_id: thread.id })).status).toBe('completed');
});

test('a streamed run that calls a tool: requires_action in the stream, then submitToolOutputsStream completes it', async () => {
  const assistant = await client.beta.assistants.create({
    model: 'gpt-4o',
    tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } }],
  });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Look it up' }] });
  const first = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  const waiting = await first.finalRun();
  expect(waiting.status).toBe('requires_action');
  const call = waiting.required_action!.submit_tool_outputs.tool_calls[0]!;
  expect(JSON.parse(call.function.arguments)).toEqual({ q: expect.any(String) });
  expect((await client.beta.threads.runs.retrieve(waiting.id, { thread_id: thread.id })).status).toBe('requires_action');

  const second = client.beta.threads.runs.submitToolOutputsStream(waiting.id, { thread_id: thread.id, tool_outputs: [{ tool_call_id: call.id, output: 'found' }] });
  let text = '';
  second.on('textDelta', (delta) => (text += delta.value ?? ''));
  const done = await second.finalRun();
  expect(done.status).toBe('completed');
  expect(text).toBe('[] you said: found');
  const messages = await client.beta.threads.messages.list(thread.id);
  expect(textOf(messages.data[0]!)).toBe(text);
});

test('threads.createAndRunPoll makes the thread and runs it', async () => {
  const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
  const run = await client.beta.threads.createAndRunPoll(
    { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hi there' }] } },
    { pollIntervalMs: 10 },
  );
  expect(run.status).toBe('completed');
  const messages = await client.beta.threads.messages.list(run.thread_id);
  expect(messages.data.map(textOf)).toEqual(['[] you said: Hi there', 'Hi there']);
});

test('updates and deletes change what later reads answer; unknown ids are the API 404s', async () => {
  const assistant = await client.beta.assistants.create({ model: 'gpt-4o', name: 'Before' });
  expect((await client.beta.assistants.update(assistant.id, { name: 'After' })).name).toBe('After');
  expect((await client.beta.assistants.retrieve(assistant.id)).name).toBe('After');
  expect((await client.beta.assistants.list({ limit: 100 })).data.map((a) => a.id)).toContain(assistant.id);
  expect(await client.beta.assistants.delete(assistant.id)).toEqual({ id: assistant.id, object: 'assistant.deleted', deleted: true });
  await expect(client.beta.assistants.retrieve(assistant.id)).rejects.toMatchObject({
    status: 404,
    error: { message: `No assistant found with id '${assistant.id}'.`, type: 'invalid_request_error' },
  });

  const thread = await client.beta.threads.create({ metadata: { a: '1' } });
  expect((await client.beta.threads.update(thread.id, { metadata: { a: '2' } })).metadata).toEqual({ a: '2' });
  const message = await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'x' });
  expect(await client.beta.threads.messages.delete(message.id, { thread_id: thread.id })).toMatchObject({ deleted: true });
  expect(await client.beta.threads.delete(thread.id)).toEqual({ id: thread.id, object: 'thread.deleted', deleted: true });
  await expect(client.beta.threads.retrieve(thread.id)).rejects.toMatchObject({ status: 404, error: { message: `No thread found with id '${thread.id}'.` } });
  await expect(client.beta.threads.runs.create('thread_abc', { assistant_id: 'asst_abc' })).rejects.toMatchObject({
    status: 404,
    error: { message: "No thread found with id 'thread_abc'." },
  });
});

test('a run on a clock with durations: queued, then in_progress, then completed as the admin clock advances; cancel', async () => {
  const slow = await startMock({ state: { durations: { 'thread.run.queued': 60_000, 'thread.run.in_progress': 60_000 } } });
  try {
    const api = sdk(slow);
    const assistant = await api.beta.assistants.create({ model: 'gpt-4o' });
    const thread = await api.beta.threads.create({ messages: [{ role: 'user', content: 'Hi' }] });
    const run = await api.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
    expect(run.status).toBe('queued');
    // A second run while one is active is refused, as the API does.
    await expect(api.beta.threads.runs.create(thread.id, { assistant_id: assistant.id })).rejects.toMatchObject({ status: 400 });
    const read = () => api.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
    expect((await read()).status).toBe('queued');
    slow.state!.advance(60_000);
    expect((await read()).status).toBe('in_progress');
    expect((await api.beta.threads.messages.list(thread.id)).data).toHaveLength(1);
    slow.state!.advance(60_000);
    expect((await read()).status).toBe('completed');
    expect((await api.beta.threads.messages.list(thread.id)).data).toHaveLength(2);

    const other = await api.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
    expect((await api.beta.threads.runs.cancel(other.id, { thread_id: thread.id })).status).toBe('cancelling');
    expect((await api.beta.threads.runs.retrieve(other.id, { thread_id: thread.id })).status).toBe('cancelled');
    await expect(api.beta.threads.runs.cancel(other.id, { thread_id: thread.id })).rejects.toMatchObject({ status: 400 });
  } finally {
    await slow.close();
  }
});

test('sessions do not see each other\'s assistants and threads', async () => {
  const as = (session: string) => sdk(mock).withOptions({ defaultHeaders: { 'x-mock-session': session } });
  const a = as('assist-a');
  const b = as('assist-b');
  const assistant = await a.beta.assistants.create({ model: 'gpt-4o' });
  const thread = await a.beta.threads.create();
  await expect(b.beta.assistants.retrieve(assistant.id)).rejects.toMatchObject({ status: 404 });
  await expect(b.beta.threads.retrieve(thread.id)).rejects.toMatchObject({ status: 404 });
  expect((await b.beta.assistants.list()).data).toEqual([]);
  expect((await a.beta.assistants.retrieve(assistant.id)).id).toBe(assistant.id);
});

test('under --seed the same flow gives the same ids and text', async () => {
  const flow = async () => {
    const seeded = await startMock({ state: true, seed: 'assist' });
    try {
      const api = sdk(seeded);
      const assistant = await api.beta.assistants.create({ model: 'gpt-4o' });
      const run = await api.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hi' }] } }, { pollIntervalMs: 10 });
      const messages = await api.beta.threads.messages.list(run.thread_id);
      return { assistant: assistant.id, run: run.id, thread: run.thread_id, messages: messages.data.map((m) => [m.id, textOf(m), m.created_at]) };
    } finally {
      await seeded.close();
    }
  };
  expect(await flow()).toEqual(await flow());
});

test('a run with a json_schema response_format replies with JSON for the schema; truncation keeps the last messages', async () => {
  const plain = await startMock({ state: true });
  try {
    const api = sdk(plain);
    const assistant = await api.beta.assistants.create({ model: 'gpt-4o' });
    const thread = await api.beta.threads.create({ messages: [{ role: 'user', content: 'Give me a city' }] });
    const run = await api.beta.threads.runs.createAndPoll(
      thread.id,
      {
        assistant_id: assistant.id,
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'city', schema: { type: 'object', properties: { name: { type: 'string' }, population: { type: 'integer' } }, required: ['name', 'population'] } },
        },
      },
      { pollIntervalMs: 10 },
    );
    expect(run.status).toBe('completed');
    const [reply] = (await api.beta.threads.messages.list(thread.id)).data;
    const parsed = JSON.parse(textOf(reply!));
    expect(typeof parsed.name).toBe('string');
    expect(Number.isInteger(parsed.population)).toBe(true);

    // What the model was sent, seen by an override that changes nothing.
    const seen: string[][] = [];
    plain.setOverrides([
      defineOverride({ operation: 'createChatCompletion', response: (ctx) => void seen.push(ctx.request.body.messages.map((m) => String(m.content))) }),
    ]);
    await api.beta.threads.messages.create(thread.id, { role: 'user', content: 'Another' });
    await api.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id, truncation_strategy: { type: 'last_messages', last_messages: 1 } }, { pollIntervalMs: 10 });
    await api.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, { pollIntervalMs: 10 });
    expect(seen[0]).toEqual(['Another']);
    expect(seen[1]).toHaveLength(4);
  } finally {
    await plain.close();
  }
});

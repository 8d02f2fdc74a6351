/**
 * Agent loops scripted in a few lines and asserted through the journal: the official SDK's
 * `runTools`, the Responses API's function calling, and the Vercel AI SDK's `generateText` with
 * tools over several steps, all against the real server.
 */
import OpenAI from 'openai';
import { generateText, stepCountIs, tool } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { z } from 'zod';
import { text, toolCall, type MockServer } from '../../src';
import { startMock, sdk } from '../helpers/server';

let mock: MockServer;
let client: OpenAI;
beforeAll(async () => {
  mock = await startMock();
  client = sdk(mock);
});
afterAll(() => mock.close());
afterEach(() => {
  mock.resetScripts();
  mock.journal.clear();
});

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

test('runTools: a tool call, the tool result sent back, the final text', async () => {
  const called: unknown[] = [];
  // The script: three lines.
  mock.on('createChatCompletion').replyOnce(toolCall('get_weather', { city: 'Paris' }));
  mock.on('createChatCompletion').replyOnce(text('It is 21°C and sunny in Paris.'));

  const runner = client.chat.completions.runTools({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    tools: [{ ...weatherTool, function: { ...weatherTool.function, parse: JSON.parse, function: (args: { city: string }) => (called.push(args), { city: args.city, temperature: 21 }) } }],
  });
  expect(await runner.finalContent()).toBe('It is 21°C and sunny in Paris.');
  expect(called).toEqual([{ city: 'Paris' }]);

  const [first, second] = mock.journal.requests({ operation: 'createChatCompletion' });
  expect(mock.journal.requests()).toHaveLength(2);
  expect(first!.body).toMatchObject({ model: 'gpt-4o', tools: [{ function: { name: 'get_weather' } }] });
  expect(first!.response.body).toMatchObject({ choices: [{ finish_reason: 'tool_calls', message: { tool_calls: [{ function: { name: 'get_weather' } }] } }] });
  const callId = (first!.response.body as any).choices[0].message.tool_calls[0].id;
  // What the SDK sent back: the assistant's call and the tool's answer, tied by the call's id.
  expect((second!.body as any).messages.slice(1)).toEqual([
    expect.objectContaining({ role: 'assistant', tool_calls: [expect.objectContaining({ id: callId })] }),
    { role: 'tool', tool_call_id: callId, content: JSON.stringify({ city: 'Paris', temperature: 21 }) },
  ]);
  expect(second!.script).toMatch(/#\d+$/);
  mock.assertAllUsed();
});

test('runTools streamed: the same script serves the streamed form', async () => {
  mock.on('createChatCompletion').replyOnce(toolCall('get_weather', { city: 'Oslo' })).replyOnce(text('Cold in Oslo.'));
  const runner = client.chat.completions.runTools({
    model: 'gpt-4o',
    stream: true,
    messages: [{ role: 'user', content: 'Weather in Oslo?' }],
    tools: [{ ...weatherTool, function: { ...weatherTool.function, parse: JSON.parse, function: () => ({ temperature: -3 }) } }],
  });
  expect(await runner.finalContent()).toBe('Cold in Oslo.');
  const entries = mock.journal.requests({ operation: 'POST /chat/completions' });
  expect(entries.map((e) => e.response.streamed)).toEqual([true, true]);
  const deltas = entries[1]!.response.events!.map((e) => (e.data as any)?.choices?.[0]?.delta?.content ?? '').join('');
  expect(deltas).toBe('Cold in Oslo.');
  mock.assertAllUsed();
});

test('Responses API function calling: function_call, function_call_output sent back, final text', async () => {
  mock.on('createResponse').replyOnce(toolCall('get_weather', { city: 'Lima' })).replyOnce(text('Lima: 19°C, cloudy.'));

  const tools = [{ type: 'function' as const, name: 'get_weather', parameters: weatherTool.function.parameters, strict: false }];
  const first = await client.responses.create({ model: 'gpt-4o', input: 'Weather in Lima?', tools });
  const call = first.output.find((item) => item.type === 'function_call')!;
  expect(call).toMatchObject({ type: 'function_call', name: 'get_weather' });
  expect(JSON.parse((call as any).arguments)).toEqual({ city: 'Lima' });
  const final = await client.responses.create({
    model: 'gpt-4o',
    tools,
    input: [{ role: 'user', content: 'Weather in Lima?' }, call as any, { type: 'function_call_output', call_id: (call as any).call_id, output: '{"temperature":19}' }],
  });
  expect(final.output_text).toBe('Lima: 19°C, cloudy.');

  const sent = mock.journal.last('createResponse')!;
  expect((sent.body as any).input[2]).toEqual({ type: 'function_call_output', call_id: (call as any).call_id, output: '{"temperature":19}' });
  mock.assertAllUsed();
});

describe('Vercel AI SDK generateText with tools, several steps', () => {
  const weather = tool({
    description: 'The weather in a city',
    // The mock checks requests against the spec, which requires `strict` on Responses API tools.
    strict: true,
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => ({ city, temperature: 24 }),
  });

  test.each([
    ['chat completions', 'createChatCompletion', (p: ReturnType<typeof createOpenAI>) => p.chat('gpt-4o')],
    ['the Responses API', 'createResponse', (p: ReturnType<typeof createOpenAI>) => p.responses('gpt-4o')],
  ] as const)('through %s', async (_name, operation, model) => {
    const provider = createOpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'sk-test-key' });
    mock.on(operation).replyOnce(toolCall('weather', { city: 'Rome' })).replyOnce(toolCall('weather', { city: 'Nice' })).replyOnce(text('Rome 24°C, Nice 24°C.'));

    const result = await generateText({
      model: model(provider),
      tools: { weather },
      stopWhen: stepCountIs(5),
      prompt: 'Compare the weather in Rome and Nice.',
    });
    expect(result.text).toBe('Rome 24°C, Nice 24°C.');
    expect(result.steps).toHaveLength(3);
    expect(result.steps.flatMap((s) => s.toolResults.map((r) => r.output))).toEqual([{ city: 'Rome', temperature: 24 }, { city: 'Nice', temperature: 24 }]);

    const bodies = mock.journal.requests({ operation }).map((e) => JSON.stringify(e.body));
    expect(bodies).toHaveLength(3);
    // Each step sent the tool results of the steps before it.
    expect(bodies[1]).toContain('Rome');
    expect(bodies[2]).toContain('Nice');
    mock.assertAllUsed();
  });
});

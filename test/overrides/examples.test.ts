/**
 * The example config (config/mock.config.ts) and override modules (overrides/) as a user runs
 * them: the command with `--config`, and the official SDK.
 */
import path from 'node:path';
import OpenAI from 'openai';
import { ROOT, startCli, ask, type Cli } from './support';

let cli: Cli;

beforeAll(async () => {
  cli = await startCli(['--config', path.join(ROOT, 'config', 'mock.config.ts')]);
});

afterAll(() => cli?.stop());

test('the config is found and its overrides folder loaded, in order', () => {
  expect(cli.log()).toMatch(/config .*config\/mock\.config\.ts: 8 overrides/);
});

test('fixed content: every chat completion says "Hello World!!", with the model asked for', async () => {
  const completion = await cli.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
  expect(completion.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'Hello World!!' });
  expect(completion.choices[0]!.finish_reason).toBe('stop');
  expect(completion.model).toBe('gpt-4o-mini');
  expect(completion.object).toBe('chat.completion');
});

test('the same content streamed, when the SDK asks for a stream', async () => {
  const stream = await cli.client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text).toBe('Hello World!!');
});

test('content from the request, for the model picked by `match`', async () => {
  expect(await ask(cli.client, 'echo', 'What time is it?')).toBe('You said: What time is it?');
  expect(await ask(cli.client, 'gpt-4o', 'What time is it?')).toBe('Hello World!!');
});

test('a tool call that the SDK parses, then an answer from the tool result', async () => {
  const tools: OpenAI.ChatCompletionFunctionTool[] = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        strict: true,
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
      },
    },
  ];
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
  const first = await cli.client.chat.completions.parse({ model: 'gpt-4o', messages, tools });
  const call = first.choices[0]!.message.tool_calls[0]!;
  expect(first.choices[0]!.finish_reason).toBe('tool_calls');
  expect(call.type).toBe('function');
  if (call.type !== 'function') throw new Error('not a function call');
  expect(call.function.name).toBe('get_weather');
  expect(call.function.parsed_arguments).toEqual({ city: 'Paris' });

  const second = await cli.client.chat.completions.create({
    model: 'gpt-4o',
    tools,
    messages: [...messages, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '21°C, sunny' }],
  });
  expect(second.choices[0]!.message.content).toBe('The weather: 21°C, sunny');
});

test('a 429 that the SDK raises as RateLimitError, with the body\'s message and retry-after', async () => {
  const error = await cli.client.chat.completions.create({ model: 'rate-limited', messages: [{ role: 'user', content: 'Hi' }] }).catch((e) => e);
  expect(error).toBeInstanceOf(OpenAI.RateLimitError);
  expect(error.status).toBe(429);
  expect(error.message).toBe('429 Rate limit reached for rate-limited. Please try again in 2s.');
  expect(error.code).toBe('rate_limit_exceeded');
  expect(error.headers.get('retry-after')).toBe('2');
});

test('a 500 in OpenAI\'s shape, raised as InternalServerError', async () => {
  const error = await cli.client.chat.completions.create({ model: 'server-error', messages: [{ role: 'user', content: 'Hi' }] }).catch((e) => e);
  expect(error).toBeInstanceOf(OpenAI.InternalServerError);
  expect(error.error).toEqual({ message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null });
});

test('a delay, then the response the earlier overrides made', async () => {
  const started = performance.now();
  expect(await ask(cli.client, 'slow')).toBe('Hello World!!');
  // A lower bound only: the override waits 300 ms before answering.
  expect(performance.now() - started).toBeGreaterThanOrEqual(250);
});

test('the Responses API, typed by its own override', async () => {
  const response = await cli.client.responses.create({ model: 'gpt-4o', input: 'Anyone there?' });
  expect(response.output_text).toBe('Hello World!! You said: Anyone there?');
  expect(response.status).toBe('completed');
});

test('the overridden bodies fit the spec: no drift warnings in the log', async () => {
  // Bodies are checked once the server is idle (within 50 to 100 ms of the last request here).
  await ask(cli.client);
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(cli.log()).not.toMatch(/does not match the spec's response schema/);
});

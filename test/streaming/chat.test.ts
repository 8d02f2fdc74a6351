/**
 * Chat completions and legacy completions streamed to the official SDK: the pieces reassemble to
 * the plain answer, the SDK's stream helper rebuilds the same completion, usage comes when asked.
 */
import { CHAT_TEXT, chatBody, rewritingMock, TOOL_CALLS, withBody } from './support';

const env = rewritingMock();
const { rewrites } = env;

const ask = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Hi' }] };

/** What the SDK's final completion and the plain one share (the SDK adds `parsed` fields of its own). */
function comparable(completion: any) {
  return JSON.parse(
    JSON.stringify(completion, (key, value) => (key === 'parsed' || key === 'parsed_arguments' ? undefined : value)),
  );
}

describe('chat.completions with stream: true', () => {
  test('the content deltas reassemble exactly to the plain answer', async () => {
    rewrites.createChatCompletion = withBody(chatBody({ content: CHAT_TEXT }));
    const plain = await env.client.chat.completions.create(ask);

    const stream = await env.client.chat.completions.create({ ...ask, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(plain.choices[0]!.message.content);
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(5);
    expect(new Set(chunks.map((c) => c.id))).toEqual(new Set([plain.id]));
    expect(new Set(chunks.map((c) => c.created))).toEqual(new Set([plain.created]));
    for (const chunk of chunks) expect(chunk.object).toBe('chat.completion.chunk');
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks.slice(1).some((c) => c.choices[0]?.delta.role)).toBe(false);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.slice(0, -1).every((c) => c.choices[0]!.finish_reason === null)).toBe(true);
    expect(chunks.some((c) => 'usage' in c)).toBe(false);
  });

  test('stream(...).finalChatCompletion() equals the plain completion', async () => {
    rewrites.createChatCompletion = withBody(chatBody({ content: CHAT_TEXT }));
    const plain = await env.client.chat.completions.create(ask);
    const final = await env.client.chat.completions.stream({ ...ask, stream_options: { include_usage: true } }).finalChatCompletion();
    expect(comparable(final)).toEqual(comparable(plain));
  });

  test('tool calls stream as indexed deltas and the final completion has them whole', async () => {
    rewrites.createChatCompletion = withBody({
      ...chatBody({ content: null, tool_calls: TOOL_CALLS }),
      choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: null, tool_calls: TOOL_CALLS }, logprobs: null, finish_reason: 'tool_calls' }],
    });
    const plain = await env.client.chat.completions.create(ask);

    const chunks = [];
    for await (const chunk of await env.client.chat.completions.create({ ...ask, stream: true })) chunks.push(chunk);
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    // Each call opens with its id and name and empty arguments; fragments follow under its index.
    const heads = deltas.filter((d) => d.id);
    expect(heads.map((d) => [d.index, d.id, d.function?.name, d.function?.arguments])).toEqual([
      [0, 'call_weather', 'get_weather', ''],
      [1, 'call_time', 'get_time', ''],
    ]);
    for (const [index, call] of TOOL_CALLS.entries()) {
      const fragments = deltas.filter((d) => d.index === index && !d.id).map((d) => d.function?.arguments);
      expect(fragments.length).toBeGreaterThan(1);
      expect(fragments.join('')).toBe(call.function.arguments);
    }
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');

    const final = await env.client.chat.completions.stream({ ...ask, stream_options: { include_usage: true } }).finalChatCompletion();
    expect(comparable(final)).toEqual(comparable(plain));
    expect(final.choices[0]!.message.tool_calls).toEqual(TOOL_CALLS);
  });

  test('include_usage: usage: null on every chunk, then a chunk with no choices and the usage', async () => {
    rewrites.createChatCompletion = withBody(chatBody({ content: CHAT_TEXT }));
    const chunks = [];
    for await (const chunk of await env.client.chat.completions.create({ ...ask, stream: true, stream_options: { include_usage: true } })) {
      chunks.push(chunk);
    }
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 12, completion_tokens: 21, total_tokens: 33 });
    for (const chunk of chunks.slice(0, -1)) expect(chunk.usage).toBeNull();
  });

  test('n > 1: each choice streams under its own index and reassembles to its own text', async () => {
    const texts = ['First answer, short.', 'Second answer is a little longer than the first one.'];
    rewrites.createChatCompletion = withBody({
      ...chatBody({}),
      choices: texts.map((content, index) => ({ index, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: index ? 'length' : 'stop' })),
    });
    const chunks = [];
    for await (const chunk of await env.client.chat.completions.create({ ...ask, n: 2, stream: true })) chunks.push(chunk);
    for (const [index, text] of texts.entries()) {
      const mine = chunks.flatMap((c) => c.choices).filter((c) => c.index === index);
      expect(mine.map((c) => c.delta.content ?? '').join('')).toBe(text);
      expect(mine[0]!.delta.role).toBe('assistant');
      expect(mine.at(-1)!.finish_reason).toBe(index ? 'length' : 'stop');
    }
    // Interleaved, as the API sends parallel choices.
    const order = chunks.map((c) => c.choices[0]!.index);
    expect(order.slice(0, 4)).toEqual([0, 1, 0, 1]);

    const final = await env.client.chat.completions.stream({ ...ask, n: 2 }).finalChatCompletion();
    expect(final.choices.map((c) => c.message.content)).toEqual(texts);
  });

  test('refusals stream as refusal deltas', async () => {
    const refusal = "I'm sorry, I cannot help with that request.";
    rewrites.createChatCompletion = withBody(chatBody({ content: null, refusal }));
    const final = await env.client.chat.completions.stream(ask).finalChatCompletion();
    expect(final.choices[0]!.message.refusal).toBe(refusal);
    expect(final.choices[0]!.message.content).toBeNull();
  });

  test("the default answer (engine and realism) streams too, and the helper rebuilds it from the chunks", async () => {
    // Each request may get fresh ids and text: the chunks are compared with their own stream's result.
    const stream = env.client.chat.completions.stream(ask);
    const chunks: any[] = [];
    stream.on('chunk', (chunk) => chunks.push(chunk));
    const final = await stream.finalChatCompletion();
    expect(chunks.length).toBeGreaterThan(2);
    expect(new Set(chunks.map((c) => c.id))).toEqual(new Set([final.id]));
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(final.choices[0]!.message.content ?? '').toBe(content);
    expect(final.choices[0]!.finish_reason).toBe(chunks.at(-1).choices[0].finish_reason);
  });
});

describe('completions (legacy) with stream: true', () => {
  const body = {
    id: 'cmpl-stream-test',
    object: 'text_completion',
    created: 1_760_000_000,
    model: 'gpt-3.5-turbo-instruct',
    choices: [{ index: 0, text: ' a quick brown fox jumps over the lazy dog.', logprobs: null, finish_reason: 'length' }],
    usage: { prompt_tokens: 5, completion_tokens: 10, total_tokens: 15 },
  };

  test('text_completion chunks reassemble to the text, then the stream ends', async () => {
    rewrites.createCompletion = withBody(body);
    const plain = await env.client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say' });
    const chunks = [];
    for await (const chunk of await env.client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say', stream: true })) {
      chunks.push(chunk);
    }
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((c) => c.choices[0]!.text).join('')).toBe(plain.choices[0]!.text);
    for (const chunk of chunks) {
      expect(chunk.object).toBe('text_completion');
      expect(chunk.id).toBe(plain.id);
    }
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('length');
  });

  test('include_usage adds the usage chunk', async () => {
    rewrites.createCompletion = withBody(body);
    const chunks = [];
    const stream = await env.client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say', stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toEqual(body.usage);
  });
});

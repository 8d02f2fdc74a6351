/**
 * Realistic, coherent answers as the official SDK sees them: OpenAI's id prefixes, reflected
 * request fields and path ids, timestamps of now, usage that adds up and grows with the input,
 * embeddings of the right count and size (base64 decoded by the SDK, or floats), `n` choices,
 * uploads reflected, one kind of assistant output at a time. Bodies are also checked against the
 * spec's response schemas.
 */
import OpenAI, { toFile } from 'openai';
import type { MockServer } from '../../src';
import type { PreparedSpec } from '../../src/openapi/prepare';
import type { ResponseSchemas } from '../../src/openapi/default-bodies';
import { sdk, startMock } from '../helpers/server';
import { preparedSpec, responseSchemas, successChecker } from './support';

let mock: MockServer;
let client: OpenAI;
let spec: PreparedSpec;
let schemas: ResponseSchemas;

beforeAll(async () => {
  mock = await startMock();
  client = sdk(mock);
  spec = await preparedSpec();
  schemas = responseSchemas(spec);
});

afterAll(async () => {
  schemas?.dispose();
  await mock?.close();
});

function expectValid(operationId: string, body: unknown): void {
  const operation = spec.operations.find((o) => o.iid === operationId)!;
  expect(successChecker(schemas, operation)!.validate(JSON.parse(JSON.stringify(body)))).toBeUndefined();
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const expectRecent = (seconds: number) => expect(Math.abs(seconds - nowSeconds())).toBeLessThanOrEqual(5);

describe('chat completions', () => {
  test('a fresh chatcmpl- id, now, the model asked for, text content and usage that adds up', async () => {
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });
    const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });
    expect(first.id).toMatch(/^chatcmpl-[A-Za-z0-9]{20,}$/);
    expect(second.id).not.toBe(first.id);
    expect(first.object).toBe('chat.completion');
    expectRecent(first.created);
    expect(first.model).toBe('gpt-4o-mini');
    expect(first.choices).toHaveLength(1);
    const message = first.choices[0]!.message;
    expect(typeof message.content).toBe('string');
    expect(message.content!.length).toBeGreaterThan(0);
    expect(message.tool_calls).toBeUndefined();
    expect(message.function_call).toBeUndefined();
    expect(message.audio).toBeUndefined();
    expect(first.choices[0]!.finish_reason).toBe('stop');
    const usage = first.usage!;
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expectValid('createChatCompletion', first);
  });

  test('usage grows with the input', async () => {
    const short = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    const long = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You are a helpful assistant that answers in detail.' },
        { role: 'user', content: 'Hi. '.repeat(200) },
      ],
    });
    expect(long.usage!.prompt_tokens).toBeGreaterThan(short.usage!.prompt_tokens);
    expect(long.usage!.total_tokens).toBe(long.usage!.prompt_tokens + long.usage!.completion_tokens);
  });

  test('n: 3 gives 3 choices, indexed, and completion tokens for all of them', async () => {
    const one = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    const three = await client.chat.completions.create({ model: 'gpt-4o', n: 3, messages: [{ role: 'user', content: 'Hi' }] });
    expect(three.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    for (const choice of three.choices) expect(typeof choice.message.content).toBe('string');
    expect(three.usage!.completion_tokens).toBe(3 * one.usage!.completion_tokens);
    expectValid('createChatCompletion', three);
  });

  test('offered tools get one tool call (arguments valid for the parameters); after the tool answers, text', async () => {
    const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } }, required: ['city', 'unit'] },
        },
      },
    ];
    const call = await client.chat.completions.create({ model: 'gpt-4o', tools, messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    const message = call.choices[0]!.message;
    expect(call.choices[0]!.finish_reason).toBe('tool_calls');
    expect(message.content).toBeNull();
    expect(message.function_call).toBeUndefined();
    expect(message.audio).toBeUndefined();
    expect(message.tool_calls).toHaveLength(1);
    const toolCall = message.tool_calls![0]!;
    expect(toolCall.id).toMatch(/^call_/);
    if (toolCall.type !== 'function') throw new Error('expected a function call');
    expect(toolCall.function.name).toBe('get_weather');
    const args = JSON.parse(toolCall.function.arguments);
    expect(typeof args.city).toBe('string');
    expect(['c', 'f']).toContain(args.unit);
    expectValid('createChatCompletion', call);

    const answer = await client.chat.completions.create({
      model: 'gpt-4o',
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [toolCall] },
        { role: 'tool', tool_call_id: toolCall.id, content: '18 C' },
      ],
    });
    expect(answer.choices[0]!.finish_reason).toBe('stop');
    expect(typeof answer.choices[0]!.message.content).toBe('string');
    expect(answer.choices[0]!.message.tool_calls).toBeUndefined();

    const none = await client.chat.completions.create({ model: 'gpt-4o', tools, tool_choice: 'none', messages: [{ role: 'user', content: 'Hi' }] });
    expect(none.choices[0]!.message.tool_calls).toBeUndefined();
  });

  test('audio output when asked for: audio with its transcript, no text content', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-audio-preview',
      modalities: ['text', 'audio'],
      audio: { voice: 'alloy', format: 'wav' },
      messages: [{ role: 'user', content: 'Say hi' }],
    });
    const message = completion.choices[0]!.message;
    expect(message.content).toBeNull();
    expect(message.tool_calls).toBeUndefined();
    expect(message.audio!.id).toMatch(/^audio_/);
    expect(message.audio!.transcript.length).toBeGreaterThan(0);
    expect(Buffer.from(message.audio!.data, 'base64').subarray(0, 4).toString('latin1')).toBe('RIFF');
    expectValid('createChatCompletion', completion);
  });

  test('a structured output answers JSON valid for the schema asked for', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'A person' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'person', strict: true, schema: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name', 'age'] } },
      },
    });
    const parsed = JSON.parse(completion.choices[0]!.message.content!);
    expect(typeof parsed.name).toBe('string');
    expect(Number.isInteger(parsed.age)).toBe(true);
  });
});

describe('request variants stay valid against the response schema', () => {
  const weather = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
  const chatVariants: [string, Record<string, unknown>][] = [
    ['logprobs with top_logprobs', { logprobs: true, top_logprobs: 2 }],
    ['max_tokens: 3 cuts the text', { max_tokens: 3 }],
    ['json_object', { response_format: { type: 'json_object' } }],
    ['legacy functions', { functions: [{ name: 'get_weather', parameters: weather }] }],
    ['a required named tool with n: 2', { n: 2, tools: [{ type: 'function', function: { name: 'a', parameters: weather } }, { type: 'function', function: { name: 'b' } }], tool_choice: { type: 'function', function: { name: 'b' } } }],
    ['a custom tool', { tools: [{ type: 'custom', custom: { name: 'sql' } }], tool_choice: 'required' }],
    ['metadata and store', { store: true, metadata: { run: '1' } }],
  ];
  test.each(chatVariants)('chat: %s', async (_name, extra) => {
    const response = await fetch(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'What is the weather like in Paris today?' }], ...extra }),
    });
    const body = await response.json();
    expect(response.status).toBe(200);
    expectValid('createChatCompletion', body);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
    for (const choice of body.choices) {
      const kinds = ['tool_calls', 'function_call', 'audio'].filter((k) => choice.message[k] !== undefined);
      expect(kinds.length + (choice.message.content === null ? 0 : 1)).toBe(1);
    }
  });

  test('chat: the variants answer what they ask for', async () => {
    const ask = (extra: Record<string, unknown>) =>
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'What is the weather like in Paris today?' }], ...extra } as never);
    const cut = await ask({ max_tokens: 3 });
    expect(cut.choices[0]!.finish_reason).toBe('length');
    const logprobs = await ask({ logprobs: true, top_logprobs: 2 });
    const tokens = logprobs.choices[0]!.logprobs!.content!;
    expect(tokens.map((t) => t.token).join('')).toBe(logprobs.choices[0]!.message.content);
    expect(tokens[0]!.top_logprobs).toHaveLength(2);
    const legacy = await ask({ functions: [{ name: 'get_weather', parameters: weather }] });
    expect(legacy.choices[0]!.message.function_call!.name).toBe('get_weather');
    expect(legacy.choices[0]!.finish_reason).toBe('function_call');
    const named = await ask({ n: 2, tools: [{ type: 'function', function: { name: 'a' } }, { type: 'function', function: { name: 'b' } }], tool_choice: { type: 'function', function: { name: 'b' } } });
    expect(named.choices.map((c) => (c.message.tool_calls![0] as { function: { name: string } }).function.name)).toEqual(['b', 'b']);
    expect(new Set(named.choices.map((c) => c.message.tool_calls![0]!.id)).size).toBe(2);
    const json = await ask({ response_format: { type: 'json_object' } });
    expect(typeof JSON.parse(json.choices[0]!.message.content!)).toBe('object');
  });

  const responseVariants: [string, Record<string, unknown>][] = [
    ['message items as input', { input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }] }],
    ['back from a function call', {
      input: [
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '18 C' },
      ],
      tools: [{ type: 'function', name: 'get_weather', strict: true, parameters: weather }],
    }],
    ['max_output_tokens: 16', { max_output_tokens: 16 }],
    ['a json_schema text format', { text: { format: { type: 'json_schema', name: 'w', schema: weather, strict: true } } }],
    ['logprobs included', { include: ['message.output_text.logprobs'], top_logprobs: 1 }],
    ['reasoning and truncation', { reasoning: { effort: 'low' }, truncation: 'auto', parallel_tool_calls: false, store: false }],
  ];
  test.each(responseVariants)('responses: %s', async (_name, extra) => {
    const response = await fetch(`${mock.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1', input: 'What is the weather like in Paris today?', ...extra }),
    });
    const body = await response.json();
    expect(response.status).toBe(200);
    expectValid('createResponse', body);
    expect(body.usage.total_tokens).toBe(body.usage.input_tokens + body.usage.output_tokens);
    expect(body.output).toHaveLength(1);
  });

  test('responses: back from a function call answers text; a json_schema format answers JSON for it', async () => {
    const back = await client.responses.create({
      model: 'gpt-4.1',
      input: [
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '18 C' },
      ],
      tools: [{ type: 'function', name: 'get_weather', strict: true, parameters: weather }],
    });
    expect(back.output[0]!.type).toBe('message');
    const structured = await client.responses.create({
      model: 'gpt-4.1',
      input: 'Weather?',
      text: { format: { type: 'json_schema', name: 'w', schema: weather, strict: true } },
    });
    expect(typeof JSON.parse(structured.output_text).city).toBe('string');
  });
});

describe('reflection', () => {
  test('path ids: GET /models/gpt-4o answers id "gpt-4o"; GET /files/file-abc answers id "file-abc"', async () => {
    const model = await client.models.retrieve('gpt-4o');
    expect(model.id).toBe('gpt-4o');
    expect(model.object).toBe('model');
    expectValid('retrieveModel', model);
    const file = await client.files.retrieve('file-abc');
    expect(file.id).toBe('file-abc');
    expect(file.object).toBe('file');
    expectValid('retrieveFile', file);
    const deleted = await client.files.delete('file-xyz');
    expect(deleted).toMatchObject({ id: 'file-xyz', deleted: true });
  });

  test('nested path ids: a message answers its own id and its thread id', async () => {
    const message = await client.beta.threads.messages.retrieve('msg_one', { thread_id: 'thread_two' });
    expect(message.id).toBe('msg_one');
    expect(message.thread_id).toBe('thread_two');
    expectValid('getMessage', message);
  });

  test('file upload reflects filename, bytes and purpose, with a file- id', async () => {
    const content = Buffer.from('{"prompt": "a", "completion": "b"}\n'.repeat(7));
    const file = await client.files.create({ file: await toFile(content, 'train.jsonl'), purpose: 'fine-tune' });
    expect(file.id).toMatch(/^file-/);
    expect(file.filename).toBe('train.jsonl');
    expect(file.bytes).toBe(content.length);
    expect(file.purpose).toBe('fine-tune');
    expectRecent(file.created_at);
    expectValid('createFile', file);
  });

  test('responses: resp_ id, model, instructions, temperature and metadata reflected, usage adds up', async () => {
    const response = await client.responses.create({
      model: 'gpt-4.1',
      input: 'Tell me a joke',
      instructions: 'Be brief.',
      temperature: 0.3,
      metadata: { team: 'qa' },
    });
    expect(response.id).toMatch(/^resp_/);
    expect(response.object).toBe('response');
    expect(response.model).toBe('gpt-4.1');
    expect(response.instructions).toBe('Be brief.');
    expect(response.temperature).toBe(0.3);
    expect(response.metadata).toEqual({ team: 'qa' });
    expect(response.status).toBe('completed');
    expect(response.output).toHaveLength(1);
    expect(response.output_text.length).toBeGreaterThan(0);
    const usage = response.usage!;
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
    expectRecent(response.created_at);
    expectValid('createResponse', response);

    const longer = await client.responses.create({ model: 'gpt-4.1', input: 'Tell me a joke. '.repeat(50) });
    expect(longer.usage!.input_tokens).toBeGreaterThan(usage.input_tokens - 2);
  });

  test('responses with a function tool answer one function call', async () => {
    const response = await client.responses.create({
      model: 'gpt-4.1',
      input: 'Weather?',
      tools: [{ type: 'function', name: 'get_weather', strict: true, parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } }],
    });
    expect(response.output).toHaveLength(1);
    const item = response.output[0]!;
    if (item.type !== 'function_call') throw new Error(`expected a function call, got ${item.type}`);
    expect(item.name).toBe('get_weather');
    expect(item.call_id).toMatch(/^call_/);
    expect(typeof JSON.parse(item.arguments).city).toBe('string');
    expectValid('createResponse', response);
  });

  test('creates get their prefixes and reflect their inputs', async () => {
    const batch = await client.batches.create({ input_file_id: 'file-in', endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(batch.id).toMatch(/^batch_/);
    expect(batch.input_file_id).toBe('file-in');
    expect(batch.endpoint).toBe('/v1/chat/completions');
    expectValid('createBatch', batch);

    const store = await client.vectorStores.create({ name: 'docs' });
    expect(store.id).toMatch(/^vs_/);
    expect(store.name).toBe('docs');
    expectValid('createVectorStore', store);

    const assistant = await client.beta.assistants.create({ model: 'gpt-4o', instructions: 'Answer in French.', name: 'Tutor' });
    expect(assistant.id).toMatch(/^asst_/);
    expect(assistant.instructions).toBe('Answer in French.');
    expect(assistant.name).toBe('Tutor');
    expectValid('createAssistant', assistant);

    const thread = await client.beta.threads.create();
    expect(thread.id).toMatch(/^thread_/);

    const run = await client.beta.threads.runs.create('thread_given', { assistant_id: 'asst_given' });
    expect(run.id).toMatch(/^run_/);
    expect(run.thread_id).toBe('thread_given');
    expect(run.assistant_id).toBe('asst_given');
    expectValid('createRun', run);

    const job = await client.fineTuning.jobs.create({ model: 'gpt-4o-mini', training_file: 'file-train' });
    expect(job.id).toMatch(/^ftjob-/);
    expect(job.model).toBe('gpt-4o-mini');
    expect(job.training_file).toBe('file-train');
    expectValid('createFineTuningJob', job);

    const conversation = await client.conversations.create({ metadata: { topic: 'demo' } });
    expect(conversation.id).toMatch(/^conv_/);
    expect(conversation.metadata).toEqual({ topic: 'demo' });
  });

  test('prototype keys in reflected objects are never copied', async () => {
    const body = '{"model":"gpt-4.1","input":"hi","metadata":{"__proto__":"polluted","constructor":"x","kept":"yes"}}';
    const response = await fetch(`${mock.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body,
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).not.toContain('__proto__');
    expect(text).not.toContain('polluted');
    expect(JSON.parse(text).metadata).toEqual({ kept: 'yes' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('embeddings', () => {
  const norm = (v: number[]) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));

  test('one item per input, of the model size, decoded by the SDK from base64', async () => {
    const one = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    expect(one.data).toHaveLength(1);
    expect(one.data[0]!.embedding).toHaveLength(1536);
    expect(norm(one.data[0]!.embedding)).toBeCloseTo(1, 4);
    expect(one.usage.total_tokens).toBe(one.usage.prompt_tokens);

    const three = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b', 'c'] });
    expect(three.data.map((d) => d.index)).toEqual([0, 1, 2]);
    for (const item of three.data) expect(item.embedding).toHaveLength(1536);
    expect(three.data[0]!.embedding).not.toEqual(three.data[1]!.embedding);

    const large = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'hello' });
    expect(large.data[0]!.embedding).toHaveLength(3072);
  });

  test('dimensions: 256 gives 256 floats; the same input gives the same vector', async () => {
    const a = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['same', 'other'], dimensions: 256 });
    const b = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'same', dimensions: 256 });
    expect(a.data[0]!.embedding).toHaveLength(256);
    expect(a.data[1]!.embedding).toHaveLength(256);
    expect(b.data[0]!.embedding).toEqual(a.data[0]!.embedding);
  });

  test('encoding_format "float" answers JSON numbers, valid against the schema', async () => {
    const raw = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['x', 'y', 'z'], encoding_format: 'float' }).asResponse();
    const body = await raw.json();
    expect(body.data).toHaveLength(3);
    for (const item of body.data) {
      expect(item.embedding).toHaveLength(1536);
      expect(typeof item.embedding[0]).toBe('number');
    }
    expectValid('createEmbedding', body);
  });

  test('encoding_format "base64" is float32 little-endian', async () => {
    const raw = await client.embeddings
      .create({ model: 'text-embedding-3-small', input: 'hello', dimensions: 8, encoding_format: 'base64' })
      .asResponse();
    const base64 = (await raw.json()).data[0].embedding as string;
    const bytes = Buffer.from(base64, 'base64');
    expect(bytes.length).toBe(8 * 4);
    const floats = Array.from({ length: 8 }, (_, i) => bytes.readFloatLE(i * 4));
    const viaFloat = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello', dimensions: 8, encoding_format: 'float' });
    floats.forEach((value, i) => expect(value).toBeCloseTo(viaFloat.data[0]!.embedding[i]!, 6));
    // Asked again (the vector remembered), the same bytes; another text or size, others.
    const again = async (input: string, dimensions: number) =>
      (await (await client.embeddings.create({ model: 'text-embedding-3-small', input, dimensions, encoding_format: 'base64' }).asResponse()).json()).data[0].embedding;
    expect(await again('hello', 8)).toBe(base64);
    expect(await again('hello!', 8)).not.toBe(base64);
    expect(Buffer.from(await again('hello', 16), 'base64').subarray(0, 32).equals(bytes)).toBe(false);
  });

  test('an empty string to embed, alone or in a list, is the API\'s 400; a blank one is embedded', async () => {
    for (const input of ['', ['a', ''], ['']]) {
      const error = await client.embeddings.create({ model: 'text-embedding-3-small', input }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toEqual({
        message: "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
        type: 'invalid_request_error',
        param: null,
        code: null,
      });
    }
    const blank = await client.embeddings.create({ model: 'text-embedding-3-small', input: ' ' });
    expect(blank.data[0]!.embedding).toHaveLength(1536);
  });
});

describe('lists', () => {
  test('object "list", data, and paging fields consistent with limit', async () => {
    const body = await (await client.files.list({ limit: 1 }).asResponse()).json();
    expect(body.object).toBe('list');
    expect(body.data).toHaveLength(1);
    expect(body.first_id).toBe(body.data[0].id);
    expect(body.last_id).toBe(body.data[0].id);
    expect(body.has_more).toBe(true);
    expectValid('listFiles', body);
  });
});

describe('determinism', () => {
  const request = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Snapshot me' }], n: 2 };

  test('without a seed, the same request gives the same body except ids and timestamps', async () => {
    const a = await client.chat.completions.create(request);
    const b = await client.chat.completions.create(request);
    expect(a.id).not.toBe(b.id);
    const strip = (c: typeof a) => ({ ...c, id: undefined, created: undefined });
    expect(strip(a)).toEqual(strip(b));
  });

  test('a server seed makes whole bodies identical, ids and timestamps included', async () => {
    const seeded = await startMock({ seed: 'snapshots' });
    try {
      const seededClient = sdk(seeded);
      const a = await seededClient.chat.completions.create(request).asResponse();
      const b = await seededClient.chat.completions.create(request).asResponse();
      const [textA, textB] = [await a.text(), await b.text()];
      expect(textA).toBe(textB);
      expect(JSON.parse(textA).id).toMatch(/^chatcmpl-/);
      const other = await seededClient.chat.completions.create({ ...request, messages: [{ role: 'user', content: 'Another' }] });
      expect(other.id).not.toBe(JSON.parse(textA).id);

      // Streamed or not, a seeded request answers the same ids and content.
      const streamed = await seededClient.chat.completions.stream(request).finalChatCompletion();
      expect(streamed.id).toBe(JSON.parse(textA).id);
      expect(streamed.choices[0]!.message.content).toBe(JSON.parse(textA).choices[0].message.content);

      const fileA = await seededClient.files.create({ file: await toFile(Buffer.from('abc'), 'a.txt'), purpose: 'assistants' });
      const fileB = await seededClient.files.create({ file: await toFile(Buffer.from('abc'), 'a.txt'), purpose: 'assistants' });
      expect(fileA).toEqual(fileB);
    } finally {
      await seeded.close();
    }
  });

  test('Prefer: seed= does the same per request', async () => {
    const send = () =>
      fetch(`${mock.url}/v1/responses`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json', prefer: 'seed=42' },
        body: JSON.stringify({ model: 'gpt-4.1', input: 'hello' }),
      }).then((r) => r.text());
    const [a, b] = [await send(), await send()];
    expect(a).toBe(b);
    expect(JSON.parse(a).id).toMatch(/^resp_/);
  });
});

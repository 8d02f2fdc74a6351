/**
 * Every event of every streaming operation, checked with Ajv against the spec's own event schema
 * (`ResponseStreamEvent`, `CreateChatCompletionStreamResponse`, `AssistantStreamEvent`, ...), for
 * the engine's default answers and for richer answers set by a step, error events included.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load, CORE_SCHEMA } from 'js-yaml';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { normalizeSpec } from '../../src/openapi/normalize';
import { STREAMING_OPERATION_IDS } from '../../src/streaming/decide';
import type { MockServer } from '../../src';
import { startMock } from '../helpers/server';
import {
  chatBody,
  FUNCTION_CALL_ITEM,
  MESSAGE_ITEM,
  parseEventStream,
  postJson,
  responseBody,
  rewriteStep,
  TOOL_CALLS,
  withBody,
  type RawEvent,
  type Rewrite,
} from './support';

const rewrites: Record<string, Rewrite | undefined> = {};
let mock: MockServer;
const validators = new Map<string, ValidateFunction>();
let ajv: Ajv2020;
let document: Record<string, any>;

beforeAll(async () => {
  const file = process.env.OPENAI_MOCK_SPEC ?? path.join(__dirname, '../../spec/openapi.yaml');
  document = load(readFileSync(file, 'utf8'), { schema: CORE_SCHEMA }) as Record<string, any>;
  // The same repairs the server makes before validating requests (3.0-style nullable and the like).
  normalizeSpec(document);
  ajv = new Ajv2020({ strict: false, allErrors: true, allowUnionTypes: true, logger: false, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(document, 'openai');
  mock = await startMock({ steps: [rewriteStep(rewrites)] });
});
afterAll(async () => {
  await mock?.close();
});
afterEach(() => {
  for (const key of Object.keys(rewrites)) delete rewrites[key];
});

function validator(schema: string): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile({ $ref: `openai#/components/schemas/${schema}` });
    validators.set(schema, validate);
  }
  return validate;
}

/** The member of a discriminated union whose `type` is the event's: its errors say what is wrong. */
function branchOf(schema: string, value: any): string | undefined {
  const union = document.components.schemas[schema];
  for (const member of union?.anyOf ?? []) {
    const name = typeof member.$ref === 'string' ? member.$ref.split('/').pop() : undefined;
    if (name && document.components.schemas[name]?.properties?.type?.enum?.includes(value?.type)) return name;
  }
  return undefined;
}

function expectValid(schema: string, value: unknown, label: string) {
  let validate = validator(schema);
  if (!validate(value)) {
    const branch = branchOf(schema, value);
    if (branch) validate = validator(branch);
    validate(value);
    const problems = (validate.errors ?? []).slice(0, 8).map((e) => `${e.instancePath} ${e.message}`);
    throw new Error(`${label} is not a valid ${schema}:\n${problems.join('\n')}\n${JSON.stringify(value).slice(0, 600)}`);
  }
}

async function streamOf(response: Response): Promise<RawEvent[]> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  return parseEventStream(await response.text());
}

/** Checks each data event against `schema`; a `[DONE]` may only come last. Returns the payloads. */
function checkAll(events: RawEvent[], schema: string, adapt: (value: any) => unknown = (v) => v): any[] {
  const payloads: any[] = [];
  events.forEach((event, i) => {
    if (event.data === '[DONE]') {
      expect(i).toBe(events.length - 1);
      return;
    }
    const value = JSON.parse(event.data);
    if (event.event) expect(event.event).toBe(value.type ?? event.event);
    expectValid(schema, adapt(value), `event ${i} (${event.event ?? value.object ?? value.type})`);
    payloads.push(value);
  });
  expect(payloads.length).toBeGreaterThan(0);
  return payloads;
}

const chat = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], stream: true };

test('every operation the spec streams (an event-stream response, a `stream` request field or query parameter) has a stream', () => {
  const schemas = document.components.schemas;
  /** The properties a request schema can have, through refs and unions. */
  const properties = (schema: any, seen = new Set<unknown>()): Set<string> => {
    while (schema?.$ref) schema = schemas[schema.$ref.split('/').pop()];
    const names = new Set<string>();
    if (!schema || seen.has(schema)) return names;
    seen.add(schema);
    for (const name of Object.keys(schema.properties ?? {})) names.add(name);
    for (const key of ['allOf', 'anyOf', 'oneOf']) for (const part of schema[key] ?? []) for (const n of properties(part, seen)) names.add(n);
    return names;
  };
  /** `GET /responses/{id}?stream=true` replays a stored response as events. */
  const streamQuery = (operation: any) =>
    (operation.parameters ?? []).some((p: any) => {
      while (p?.$ref) p = document.components.parameters?.[p.$ref.split('/').pop()];
      return p?.in === 'query' && p.name === 'stream';
    });
  const streaming: string[] = [];
  for (const item of Object.values<any>(document.paths)) {
    for (const operation of Object.values<any>(item)) {
      if (!operation?.operationId) continue;
      const eventStream = Object.values<any>(operation.responses ?? {}).some((r) => r?.content?.['text/event-stream']);
      const fields = Object.values<any>(operation.requestBody?.content ?? {}).flatMap((c) => [...properties(c.schema)]);
      if (eventStream || fields.includes('stream') || fields.includes('stream_format') || streamQuery(operation)) streaming.push(operation.operationId);
    }
  }
  expect(streaming.length).toBeGreaterThanOrEqual(11);
  expect([...STREAMING_OPERATION_IDS].sort()).toEqual([...new Set(streaming)].sort());
});

describe('chat.completion.chunk events are valid CreateChatCompletionStreamResponse', () => {
  test("the engine's default answer, with usage", async () => {
    const events = await streamOf(await postJson(`${mock.url}/v1/chat/completions`, { ...chat, stream_options: { include_usage: true } }));
    checkAll(events, 'CreateChatCompletionStreamResponse');
    expect(events.at(-1)!.data).toBe('[DONE]');
  });

  test('two choices with content and tool calls', async () => {
    rewrites.createChatCompletion = withBody({
      ...chatBody({}),
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Checking the weather now.', refusal: null }, logprobs: null, finish_reason: 'stop' },
        { index: 1, message: { role: 'assistant', content: null, refusal: null, tool_calls: TOOL_CALLS }, logprobs: null, finish_reason: 'tool_calls' },
      ],
    });
    const events = await streamOf(await postJson(`${mock.url}/v1/chat/completions`, { ...chat, n: 2 }));
    const chunks = checkAll(events, 'CreateChatCompletionStreamResponse');
    expect(chunks.some((c) => c.choices[0]?.delta.tool_calls)).toBe(true);
  });
});

test('legacy text_completion chunks are valid CreateCompletionResponse (but for the nulls the API streams)', async () => {
  const events = await streamOf(
    await postJson(`${mock.url}/v1/completions`, { model: 'gpt-3.5-turbo-instruct', prompt: 'Say', stream: true, stream_options: { include_usage: true } }),
  );
  // The spec's completion has no null finish_reason or usage; streamed chunks carry them as the API sends them.
  const payloads = checkAll(events, 'CreateCompletionResponse', (chunk) => ({
    ...chunk,
    usage: chunk.usage ?? undefined,
    choices: chunk.choices.map((c: any) => ({ ...c, finish_reason: c.finish_reason ?? 'stop' })),
  }));
  expect(payloads.every((c) => c.object === 'text_completion')).toBe(true);
  expect(events.at(-1)!.data).toBe('[DONE]');
});

describe('Responses events are valid ResponseStreamEvent', () => {
  test("the engine's default response", async () => {
    const events = await streamOf(await postJson(`${mock.url}/v1/responses`, { model: 'gpt-4o', input: 'Hi', stream: true }));
    const payloads = checkAll(events, 'ResponseStreamEvent');
    expect(payloads.map((p) => p.sequence_number)).toEqual(payloads.map((_, i) => i));
  });

  test('messages, function calls, reasoning, refusals and annotations', async () => {
    const annotated = {
      ...MESSAGE_ITEM,
      id: 'msg_annotated',
      content: [
        {
          type: 'output_text',
          text: 'See the source.',
          annotations: [{ type: 'url_citation', url: 'https://example.com', title: 'Example', start_index: 4, end_index: 14 }],
          logprobs: [],
        },
      ],
    };
    const reasoning = { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Think first.' }] };
    const refusal = { type: 'message', id: 'msg_refusal', status: 'completed', role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] };
    rewrites.createResponse = withBody(responseBody([reasoning, MESSAGE_ITEM, annotated, refusal, FUNCTION_CALL_ITEM]));
    const events = await streamOf(await postJson(`${mock.url}/v1/responses`, { model: 'gpt-4o', input: 'Hi', stream: true }));
    const types = new Set(checkAll(events, 'ResponseStreamEvent').map((p) => p.type));
    for (const type of [
      'response.reasoning_summary_text.delta',
      'response.output_text.annotation.added',
      'response.refusal.delta',
      'response.function_call_arguments.done',
    ]) {
      expect(types).toContain(type);
    }
  });

  test('the error event sent mid-stream', async () => {
    rewrites.createResponse = withBody(responseBody([MESSAGE_ITEM]), { errorAfter: 3, error: { message: 'Overloaded', type: 'server_error', code: 'overloaded' } });
    const events = await streamOf(await postJson(`${mock.url}/v1/responses`, { model: 'gpt-4o', input: 'Hi', stream: true }));
    const payloads = checkAll(events, 'ResponseStreamEvent');
    expect(payloads).toHaveLength(4);
    expect(payloads[3]).toMatchObject({ type: 'error', message: 'Overloaded', code: 'overloaded', sequence_number: 3 });
  });

  test('the beta endpoint (/responses?beta=true) against BetaResponseStreamEvent', async () => {
    const events = await streamOf(await postJson(`${mock.url}/v1/responses?beta=true`, { model: 'gpt-4o', input: 'Hi', stream: true }));
    checkAll(events, 'BetaResponseStreamEvent');
  });

  test("a stored response retrieved with ?stream=true: the engine's default, and the beta endpoint", async () => {
    const get = (url: string) => fetch(url, { headers: { authorization: 'Bearer sk-test' } });
    const payloads = checkAll(await streamOf(await get(`${mock.url}/v1/responses/resp_123?stream=true`)), 'ResponseStreamEvent');
    expect(payloads.map((p) => p.sequence_number)).toEqual(payloads.map((_, i) => i));
    checkAll(await streamOf(await get(`${mock.url}/v1/responses/resp_123?beta=true&stream=true`)), 'BetaResponseStreamEvent');
  });
});

test('speech with stream_format "sse": CreateSpeechResponseStreamEvent, decoding to the plain audio', async () => {
  const request = { model: 'gpt-4o-mini-tts', input: 'Hello there, this is a test.', voice: 'alloy' };
  const plain = Buffer.from(await (await postJson(`${mock.url}/v1/audio/speech`, request)).arrayBuffer());
  const events = await streamOf(await postJson(`${mock.url}/v1/audio/speech`, { ...request, stream_format: 'sse' }));
  const payloads = checkAll(events, 'CreateSpeechResponseStreamEvent');
  const deltas = payloads.filter((p) => p.type === 'speech.audio.delta');
  expect(deltas.length).toBeGreaterThan(1);
  expect(Buffer.concat(deltas.map((d) => Buffer.from(d.audio, 'base64')))).toEqual(plain);
  expect(payloads.at(-1).type).toBe('speech.audio.done');
});

test('transcriptions with stream: true: CreateTranscriptionResponseStreamEvent', async () => {
  const form = new FormData();
  form.set('file', new Blob([Buffer.from('RIFF....WAVEfmt ')], { type: 'audio/wav' }), 'speech.wav');
  form.set('model', 'gpt-4o-transcribe');
  form.set('stream', 'true');
  const response = await fetch(`${mock.url}/v1/audio/transcriptions`, { method: 'POST', headers: { authorization: 'Bearer sk-test' }, body: form });
  const payloads = checkAll(await streamOf(response), 'CreateTranscriptionResponseStreamEvent');
  expect(payloads.at(-1).type).toBe('transcript.text.done');
});

describe('image streams', () => {
  test('generations with partial images: ImageGenStreamEvent', async () => {
    const events = await streamOf(await postJson(`${mock.url}/v1/images/generations`, { model: 'gpt-image-1', prompt: 'A cat', stream: true, partial_images: 2 }));
    const payloads = checkAll(events, 'ImageGenStreamEvent');
    expect(payloads.map((p) => p.type)).toEqual(['image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed']);
  });

  test('edits (multipart) with partial images: ImageEditStreamEvent', async () => {
    const form = new FormData();
    form.set('image', new Blob([Buffer.from('\x89PNG\r\n\x1a\n')], { type: 'image/png' }), 'cat.png');
    form.set('prompt', 'Add a hat');
    form.set('model', 'gpt-image-1');
    form.set('stream', 'true');
    form.set('partial_images', '1');
    const response = await fetch(`${mock.url}/v1/images/edits`, { method: 'POST', headers: { authorization: 'Bearer sk-test' }, body: form });
    const payloads = checkAll(await streamOf(response), 'ImageEditStreamEvent');
    expect(payloads.map((p) => p.type)).toEqual(['image_edit.partial_image', 'image_edit.completed']);
  });
});

describe('assistants run events are valid AssistantStreamEvent', () => {
  const asEvent = (events: RawEvent[]) =>
    events.map((e) => ({ event: e.event, data: e.data === '[DONE]' ? e.data : JSON.parse(e.data) }));

  function checkRun(events: RawEvent[]) {
    const wrapped = asEvent(events);
    wrapped.forEach((event, i) => expectValid('AssistantStreamEvent', event, `event ${i} (${event.event})`));
    expect(wrapped.at(-1)).toEqual({ event: 'done', data: '[DONE]' });
    return wrapped.map((e) => e.event);
  }

  test('createRun: run, message step, message deltas, completed run, done', async () => {
    const names = checkRun(await streamOf(await postJson(`${mock.url}/v1/threads/thread_1/runs`, { assistant_id: 'asst_1', stream: true })));
    expect(names.slice(0, 3)).toEqual(['thread.run.created', 'thread.run.queued', 'thread.run.in_progress']);
    expect(names).toContain('thread.message.delta');
    expect(names.slice(-2)).toEqual(['thread.run.completed', 'done']);
  });

  test('createThreadAndRun starts with thread.created', async () => {
    const names = checkRun(await streamOf(await postJson(`${mock.url}/v1/threads/runs`, { assistant_id: 'asst_1', stream: true })));
    expect(names[0]).toBe('thread.created');
  });

  test('a run that requires action streams its tool calls and ends with thread.run.requires_action', async () => {
    rewrites.createRun = (_request, response) => ({
      body: {
        ...(response.body as object),
        status: 'requires_action',
        required_action: { type: 'submit_tool_outputs', submit_tool_outputs: { tool_calls: TOOL_CALLS } },
      },
    });
    const names = checkRun(await streamOf(await postJson(`${mock.url}/v1/threads/thread_1/runs`, { assistant_id: 'asst_1', stream: true })));
    expect(names).toContain('thread.run.step.delta');
    expect(names.slice(-2)).toEqual(['thread.run.requires_action', 'done']);
  });

  test('submit_tool_outputs resumes the run', async () => {
    const events = await streamOf(
      await postJson(`${mock.url}/v1/threads/thread_1/runs/run_1/submit_tool_outputs`, { tool_outputs: [{ tool_call_id: 'call_1', output: '20C' }], stream: true }),
    );
    const names = checkRun(events);
    expect(names[0]).toBe('thread.run.queued');
  });

  test('the error event', async () => {
    rewrites.createRun = (_request, response) => ({ stream: { errorAfter: 2 }, body: response.body });
    const wrapped = asEvent(await streamOf(await postJson(`${mock.url}/v1/threads/thread_1/runs`, { assistant_id: 'asst_1', stream: true })));
    expect(wrapped.map((e) => e.event)).toEqual(['thread.run.created', 'thread.run.queued', 'error']);
    expectValid('AssistantStreamEvent', wrapped[2], 'the error event');
  });
});

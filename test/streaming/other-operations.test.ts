/**
 * The remaining streaming operations through the official SDK's own stream readers: images,
 * transcriptions, speech (`stream_format: "sse"`), and the assistants run helpers.
 */
import { toFile } from 'openai';
import { Stream } from 'openai/core/streaming';
import { ASSISTANT_REPLY } from '../../src/streaming/assistants';
import { rewritingMock, TOOL_CALLS, withBody } from './support';

const env = rewritingMock();
const { rewrites } = env;

const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('images', () => {
  const imagesBody = {
    created: 1_760_000_000,
    data: [{ b64_json: PNG_1x1 }],
    background: 'opaque',
    output_format: 'png',
    size: '1024x1024',
    quality: 'high',
    usage: { input_tokens: 10, output_tokens: 100, total_tokens: 110, input_tokens_details: { text_tokens: 10, image_tokens: 0 } },
  };

  test('images.generate({stream: true}) gives partial images then the completed image', async () => {
    rewrites.createImage = withBody(imagesBody);
    const events = [];
    for await (const event of await env.client.images.generate({ model: 'gpt-image-1', prompt: 'A red dot', stream: true, partial_images: 2 })) {
      events.push(event);
    }
    expect(events.map((e) => e.type)).toEqual(['image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed']);
    expect(events.map((e) => (e.type === 'image_generation.partial_image' ? e.partial_image_index : 'done'))).toEqual([0, 1, 'done']);
    const completed = events.at(-1)!;
    expect(completed.b64_json).toBe(PNG_1x1);
    expect(completed.type === 'image_generation.completed' && completed.usage).toEqual(imagesBody.usage);
  });

  test('images.edit({stream: true}) gives image_edit events', async () => {
    rewrites.createImageEdit = withBody(imagesBody);
    const image = await toFile(Buffer.from(PNG_1x1, 'base64'), 'dot.png', { type: 'image/png' });
    const events = [];
    for await (const event of await env.client.images.edit({ model: 'gpt-image-1', image, prompt: 'Make it blue', stream: true, partial_images: 1 })) {
      events.push(event);
    }
    expect(events.map((e) => e.type)).toEqual(['image_edit.partial_image', 'image_edit.completed']);
    expect(events.at(-1)!.b64_json).toBe(PNG_1x1);
  });
});

describe('audio', () => {
  test('transcriptions.create({stream: true}): text deltas reassemble to the plain transcript', async () => {
    const text = 'Streaming transcripts arrive a few words at a time, then the whole text.';
    rewrites.createTranscription = withBody({ text, usage: { type: 'tokens', input_tokens: 14, output_tokens: 15, total_tokens: 29 } });
    const file = await toFile(Buffer.from('RIFF....WAVEfmt '), 'speech.wav', { type: 'audio/wav' });
    const plain = await env.client.audio.transcriptions.create({ model: 'gpt-4o-transcribe', file });

    const events = [];
    const stream = await env.client.audio.transcriptions.create({ model: 'gpt-4o-transcribe', file, stream: true });
    for await (const event of stream) events.push(event);
    const deltas = events.filter((e) => e.type === 'transcript.text.delta');
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.map((e) => (e.type === 'transcript.text.delta' ? e.delta : '')).join('')).toBe(plain.text);
    const done = events.at(-1)!;
    expect(done.type).toBe('transcript.text.done');
    expect(done.type === 'transcript.text.done' && done.text).toBe(plain.text);
  });

  test('speech.create({stream_format: "sse"}): base64 deltas decode to the plain audio', async () => {
    const request = { model: 'gpt-4o-mini-tts', input: 'Hello from the env.mock.', voice: 'alloy' as const };
    const plain = Buffer.from(await (await env.client.audio.speech.create(request)).arrayBuffer());

    const response = await env.client.audio.speech.create({ ...request, stream_format: 'sse' });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events: any[] = [];
    for await (const event of Stream.fromSSEResponse<any>(response, new AbortController())) events.push(event);
    const audio = Buffer.concat(events.filter((e) => e.type === 'speech.audio.delta').map((e) => Buffer.from(e.audio, 'base64')));
    expect(audio).toEqual(plain);
    expect(events.at(-1).type).toBe('speech.audio.done');
  });
});

describe('assistants runs', () => {
  test('runs.stream(): text deltas, the final message and a completed run', async () => {
    const stream = env.client.beta.threads.runs.stream('thread_abc', { assistant_id: 'asst_abc' });
    const deltas: string[] = [];
    stream.on('textDelta', (delta) => deltas.push(delta.value ?? ''));
    const run = await stream.finalRun();
    const messages = await stream.finalMessages();
    expect(run.status).toBe('completed');
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(ASSISTANT_REPLY);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.content[0]).toEqual({ type: 'text', text: { value: ASSISTANT_REPLY, annotations: [] } });
  });

  test('createAndRunStream() announces the thread first', async () => {
    const stream = env.client.beta.threads.createAndRunStream({ assistant_id: 'asst_abc' });
    const events: string[] = [];
    stream.on('event', (event) => events.push(event.event));
    const run = await stream.finalRun();
    expect(events[0]).toBe('thread.created');
    expect(run.status).toBe('completed');
  });

  test('a run that requires action streams its tool calls; submitToolOutputsStream() completes it', async () => {
    rewrites.createRun = (_request, response) => ({
      body: { ...(response.body as object), status: 'requires_action', required_action: { type: 'submit_tool_outputs', submit_tool_outputs: { tool_calls: TOOL_CALLS } } },
    });
    const stream = env.client.beta.threads.runs.stream('thread_abc', { assistant_id: 'asst_abc' });
    const done: any[] = [];
    stream.on('toolCallDone', (call) => done.push(call));
    const run = await stream.finalRun();
    expect(run.status).toBe('requires_action');
    expect(run.required_action?.submit_tool_outputs.tool_calls).toEqual(TOOL_CALLS);
    expect(done.map((c) => [c.id, c.function.name, c.function.arguments])).toEqual(TOOL_CALLS.map((c) => [c.id, c.function.name, c.function.arguments]));

    const resumed = env.client.beta.threads.runs.submitToolOutputsStream(run.id, {
      thread_id: 'thread_abc',
      tool_outputs: TOOL_CALLS.map((c) => ({ tool_call_id: c.id, output: 'ok' })),
    });
    expect((await resumed.finalRun()).status).toBe('completed');
  });
});

import type { SseEvent, StreamError, StreamPlan } from './events';
import { splitText } from './split';
import { isObject, type Json } from './json';

/** Raw audio bytes per `speech.audio.delta`; each is base64 on its own, so they decode one by one. */
const AUDIO_BYTES = 8192;

function typedEvents(payloads: Json[]): SseEvent[] {
  return payloads.map((data) => ({ event: data.type, data }));
}

const typedError = (error: StreamError): SseEvent => ({ event: 'error', data: { type: 'error', error } });

/** Roughly the API's count: a token is about four characters of text. */
const tokensOf = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/**
 * `audio/speech` with `stream_format: "sse"`: the audio the plain request would get, in base64
 * deltas (at least two, so clients meet more than one), then `speech.audio.done` with usage.
 */
export function speechStream(audio: Buffer, request: Json): StreamPlan {
  const size = Math.max(1, Math.min(AUDIO_BYTES, Math.ceil(audio.length / 2)));
  const payloads: Json[] = [];
  for (let i = 0; i < audio.length; i += size) {
    payloads.push({ type: 'speech.audio.delta', audio: audio.subarray(i, i + size).toString('base64') });
  }
  const input_tokens = tokensOf(typeof request.input === 'string' ? request.input : '');
  const output_tokens = Math.max(1, Math.ceil(audio.length / 64));
  payloads.push({ type: 'speech.audio.done', usage: { input_tokens, output_tokens, total_tokens: input_tokens + output_tokens } });
  return { events: typedEvents(payloads), error: typedError };
}

/** Transcriptions with `stream: true`: the transcript's text by words, then `transcript.text.done`. */
export function transcriptionStream(body: unknown): StreamPlan {
  const result: Json = isObject(body) ? body : { text: typeof body === 'string' ? body : '' };
  const text = typeof result.text === 'string' ? result.text : '';
  const payloads: Json[] = splitText(text).map((delta) => ({ type: 'transcript.text.delta', delta }));
  const done: Json = { type: 'transcript.text.done', text };
  if (Array.isArray(result.logprobs)) done.logprobs = result.logprobs;
  // Streamed transcripts report token usage; a duration-based usage has no place in the event.
  if (isObject(result.usage) && result.usage.type === 'tokens') done.usage = result.usage;
  payloads.push(done);
  return { events: typedEvents(payloads), error: typedError };
}

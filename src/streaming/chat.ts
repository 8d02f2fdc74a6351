import { DONE, type SseEvent, type StreamError, type StreamPlan } from './events';
import { splitFixed, splitText } from './split';
import { interleave, isObject, type Json } from './json';

/** Base64 audio goes out in pieces of this many characters. */
const AUDIO_PIECE = 4096;

interface ChoiceFrame {
  delta: Json;
  logprobs?: unknown;
  finish_reason?: unknown;
}

/** Fields a delta carries on its own; anything else a message has is sent once, as it is. */
const STREAMED_FIELDS = new Set(['role', 'content', 'refusal', 'audio', 'function_call', 'tool_calls']);

/**
 * Content deltas, one per logprob token when the tokens spell the content (as the API sends them),
 * otherwise by words with the logprobs on the first delta.
 */
function contentFrames(content: string, logprobs: Json | undefined): ChoiceFrame[] {
  const tokens = Array.isArray(logprobs?.content) ? (logprobs.content as Json[]) : undefined;
  if (tokens && tokens.length > 0 && tokens.map((t) => t.token).join('') === content) {
    return tokens.map((token) => ({ delta: { content: token.token }, logprobs: { content: [token], refusal: null } }));
  }
  const frames: ChoiceFrame[] = splitText(content).map((piece) => ({ delta: { content: piece } }));
  if (frames[0] && tokens) frames[0].logprobs = { content: tokens, refusal: null };
  return frames;
}

function refusalFrames(refusal: string, logprobs: Json | undefined): ChoiceFrame[] {
  const frames: ChoiceFrame[] = splitText(refusal).map((piece) => ({ delta: { refusal: piece } }));
  if (frames[0] && Array.isArray(logprobs?.refusal)) frames[0].logprobs = { content: null, refusal: logprobs.refusal };
  return frames;
}

function audioFrames(audio: Json): ChoiceFrame[] {
  const frames: ChoiceFrame[] = [{ delta: { audio: { id: audio.id } } }];
  if (typeof audio.transcript === 'string') {
    for (const piece of splitText(audio.transcript)) frames.push({ delta: { audio: { transcript: piece } } });
  }
  if (typeof audio.data === 'string') {
    for (const piece of splitFixed(audio.data, AUDIO_PIECE)) frames.push({ delta: { audio: { data: piece } } });
  }
  if (audio.expires_at !== undefined) frames.push({ delta: { audio: { expires_at: audio.expires_at } } });
  return frames;
}

/** A tool call: its identity first, with empty arguments, then the arguments in fragments. */
function toolCallFrames(call: Json, index: number): ChoiceFrame[] {
  const { function: fn, custom, ...rest } = call;
  if (isObject(custom)) {
    const { input, ...customRest } = custom;
    const head = { index, ...rest, custom: { ...customRest, input: '' } };
    const pieces = splitText(typeof input === 'string' ? input : '');
    return [{ delta: { tool_calls: [head] } }, ...pieces.map((piece) => ({ delta: { tool_calls: [{ index, custom: { input: piece } }] } }))];
  }
  const { arguments: args, ...fnRest } = isObject(fn) ? fn : {};
  const head = { index, ...rest, function: { ...fnRest, arguments: '' } };
  const pieces = splitText(typeof args === 'string' ? args : '');
  return [
    { delta: { tool_calls: [head] } },
    ...pieces.map((piece) => ({ delta: { tool_calls: [{ index, function: { arguments: piece } }] } })),
  ];
}

function functionCallFrames(call: Json): ChoiceFrame[] {
  const { arguments: args, ...rest } = call;
  const pieces = splitText(typeof args === 'string' ? args : '');
  return [{ delta: { function_call: { ...rest, arguments: '' } } }, ...pieces.map((piece) => ({ delta: { function_call: { arguments: piece } } }))];
}

/** Everything one choice streams, in the API's order, ending with its finish_reason. */
function choiceFrames(choice: Json): ChoiceFrame[] {
  const message: Json = isObject(choice.message) ? choice.message : {};
  const logprobs = isObject(choice.logprobs) ? choice.logprobs : undefined;
  const frames: ChoiceFrame[] = [
    { delta: { role: message.role ?? 'assistant', content: typeof message.content === 'string' ? '' : null, refusal: null } },
  ];
  if (typeof message.content === 'string') frames.push(...contentFrames(message.content, logprobs));
  if (typeof message.refusal === 'string') frames.push(...refusalFrames(message.refusal, logprobs));
  if (isObject(message.audio)) frames.push(...audioFrames(message.audio));
  if (isObject(message.function_call)) frames.push(...functionCallFrames(message.function_call));
  if (Array.isArray(message.tool_calls)) {
    message.tool_calls.forEach((call: unknown, index: number) => {
      if (isObject(call)) frames.push(...toolCallFrames(call, index));
    });
  }
  // Annotations and the like: once, so that the SDK's accumulated message has them too.
  const others = Object.entries(message).filter(
    ([key, value]) => !STREAMED_FIELDS.has(key) && value !== null && !(Array.isArray(value) && value.length === 0),
  );
  if (others.length > 0) frames.push({ delta: Object.fromEntries(others) });
  frames.push({ delta: {}, finish_reason: choice.finish_reason ?? 'stop' });
  return frames;
}

/**
 * A chunk that is the stream's shared fields and one choice, `{ ...base, choices: [choice] }`:
 * framed from the shared fields' text, made once per stream, and the choice's. The shared fields
 * are most of a chunk's text, and framing is most of the work per event of a paced stream. The
 * chunk itself is made only when asked for: a stream's plan lives as long as the stream.
 */
class ChoiceChunk implements SseEvent {
  constructor(
    private readonly base: Json,
    private readonly choice: Json,
    /** `data: {"id":…,"model":…,"choices":[` */
    private readonly head: string,
  ) {}

  get data(): Json {
    return { ...this.base, choices: [this.choice] };
  }

  framed(): string {
    return `${this.head}${JSON.stringify(this.choice)}]}\n\n`;
  }
}

/**
 * The most common chunk, a piece of a choice's content and nothing else, kept as that piece: most
 * events of a paced stream are these, and a stream's plan lives as long as the stream, so each one
 * held a chunk, a choice and a delta object (promoted with the stream into the old generation).
 * Framed as `JSON.stringify` writes `{ index, delta: { content }, logprobs: null, finish_reason: null }`.
 */
class ContentChunk implements SseEvent {
  constructor(
    private readonly base: Json,
    private readonly index: number,
    private readonly piece: string,
    /** `data: {…,"choices":[{"index":N,"delta":{"content":` */
    private readonly head: string,
  ) {}

  get data(): Json {
    return { ...this.base, choices: [{ index: this.index, delta: { content: this.piece }, logprobs: null, finish_reason: null }] };
  }

  framed(): string {
    return `${this.head}${JSON.stringify(this.piece)}},"logprobs":null,"finish_reason":null}]}\n\n`;
  }
}

/**
 * Whether a choice of a chunk is only a piece of content, as ContentChunk writes it. Of the deltas
 * `choiceFrames` makes, only `contentFrames`' pieces (`{ content }`) and the first (`{ role,
 * content, refusal }`) carry a string `content`.
 */
function contentOnly(choice: Json): choice is { index: number; delta: { content: string } } {
  const delta = choice.delta;
  return (
    choice.logprobs === null &&
    choice.finish_reason === null &&
    Number.isInteger(choice.index) &&
    typeof delta?.content === 'string' &&
    delta.role === undefined
  );
}

/**
 * `chat.completion.chunk` events from a chat completion: all share its id and `created`; choices
 * are interleaved as the API interleaves them for `n > 1`; with `stream_options.include_usage`
 * every chunk has `usage: null` and a last chunk with no choices carries the usage.
 */
export function chatCompletionStream(body: Json, request: Json): StreamPlan {
  const includeUsage = request.stream_options?.include_usage === true;
  const base: Json = { id: body.id, object: 'chat.completion.chunk', created: body.created, model: body.model };
  if (body.service_tier !== undefined) base.service_tier = body.service_tier;
  if (body.system_fingerprint !== undefined) base.system_fingerprint = body.system_fingerprint;
  if (includeUsage) base.usage = null;

  const choices: Json[] = Array.isArray(body.choices) ? body.choices.filter(isObject) : [];
  const perChoice = choices.map((choice, i) =>
    choiceFrames(choice).map((frame) => ({
      index: choice.index ?? i,
      delta: frame.delta,
      logprobs: frame.logprobs ?? null,
      finish_reason: frame.finish_reason ?? null,
    })),
  );
  // The shared fields' text, as JSON.stringify writes them in every chunk: before `choices`.
  const shared = JSON.stringify(base);
  const head = `data: ${shared.length > 2 ? `${shared.slice(0, -1)},` : '{'}"choices":[`;
  // The text before a piece, per choice: one string each, shared by all its content chunks.
  const contentHeads: string[] = [];
  const contentHead = (index: number) => (contentHeads[index] ??= `${head}{"index":${index},"delta":{"content":`);
  const events: SseEvent[] = interleave(perChoice).map((choice) =>
    contentOnly(choice) ? new ContentChunk(base, choice.index, choice.delta.content, contentHead(choice.index)) : new ChoiceChunk(base, choice, head),
  );
  if (includeUsage) events.push({ data: { ...base, choices: [], usage: body.usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } } });
  const last = events.length - 1;
  if (last >= 0 && body.moderation != null) events[last] = { data: { ...(events[last]!.data as Json), moderation: body.moderation } };

  return {
    events,
    end: { data: DONE },
    error: (error: StreamError): SseEvent => ({ data: { error } }),
  };
}

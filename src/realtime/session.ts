import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { DropConnection, type StreamControl } from '../pipeline/types';
import { mergeControls } from '../streaming/step';
import { DEFAULT_STREAM_ERROR } from '../streaming/deliver';
import { splitFixed, splitText } from '../streaming/split';
import type { Logger } from '../log/logger';
import { AUDIO_MS_PER_WORD, FRAME_MS, audioForText, bytesForMs, frameLevels, msForBytes, speechLevel, wordCount } from './audio';
import { responsesInput, type Content, type Json, type OutputPiece } from './content';
import type { ClientEvent, EventChecker, EventProblem } from './validate';

/**
 * One Realtime conversation, over one socket: the session's settings, the conversation's items in
 * order, the input audio buffer with a simulated server VAD, and at most one response at a time,
 * its events paced like the server's streams and its content from the pipeline (content.ts).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ID_LENGTH = 21;
// Every event has an id: random bytes are drawn a pool at a time, not one system call per event.
let pool = Buffer.alloc(0);
let used = 0;
export function realtimeId(prefix: string): string {
  if (used + ID_LENGTH > pool.length) {
    pool = randomBytes(ID_LENGTH * 512);
    used = 0;
  }
  let out = prefix;
  for (let i = used; i < used + ID_LENGTH; i++) out += ALPHABET[pool[i]! % ALPHABET.length];
  used += ID_LENGTH;
  return out;
}

export const DEFAULT_MODEL = 'gpt-realtime';
const DEFAULT_INSTRUCTIONS =
  "Your knowledge cutoff is 2023-10. You are a helpful, witty, and friendly AI. Act like a human, but remember that you aren't a human and that you can't do human things in the real world.";
/** How long a session lasts, as the API's `expires_at` says (the mock never ends one for it). */
const SESSION_SECONDS = 30 * 60;
/**
 * The input audio buffer holds at most a session's length of audio: a client that appends and
 * never commits (silence under server VAD, or no VAD) would otherwise grow the process unbounded.
 */
const INPUT_AUDIO_MAX_BYTES = bytesForMs(SESSION_SECONDS * 1000);
/** Audio per `response.output_audio.delta` at most: each decodes on its own. */
const AUDIO_DELTA_BYTES = 24 * 1024;

export interface SessionIo {
  /** Sends one server event; false when the socket is gone. */
  send(event: Json): boolean;
  /** Closes the socket abruptly (a scripted cut or dropped connection). */
  cut(): void;
}

export interface SessionOptions {
  model?: string;
  /** `intent=transcription`: a transcription session. */
  transcription?: boolean;
  headers: IncomingHttpHeaders;
  /** The test session (`x-mock-session`), for scripts and the journal. */
  testSession?: string;
  content: Content;
  check: EventChecker;
  /** Server-wide pacing (the `stream` option); a response's own control wins field by field. */
  stream: () => StreamControl | undefined;
  logger: Logger;
  io: SessionIo;
}

interface ActiveResponse {
  id: string;
  abort: AbortController;
  reason?: 'client_cancelled' | 'turn_detected';
}

const isPlainObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `session.update` replaces what it names; nested objects (audio.input.format) merge the same way. */
function mergeSession(into: Json, patch: Json): Json {
  const out: Json = { ...into };
  for (const [key, value] of Object.entries(patch)) {
    out[key] = isPlainObject(value) && isPlainObject(into[key]) && key !== 'turn_detection' && key !== 'transcription' ? mergeSession(into[key], value) : value;
  }
  return out;
}

function defaultSession(id: string, model: string, transcription: boolean): Json {
  const expires_at = Math.floor(Date.now() / 1000) + SESSION_SECONDS;
  const input = {
    format: { type: 'audio/pcm', rate: 24000 },
    transcription: null,
    noise_reduction: null,
    turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500, idle_timeout_ms: null, create_response: true, interrupt_response: true },
  };
  if (transcription) {
    return { type: 'transcription', object: 'realtime.transcription_session', id, expires_at, audio: { input: { ...input, transcription: { model: 'gpt-4o-transcribe', language: null, prompt: '' } } }, include: null };
  }
  return {
    type: 'realtime',
    object: 'realtime.session',
    id,
    model,
    output_modalities: ['audio'],
    instructions: DEFAULT_INSTRUCTIONS,
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    prompt: null,
    expires_at,
    audio: { input, output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1 } },
    include: null,
  };
}

const tokens = (text: string) => Math.max(0, Math.ceil(text.length / 4));
/** About one audio token per 50 ms, as the API counts speech. */
const audioTokens = (ms: number) => Math.ceil(ms / 50);

export class RealtimeSession {
  readonly id = realtimeId('sess_');
  readonly conversationId = realtimeId('conv_');
  private settings: Json;
  private items: Json[] = [];
  private response?: ActiveResponse;
  private closed = false;
  // Input audio: the buffer since the last commit, and the VAD's view of it.
  private audio: Buffer[] = [];
  private audioBytes = 0;
  /** Milliseconds of input audio received since the session began (the API's audio_*_ms clock). */
  private audioClockMs = 0;
  /** Bytes of the buffer not yet judged (less than a frame). */
  private pending = Buffer.alloc(0);
  private speech?: { itemId: string; startMs: number; silentMs: number };
  /** The events of this session, in order, for the journal (client ones marked). */
  readonly onEvent?: (direction: 'client' | 'server', event: Json) => void;

  constructor(private readonly options: SessionOptions, onEvent?: (direction: 'client' | 'server', event: Json) => void) {
    this.settings = defaultSession(this.id, options.model ?? DEFAULT_MODEL, options.transcription === true);
    this.onEvent = onEvent;
  }

  get model(): string {
    return typeof this.settings.model === 'string' ? this.settings.model : DEFAULT_MODEL;
  }

  start(): void {
    this.send({ type: 'session.created', session: this.settings });
    if (this.settings.type === 'realtime') this.send({ type: 'conversation.created', conversation: { id: this.conversationId, object: 'realtime.conversation' } });
  }

  /** The socket is gone: a response in progress stops where it is. */
  close(): void {
    this.closed = true;
    this.response?.abort.abort();
  }

  private send(event: Json): boolean {
    if (this.closed) return false;
    const full = { event_id: realtimeId('event_'), ...event };
    this.onEvent?.('server', full);
    return this.options.io.send(full);
  }

  private error(problem: EventProblem, eventId?: string): void {
    this.send({ type: 'error', error: { type: 'invalid_request_error', code: problem.code, message: problem.message, param: problem.param, event_id: eventId ?? null } });
  }

  /** One frame from the client. Never throws: a problem is the client's `error` event. */
  async receive(text: string): Promise<void> {
    const checked = this.options.check(text);
    if ('problem' in checked) {
      this.onEvent?.('client', { raw: text.length > 2048 ? `${text.slice(0, 2048)}...` : text });
      return this.error(checked.problem, checked.eventId);
    }
    const event = checked.event;
    this.onEvent?.('client', event);
    await this.guarded(event.type, event.event_id, () => this.dispatch(event));
  }

  /**
   * Runs work that asks the pipeline: a scripted drop cuts the socket, any other failure is the
   * client's `server_error` event. Work the VAD starts on its own (no client event awaits it)
   * goes through here too, or its rejection would end the whole process.
   */
  private async guarded(what: string, eventId: string | undefined, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof DropConnection) return this.options.io.cut();
      this.options.logger.error(`realtime ${what}: ${(error as Error)?.stack ?? error}`);
      this.send({ type: 'error', error: { type: 'server_error', code: null, message: `The mock server failed: ${(error as Error)?.message ?? error}`, param: null, event_id: eventId ?? null } });
    }
  }

  private async dispatch(event: ClientEvent): Promise<void> {
    const eventId = event.event_id;
    switch (event.type) {
      case 'session.update': {
        const patch = event.session as Json;
        if (patch.type && patch.type !== this.settings.type) {
          return this.error({ code: 'invalid_value', message: `Cannot update a ${this.settings.type} session to type '${patch.type}'.`, param: 'session.type' }, eventId);
        }
        this.settings = mergeSession(this.settings, patch);
        this.send({ type: 'session.updated', session: this.settings });
        return;
      }
      case 'conversation.item.create':
        return this.createItem(event.item as Json, event.previous_item_id as string | undefined, eventId);
      case 'conversation.item.retrieve': {
        const item = this.items.find((i) => i.id === event.item_id);
        if (!item) return this.notFound(event.item_id, eventId);
        this.send({ type: 'conversation.item.retrieved', item });
        return;
      }
      case 'conversation.item.delete': {
        const at = this.items.findIndex((i) => i.id === event.item_id);
        if (at < 0) return this.notFound(event.item_id, eventId);
        this.items.splice(at, 1);
        this.send({ type: 'conversation.item.deleted', item_id: event.item_id });
        return;
      }
      case 'conversation.item.truncate': {
        const item = this.items.find((i) => i.id === event.item_id);
        if (!item) return this.notFound(event.item_id, eventId);
        if (item.role !== 'assistant') return this.error({ code: 'invalid_value', message: 'Only assistant messages can be truncated.', param: 'item_id' }, eventId);
        const part = Array.isArray(item.content) ? item.content[event.content_index as number] : undefined;
        if (part && typeof part.transcript === 'string') {
          // The transcript keeps the words whose audio was played.
          const words = Math.floor((event.audio_end_ms as number) / AUDIO_MS_PER_WORD);
          part.transcript = splitText(part.transcript).filter((p) => /\S/.test(p)).slice(0, words).join('').trim();
        }
        this.send({ type: 'conversation.item.truncated', item_id: event.item_id, content_index: event.content_index, audio_end_ms: event.audio_end_ms });
        return;
      }
      case 'input_audio_buffer.append': {
        const chunk = Buffer.from(String(event.audio), 'base64');
        if (this.audioBytes + chunk.length > INPUT_AUDIO_MAX_BYTES) {
          return this.error(
            {
              code: 'input_audio_buffer_too_large',
              message: `The input audio buffer would hold ${msForBytes(this.audioBytes + chunk.length).toFixed(0)}ms of audio, more than a session's ${SESSION_SECONDS * 1000}ms: commit or clear it first.`,
              param: 'audio',
            },
            eventId,
          );
        }
        return this.append(chunk);
      }
      case 'input_audio_buffer.commit':
        if (this.audioBytes < bytesForMs(100)) {
          return this.error(
            {
              code: 'input_audio_buffer_commit_empty',
              message: `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${msForBytes(this.audioBytes).toFixed(2)}ms of audio.`,
              param: null,
            },
            eventId,
          );
        }
        return this.commit(this.speech?.itemId ?? realtimeId('item_'));
      case 'input_audio_buffer.clear':
        this.resetAudio();
        this.send({ type: 'input_audio_buffer.cleared' });
        return;
      case 'output_audio_buffer.clear':
        this.response?.abort.abort();
        this.send({ type: 'output_audio_buffer.cleared', response_id: this.response?.id ?? null });
        return;
      case 'response.cancel': {
        const active = this.response;
        if (!active || (typeof event.response_id === 'string' && event.response_id !== active.id)) {
          return this.error({ code: 'response_cancel_not_active', message: 'Cancellation failed: no active response found', param: null }, eventId);
        }
        active.reason = 'client_cancelled';
        active.abort.abort();
        return;
      }
      case 'response.create':
        return this.respond((event.response as Json | undefined) ?? {}, eventId);
      default:
        // A type the spec knows that this mock does not act on (transcription_session.update).
        this.options.logger.debug(`realtime: ${event.type} accepted, not acted on`);
    }
  }

  private notFound(itemId: unknown, eventId: string | undefined): void {
    this.error({ code: 'item_not_found', message: `Item with item_id '${String(itemId)}' not found.`, param: 'item_id' }, eventId);
  }

  /** Inserts after `previous` ('root': first; none: last); the id of the item before it, or null. */
  private insert(item: Json, previous: string | undefined): string | null | undefined {
    if (previous === 'root') {
      this.items.unshift(item);
      return null;
    }
    if (previous === undefined) {
      const before = this.items[this.items.length - 1]?.id ?? null;
      this.items.push(item);
      return before;
    }
    const at = this.items.findIndex((i) => i.id === previous);
    if (at < 0) return undefined;
    this.items.splice(at + 1, 0, item);
    return previous;
  }

  private createItem(given: Json, previous: string | undefined, eventId: string | undefined): void {
    const item: Json = { id: given.id ?? realtimeId('item_'), ...given };
    if (item.type === 'message') item.status = 'completed';
    if (this.items.some((i) => i.id === item.id)) {
      return this.error({ code: 'item_already_exists', message: `Item with id '${item.id}' already exists.`, param: 'item.id' }, eventId);
    }
    const previousId = this.insert(item, previous);
    if (previousId === undefined) {
      return this.error({ code: 'item_not_found', message: `Previous item with id '${previous}' not found.`, param: 'previous_item_id' }, eventId);
    }
    this.announce(item, previousId);
  }

  /** `created` is the beta's name, still sent by the API beside the GA's `added` and `done`. */
  private announce(item: Json, previous_item_id: string | null): void {
    this.send({ type: 'conversation.item.created', previous_item_id, item });
    this.send({ type: 'conversation.item.added', previous_item_id, item });
    this.send({ type: 'conversation.item.done', previous_item_id, item });
  }

  // ---- input audio and the simulated server VAD ----

  private get vad(): Json | null {
    const detection = this.settings.audio?.input?.turn_detection;
    return isPlainObject(detection) ? detection : null;
  }

  private resetAudio(): void {
    this.audio = [];
    this.audioBytes = 0;
    this.pending = Buffer.alloc(0);
    this.speech = undefined;
  }

  private append(chunk: Buffer): void {
    this.audio.push(chunk);
    this.audioBytes += chunk.length;
    const vad = this.vad;
    if (!vad) {
      this.audioClockMs += msForBytes(chunk.length);
      return;
    }
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const frameBytes = bytesForMs(FRAME_MS);
    const whole = data.length - (data.length % frameBytes);
    this.pending = Buffer.from(data.subarray(whole));
    const level = speechLevel(vad.threshold);
    const silence = typeof vad.silence_duration_ms === 'number' ? vad.silence_duration_ms : 500;
    const padding = typeof vad.prefix_padding_ms === 'number' ? vad.prefix_padding_ms : 300;
    for (const rms of frameLevels(data.subarray(0, whole))) {
      this.audioClockMs += FRAME_MS;
      if (rms >= level) {
        if (!this.speech) {
          this.speech = { itemId: realtimeId('item_'), startMs: Math.max(0, this.audioClockMs - FRAME_MS - padding), silentMs: 0 };
          this.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: this.speech.startMs, item_id: this.speech.itemId });
          if (this.response && vad.interrupt_response !== false) {
            this.response.reason = 'turn_detected';
            this.response.abort.abort();
          }
        } else this.speech.silentMs = 0;
      } else if (this.speech) {
        this.speech.silentMs += FRAME_MS;
        if (this.speech.silentMs >= silence) {
          const { itemId } = this.speech;
          this.send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: this.audioClockMs - this.speech.silentMs, item_id: itemId });
          void this.guarded('server_vad', undefined, async () => {
            await this.commit(itemId);
            if (vad.create_response !== false && this.settings.type === 'realtime') await this.respond({}, undefined);
          });
          // The commit took the whole buffer, the rest of this chunk with it.
        }
      }
    }
  }

  private async commit(itemId: string): Promise<void> {
    const audio = Buffer.concat(this.audio);
    this.resetAudio();
    const previous = this.items[this.items.length - 1]?.id ?? null;
    this.send({ type: 'input_audio_buffer.committed', previous_item_id: previous, item_id: itemId });
    const item: Json = { id: itemId, type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] };
    this.items.push(item);
    this.announce(item, previous);
    const transcription = this.settings.audio?.input?.transcription;
    if (!isPlainObject(transcription)) return;
    const model = typeof transcription.model === 'string' ? transcription.model : 'gpt-4o-transcribe';
    const abort = new AbortController();
    const transcript = await this.options.content.transcribe(audio, model, this.ask(abort.signal));
    if (transcript === undefined) {
      this.send({ type: 'conversation.item.input_audio_transcription.failed', item_id: itemId, content_index: 0, error: { type: 'transcription_error', code: 'audio_unintelligible', message: 'Input transcription failed.', param: null } });
      return;
    }
    item.content[0].transcript = transcript;
    for (const delta of splitText(transcript)) this.send({ type: 'conversation.item.input_audio_transcription.delta', item_id: itemId, content_index: 0, delta });
    const input_tokens = audioTokens(msForBytes(audio.length));
    const output_tokens = tokens(transcript);
    this.send({
      type: 'conversation.item.input_audio_transcription.completed',
      item_id: itemId,
      content_index: 0,
      transcript,
      usage: { type: 'tokens', total_tokens: input_tokens + output_tokens, input_tokens, input_token_details: { text_tokens: 0, audio_tokens: input_tokens }, output_tokens },
    });
  }

  private ask(signal: AbortSignal) {
    return { headers: this.options.headers, session: this.options.testSession, realtimeSession: this.id, signal };
  }

  // ---- responses ----

  private async respond(params: Json, eventId: string | undefined): Promise<void> {
    if (this.response) {
      return this.error(
        {
          code: 'conversation_already_has_active_response',
          message: `Conversation already has an active response in progress: ${this.response.id}. Wait until the response is finished before creating a new one.`,
          param: null,
        },
        eventId,
      );
    }
    const active: ActiveResponse = { id: realtimeId('resp_'), abort: new AbortController() };
    this.response = active;
    try {
      await this.runResponse(active, params);
    } finally {
      if (this.response === active) this.response = undefined;
    }
  }

  private async runResponse(active: ActiveResponse, params: Json): Promise<void> {
    const settings = this.settings;
    const inConversation = params.conversation !== 'none';
    const modalities: string[] = Array.isArray(params.output_modalities) ? params.output_modalities : Array.isArray(settings.output_modalities) ? settings.output_modalities : ['audio'];
    const audio = modalities.includes('audio');
    const outputAudio = { ...settings.audio?.output, ...(isPlainObject(params.audio?.output) ? params.audio.output : {}) };
    const base: Json = {
      object: 'realtime.response',
      id: active.id,
      status: 'in_progress',
      status_details: null,
      output: [],
      conversation_id: inConversation ? this.conversationId : null,
      output_modalities: modalities,
      max_output_tokens: params.max_output_tokens ?? settings.max_output_tokens ?? 'inf',
      audio: { output: { format: outputAudio.format ?? { type: 'audio/pcm', rate: 24000 }, voice: outputAudio.voice ?? 'marin' } },
      usage: null,
      metadata: params.metadata ?? null,
    };
    this.send({ type: 'response.created', response: base });

    const context = Array.isArray(params.input) ? (params.input as Json[]).map((i) => (i.type === 'item_reference' ? this.items.find((x) => x.id === i.id) : i)).filter(isPlainObject) : this.items;
    const tools = params.tools ?? settings.tools;
    const maxTokens = params.max_output_tokens ?? settings.max_output_tokens;
    const question: Json = {
      model: this.model,
      input: responsesInput(context),
      instructions: params.instructions ?? settings.instructions,
      ...(Array.isArray(tools) && tools.length > 0 ? { tools, tool_choice: params.tool_choice ?? settings.tool_choice ?? 'auto' } : {}),
      ...(typeof maxTokens === 'number' ? { max_output_tokens: maxTokens } : {}),
      ...(params.metadata ? { metadata: params.metadata } : {}),
      // The conversation lives on the socket: nothing is kept as a stored Response (`--stateful`).
      store: false,
    };
    const produced = await this.options.content.respond(question, this.ask(active.abort.signal));
    if (!produced.ok) {
      this.send({ type: 'response.done', response: { ...base, status: 'failed', status_details: { type: 'failed', error: produced.error } } });
      return;
    }

    const control = mergeControls(this.options.stream(), produced.stream);
    const output: Json[] = [];
    let sent = 0;
    let audioMs = 0;
    let textOut = '';
    const inputText = JSON.stringify(question.input) + String(question.instructions ?? '');
    // Each event of the response after `response.created` is paced and counted, as streams are.
    const emit = async (event: Json): Promise<void> => {
      const wait = sent === 0 ? control.firstEventDelayMs : control.intervalMs;
      if (control.cutAfter !== undefined && sent >= control.cutAfter) throw new CutNow();
      if ((control.errorAfter !== undefined || control.error) && sent >= (control.errorAfter ?? 2)) throw new FailNow();
      // Held to Node's longest timer: past 2^31-1 ms a timer fires after 1 ms.
      if (wait && wait > 0 && Number.isFinite(wait)) await sleep(Math.min(wait, 2 ** 31 - 1), undefined, { signal: active.abort.signal });
      if (active.abort.signal.aborted) throw new CancelNow();
      sent++;
      this.send({ response_id: active.id, ...event });
    };
    const plain = (event: Json) => this.send(event);

    let open: { item: Json; index: number; previous: string | null } | undefined;
    try {
      for (const piece of produced.output) {
        const index = output.length;
        const item = this.outputItem(piece, audio);
        const previous = inConversation ? (this.items[this.items.length - 1]?.id ?? null) : null;
        open = { item, index, previous };
        output.push(item);
        await emit({ type: 'response.output_item.added', output_index: index, item: inProgress(item) });
        if (inConversation) {
          this.items.push(item);
          plain({ type: 'conversation.item.added', previous_item_id: previous, item: inProgress(item) });
        }
        if (piece.type === 'message') {
          textOut += piece.text;
          audioMs += await this.streamMessage(piece.text, item, index, audio, emit);
        } else {
          textOut += piece.name + piece.arguments;
          await this.streamCall(piece, item, index, emit);
        }
        item.status = 'completed';
        await emit({ type: 'response.output_item.done', output_index: index, item });
        if (inConversation) plain({ type: 'conversation.item.done', previous_item_id: previous, item });
        open = undefined;
      }
    } catch (error) {
      if (error instanceof CutNow) return this.options.io.cut();
      if (!(error instanceof CancelNow || error instanceof FailNow || (error as Error).name === 'AbortError')) throw error;
      if (this.closed) return;
      if (open) {
        open.item.status = 'incomplete';
        this.send({ type: 'response.output_item.done', response_id: active.id, output_index: open.index, item: open.item });
        if (inConversation) plain({ type: 'conversation.item.done', previous_item_id: open.previous, item: open.item });
      }
      if (error instanceof FailNow) {
        const failure = control.error ? { type: control.error.type ?? 'server_error', code: control.error.code ?? null, message: control.error.message } : DEFAULT_STREAM_ERROR;
        this.send({ type: 'error', error: { ...failure, param: null, event_id: null } });
        this.send({ type: 'response.done', response: { ...base, status: 'failed', status_details: { type: 'failed', error: { type: failure.type, code: failure.code } }, output } });
        return;
      }
      const reason = active.reason ?? 'client_cancelled';
      this.send({ type: 'response.done', response: { ...base, status: 'cancelled', status_details: { type: 'cancelled', reason }, output, usage: this.usage(produced.usage.input_tokens, inputText, textOut, audioMs) } });
      return;
    }
    this.send({ type: 'response.done', response: { ...base, status: 'completed', output, usage: this.usage(produced.usage.input_tokens, inputText, textOut, audioMs) } });
  }

  private usage(given: number, inputText: string, textOut: string, audioMs: number): Json {
    const input_tokens = given > 0 ? given : tokens(inputText);
    const text_tokens = tokens(textOut);
    const audio_tokens = audioTokens(audioMs);
    const output_tokens = text_tokens + audio_tokens;
    return {
      total_tokens: input_tokens + output_tokens,
      input_tokens,
      output_tokens,
      input_token_details: { text_tokens: input_tokens, audio_tokens: 0, image_tokens: 0, cached_tokens: 0, cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 } },
      output_token_details: { text_tokens, audio_tokens },
    };
  }

  private outputItem(piece: OutputPiece, audio: boolean): Json {
    if (piece.type === 'function_call') {
      return { id: realtimeId('item_'), type: 'function_call', status: 'in_progress', name: piece.name, call_id: piece.call_id || realtimeId('call_'), arguments: piece.arguments };
    }
    const part = audio ? { type: 'output_audio', transcript: piece.text } : { type: 'output_text', text: piece.text };
    return { id: realtimeId('item_'), type: 'message', status: 'in_progress', role: 'assistant', content: [part] };
  }

  /** Text deltas, or transcript deltas each followed by its audio; the audio's milliseconds. */
  private async streamMessage(text: string, item: Json, output_index: number, audio: boolean, emit: (e: Json) => Promise<void>): Promise<number> {
    const ids = { item_id: item.id, output_index, content_index: 0 };
    await emit({ type: 'response.content_part.added', ...ids, part: audio ? { type: 'audio', transcript: '' } : { type: 'text', text: '' } });
    if (!audio) {
      for (const delta of splitText(text)) await emit({ type: 'response.output_text.delta', ...ids, delta });
      await emit({ type: 'response.output_text.done', ...ids, text });
      await emit({ type: 'response.content_part.done', ...ids, part: { type: 'text', text } });
      return 0;
    }
    let samples = 0;
    for (const delta of splitText(text)) {
      await emit({ type: 'response.output_audio_transcript.delta', ...ids, delta });
      const pcm = audioForText(delta, samples);
      samples += pcm.length / 2;
      // Raw chunks split on a sample boundary, so each delta decodes on its own.
      for (let at = 0; at < pcm.length; at += AUDIO_DELTA_BYTES) await emit({ type: 'response.output_audio.delta', ...ids, delta: pcm.subarray(at, at + AUDIO_DELTA_BYTES).toString('base64') });
    }
    await emit({ type: 'response.output_audio.done', ...ids });
    await emit({ type: 'response.output_audio_transcript.done', ...ids, transcript: text });
    await emit({ type: 'response.content_part.done', ...ids, part: { type: 'audio', transcript: text } });
    return wordCount(text) * AUDIO_MS_PER_WORD;
  }

  private async streamCall(piece: Extract<OutputPiece, { type: 'function_call' }>, item: Json, output_index: number, emit: (e: Json) => Promise<void>): Promise<void> {
    const ids = { item_id: item.id, output_index, call_id: item.call_id };
    for (const delta of splitFixed(piece.arguments, 16)) await emit({ type: 'response.function_call_arguments.delta', ...ids, delta });
    await emit({ type: 'response.function_call_arguments.done', ...ids, name: piece.name, arguments: piece.arguments });
  }
}

/** The item as `output_item.added` shows it: running, its content not yet said. */
function inProgress(item: Json): Json {
  if (item.type === 'function_call') return { ...item, status: 'in_progress', arguments: '' };
  return { ...item, status: 'in_progress', content: [] };
}

class CancelNow extends Error {}
class FailNow extends Error {}
class CutNow extends Error {}

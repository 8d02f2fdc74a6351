import type { IncomingHttpHeaders } from 'node:http';
import type { Router } from '../http/router';
import type { UploadedFile } from '../http/parse-body';
import type { Exchange, Handler, MockRequest, MockResponse, StreamControl } from '../pipeline/types';

/**
 * Where a Realtime response's content comes from: the server's own pipeline, asked the
 * `createResponse` (Responses API) question the conversation amounts to. Scripts, overrides,
 * cassettes, the proxy and realism answer it as they answer `POST /v1/responses`, so one
 * override of `createResponse` (or `*`) rewrites chat-like text for Responses and Realtime alike.
 * The input audio's transcript is asked of `createTranscription` the same way.
 */

export type Json = Record<string, any>;

/** One output item of the answer, as the socket streams it. */
export type OutputPiece =
  | { type: 'message'; text: string }
  | { type: 'function_call'; name: string; arguments: string; call_id: string };

export type Produced =
  | { ok: true; output: OutputPiece[]; usage: { input_tokens: number; output_tokens: number }; stream?: StreamControl }
  | { ok: false; error: { type: string; code: string | null; message: string } };

export interface ContentSource {
  /** The exchange that was run and its answer, for the journal. */
  onAnswer?(exchange: Exchange, result: MockResponse, started: bigint): void;
}

export interface AskOptions {
  headers: IncomingHttpHeaders;
  session: string | undefined;
  /** The socket's session id: overrides can tell a Realtime question by the `x-mock-realtime` header. */
  realtimeSession: string;
  signal: AbortSignal;
}

/** The text of a Realtime message's content parts (a user's audio counts by its transcript). */
export function messageText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content
    .map((part: Json) => (typeof part?.text === 'string' ? part.text : typeof part?.transcript === 'string' ? part.transcript : ''))
    .filter((t) => t !== '')
    .join('\n');
}

/** Realtime conversation items as the Responses API's input items. */
export function responsesInput(items: readonly Json[]): Json[] {
  const input: Json[] = [];
  for (const item of items) {
    if (item.type === 'message') {
      const role = item.role === 'assistant' || item.role === 'system' ? item.role : 'user';
      const text = messageText(item.content);
      input.push({ type: 'message', role, content: text === '' && role === 'user' ? '(audio)' : text });
    } else if (item.type === 'function_call') {
      input.push({ type: 'function_call', call_id: item.call_id, name: item.name, arguments: item.arguments ?? '' });
    } else if (item.type === 'function_call_output') {
      input.push({ type: 'function_call_output', call_id: item.call_id, output: item.output ?? '' });
    }
  }
  return input;
}

function outputOf(body: Json): OutputPiece[] {
  const output: OutputPiece[] = [];
  for (const item of Array.isArray(body.output) ? body.output : []) {
    if (item?.type === 'message') {
      const text = (Array.isArray(item.content) ? item.content : [])
        .map((part: Json) => (part?.type === 'output_text' ? part.text : part?.type === 'refusal' ? part.refusal : ''))
        .filter((t: unknown): t is string => typeof t === 'string' && t !== '')
        .join('');
      output.push({ type: 'message', text });
    } else if (item?.type === 'function_call' && typeof item.name === 'string') {
      output.push({ type: 'function_call', name: item.name, arguments: typeof item.arguments === 'string' ? item.arguments : JSON.stringify(item.arguments ?? {}), call_id: String(item.call_id ?? '') });
    }
  }
  // A body with no output at all (an override's bare text) still speaks.
  if (output.length === 0 && typeof body.output_text === 'string') output.push({ type: 'message', text: body.output_text });
  return output;
}

const errorOf = (body: unknown, status: number) => {
  const error = (body as Json | undefined)?.error;
  return {
    type: typeof error?.type === 'string' ? error.type : status >= 500 ? 'server_error' : 'invalid_request_error',
    code: typeof error?.code === 'string' ? error.code : null,
    message: typeof error?.message === 'string' ? error.message : `The response failed with status ${status}.`,
  };
};

export function createContentSource(router: Router, pipeline: () => Handler, source: ContentSource = {}) {
  const responses = router.match('POST', '/responses', new URLSearchParams());
  const transcriptions = router.match('POST', '/audio/transcriptions', new URLSearchParams());

  async function run(path: string, route: NonNullable<typeof responses>, body: unknown, files: Record<string, UploadedFile>, contentType: string, options: AskOptions) {
    const started = process.hrtime.bigint();
    const request: MockRequest = {
      method: 'POST',
      path: `/v1${path}`,
      apiPath: path,
      params: {},
      query: {},
      headers: { ...options.headers, 'content-type': contentType, 'x-mock-realtime': options.realtimeSession },
      body,
      files,
      contentType,
      raw: contentType === 'application/json' ? Buffer.from(JSON.stringify(body)) : undefined,
      search: '',
    };
    const exchange: Exchange = {
      request,
      operation: route.operation,
      operationId: route.operation.iid,
      template: route.template.split('?')[0]!,
      responseMediaType: 'application/json',
      preferences: {},
      signal: options.signal,
      session: options.session,
    };
    const result = await pipeline()(exchange);
    source.onAnswer?.(exchange, result, started);
    return result;
  }

  return {
    /** The answer to `body` (a `createResponse` request, never streamed). Throws DropConnection when a script says so. */
    async respond(body: Json, options: AskOptions): Promise<Produced> {
      if (!responses) return { ok: false, error: { type: 'server_error', code: null, message: 'The spec has no POST /responses operation to answer from.' } };
      const result = await run('/responses', responses, { ...body, stream: false }, {}, 'application/json', options);
      if (result.status < 200 || result.status >= 300) return { ok: false, error: errorOf(result.body, result.status) };
      const answer = (typeof result.body === 'object' && result.body !== null && !Buffer.isBuffer(result.body) ? result.body : {}) as Json;
      const usage = answer.usage as Json | undefined;
      const output = outputOf(answer);
      return {
        ok: true,
        output,
        usage: {
          input_tokens: typeof usage?.input_tokens === 'number' ? usage.input_tokens : 0,
          output_tokens: typeof usage?.output_tokens === 'number' ? usage.output_tokens : 0,
        },
        stream: result.stream,
      };
    },

    /** The transcript of committed input audio, or undefined when the pipeline answers none. */
    async transcribe(audio: Buffer, model: string, options: AskOptions): Promise<string | undefined> {
      if (!transcriptions) return undefined;
      const file: UploadedFile = { filename: 'audio.pcm', mimeType: 'audio/pcm', bytes: audio.length, data: audio };
      const result = await run('/audio/transcriptions', transcriptions, { model, file }, { file }, 'multipart/form-data', options);
      if (result.status < 200 || result.status >= 300) return undefined;
      const body = result.body;
      if (typeof body === 'string') return body.trim();
      const text = (body as Json | undefined)?.text;
      return typeof text === 'string' ? text : undefined;
    },
  };
}

export type Content = ReturnType<typeof createContentSource>;

import type { StreamControl } from '../pipeline/types';
import type { OperationKey } from '../overrides/operations';
import type { OverrideContext, OverrideRequest } from '../overrides/types';

/**
 * Scripted answers as data: what fixture files and `POST /__admin/scripts` hold, and what
 * `mock.on(...)` builds in code. Each is compiled into an override (src/overrides/set.ts), so the
 * three share the operation names, the "did you mean" and the matching.
 */

/** A regular expression in JSON: `{ "regex": "weather|forecast", "flags": "i" }`. */
export interface RegexSpec {
  regex: string;
  flags?: string;
}

/** Which requests a script answers; every field given must hold. */
export interface ScriptMatch {
  /** The request's `model`: equal, or matching a regex. */
  model?: string | RegExp | RegexSpec;
  /** The last user message (chat) or the input text (Responses API): a substring, or a regex. */
  lastUserMessage?: string | RegExp | RegexSpec;
  /** `true`: the request offers tools; `false`: it offers none; a name: it offers that tool. */
  tools?: boolean | string;
  /** `true`: only streamed requests; `false`: only plain ones. */
  stream?: boolean;
  /** A partial body: every key given must be in the request with that value (objects and arrays compared key by key). */
  body?: Record<string, unknown>;
  /** Body paths to values: `{ "messages[0].role": "system", "tools[0].function.name": { "regex": "^get_" } }`. */
  where?: Record<string, unknown>;
  /** The API key the request carried (exact). */
  apiKey?: string;
}

/** `text('...')`: the assistant answers with this text (chat completions, the Responses API, completions, transcriptions). */
export interface TextReply {
  text: string;
}

/** `toolCall('get_weather', { city: 'Paris' })`: the assistant calls this function (chat completions, the Responses API). */
export interface ToolCallReply {
  toolCall: { name: string; arguments?: Record<string, unknown> | string };
}

/** The whole answer, or a part of it: `body` is merged over the answer the mock would give (objects by key, arrays by index). */
export interface ResponseReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** An answer: text, a tool call, `{ status, headers, body }`, or a (partial) body of the operation's answer. */
export type Reply = string | TextReply | ToolCallReply | ResponseReply | Record<string, unknown>;

/** A scripted failure: the API's error body and headers for the status. */
export interface Fault {
  status: number;
  message?: string;
  type?: string;
  /** e.g. `rate_limit_exceeded`, `context_length_exceeded`, `content_filter`, `insufficient_quota`. */
  code?: string | null;
  param?: string | null;
  /** Seconds, for 429 and 503: sent as `retry-after` and `retry-after-ms`, which the SDK waits for before retrying. */
  retryAfter?: number;
  headers?: Record<string, string>;
}

/** A script in data form: fixture files, the admin API. */
export interface ScriptSpec {
  /** An operationId (`createChatCompletion`) or `METHOD /path`, as in overrides. */
  operation: OperationKey;
  name?: string;
  /** Only requests of this session (`x-mock-session`, or the API key when so configured). */
  session?: string;
  match?: ScriptMatch;
  /** How many requests it answers; unlimited when not given (1 for each of `replies`). */
  times?: number;
  reply?: Reply;
  /** A sequence: each answers one request, in order. */
  replies?: Reply[];
  fail?: Fault;
  /** Close the connection without answering. */
  close?: boolean;
  /** Milliseconds to wait before answering (before the status line). */
  delayMs?: number;
  /** Pacing and failures of the streamed form: `intervalMs`, `firstEventDelayMs`, `cutAfter`, `errorAfter`, `error`. */
  stream?: StreamControl;
}

/** A script's answer computed from the request, in code. */
export type ReplyFunction = (request: OverrideRequest<any>, context: OverrideContext<any>) => Reply | Promise<Reply>;

/** A script's request test in code: data, or a function of the request. */
export type MatchFunction = (request: OverrideRequest<any>) => boolean | Promise<boolean>;

/** The assistant answers with this text. */
export const text = (content: string): TextReply => ({ text: content });

/** The assistant calls the function `name` with `args`. */
export const toolCall = (name: string, args: Record<string, unknown> | string = {}): ToolCallReply => ({ toolCall: { name, arguments: args } });

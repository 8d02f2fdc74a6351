import { chat } from '../overrides/chat';
import { responses } from '../overrides/responses';
import { errors } from '../overrides/errors';
import type { ErrorResponse, OpenAIErrorType } from '../http/errors';
import type { OverrideContext, Replacement } from '../overrides/types';
import type { Fault, Reply, ResponseReply, TextReply, ToolCallReply } from './spec';

/**
 * A script's answer made into an override's replacement. Text and tool calls go through the same
 * helpers overrides use (`chat.reply`, `responses.toolCall`...), which complete them from the
 * answer the mock would give; a (partial) body is merged over that answer.
 */

export class ScriptAnswerError extends Error {}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);

const RESPONSE_KEYS = new Set(['status', 'headers', 'body']);

export const isTextReply = (reply: unknown): reply is TextReply => isRecord(reply) && Object.keys(reply).length === 1 && typeof reply.text === 'string';
export const isToolCallReply = (reply: unknown): reply is ToolCallReply =>
  isRecord(reply) && Object.keys(reply).length === 1 && isRecord(reply.toolCall) && typeof reply.toolCall.name === 'string';
export const isResponseReply = (reply: unknown): reply is ResponseReply =>
  isRecord(reply) && Object.keys(reply).length > 0 && Object.keys(reply).every((k) => RESPONSE_KEYS.has(k)) && (reply.status === undefined || typeof reply.status === 'number');

/** `patch` over `base`: objects key by key, arrays item by item (the patch's length wins), anything else replaced. */
export function mergeBody(base: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) {
    return patch.map((item, i) => (Array.isArray(base) && isRecord(item) && isRecord(base[i]) ? mergeBody(base[i], item) : item));
  }
  if (!isRecord(patch) || !isRecord(base)) return patch;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) merged[key] = Object.hasOwn(base, key) ? mergeBody(base[key], value) : value;
  return merged;
}

const CHAT = new Set(['createChatCompletion']);
const RESPONSES = new Set(['createResponse', 'beta_createResponse']);
const TRANSCRIPTS = new Set(['createTranscription', 'createTranslation']);

function textAnswer(context: OverrideContext<any>, content: string): Replacement<any> {
  const id = context.operation.id;
  if (CHAT.has(id)) return chat.reply(context, content);
  if (RESPONSES.has(id)) return responses.reply(context, content);
  const body = context.response.body as unknown;
  if (id === 'createCompletion' && isRecord(body) && Array.isArray(body.choices)) {
    return { body: { ...body, choices: body.choices.map((choice) => ({ ...(choice as object), text: content, finish_reason: 'stop' })) } };
  }
  if (TRANSCRIPTS.has(id)) return { body: typeof body === 'string' || !isRecord(body) ? content : { ...body, text: content } };
  throw new ScriptAnswerError(`text() answers chat completions, the Responses API, completions and transcriptions, not ${id}; reply with a body instead`);
}

function toolCallAnswer(context: OverrideContext<any>, call: ToolCallReply['toolCall']): Replacement<any> {
  const id = context.operation.id;
  if (CHAT.has(id)) return chat.toolCall(context, call.name, call.arguments);
  if (RESPONSES.has(id)) return responses.toolCall(context, call.name, call.arguments);
  throw new ScriptAnswerError(`toolCall() answers chat completions and the Responses API, not ${id}`);
}

function bodyAnswer(context: OverrideContext<any>, reply: ResponseReply): Replacement<any> {
  const current = context.response;
  const status = reply.status ?? current.status;
  const replacement: Replacement<any> = {};
  if (reply.status !== undefined) replacement.status = reply.status;
  if (reply.headers) replacement.headers = reply.headers;
  if ('body' in reply) {
    // A partial answer is completed from the mock's own; an error or another status is taken as given.
    const partial = status >= 200 && status < 300 && current.status >= 200 && current.status < 300;
    replacement.body = (partial ? mergeBody(current.body, reply.body) : reply.body) as Replacement<any>['body'];
  }
  return replacement;
}

export function replacementFor(reply: Reply, context: OverrideContext<any>): Replacement<any> {
  if (typeof reply === 'string') return textAnswer(context, reply);
  if (isTextReply(reply)) return textAnswer(context, reply.text);
  if (isToolCallReply(reply)) return toolCallAnswer(context, reply.toolCall);
  if (isResponseReply(reply)) return bodyAnswer(context, reply);
  if (isRecord(reply)) return bodyAnswer(context, { body: reply });
  throw new ScriptAnswerError(`a reply is text, text('...'), toolCall(name, args), { status, headers, body } or a body; got ${reply === null ? 'null' : typeof reply}`);
}

/** What a reply in data form must look like; a message naming what is wrong, or undefined. */
export function replyProblem(reply: unknown): string | undefined {
  if (typeof reply === 'string' || typeof reply === 'function') return undefined;
  if (!isRecord(reply)) return `a reply is text, { text }, { toolCall: { name, arguments } }, { status, headers, body } or a body; got ${JSON.stringify(reply)}`;
  if ('toolCall' in reply && !isToolCallReply(reply)) return `toolCall needs { name, arguments }, got ${JSON.stringify(reply.toolCall)}`;
  const status = isResponseReply(reply) ? (reply.status as unknown) : undefined;
  if (status !== undefined && !(typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599)) {
    return `status must be a whole number from 100 to 599, got ${JSON.stringify(status)}`;
  }
  return undefined;
}

/** Wordings the API uses for the failures tests most often script, by code. */
const KNOWN_CODES: Record<string, { message: string; type: OpenAIErrorType; param: string | null }> = {
  context_length_exceeded: {
    message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.",
    type: 'invalid_request_error',
    param: 'messages',
  },
  content_filter: {
    message: "The response was filtered due to the prompt triggering OpenAI's content management policy. Please modify your prompt and retry.",
    type: 'invalid_request_error',
    param: 'prompt',
  },
  content_policy_violation: {
    message: 'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
    type: 'invalid_request_error',
    param: null,
  },
  model_not_found: { message: 'The model does not exist or you do not have access to it.', type: 'invalid_request_error', param: 'model' },
};

export function faultProblem(fault: unknown): string | undefined {
  if (!isRecord(fault)) return `"fail" must be an object { status, message, code, retryAfter }, got ${JSON.stringify(fault)}`;
  if (!(Number.isInteger(fault.status) && (fault.status as number) >= 400 && (fault.status as number) <= 599)) {
    return `fail.status must be a whole number from 400 to 599, got ${JSON.stringify(fault.status)}`;
  }
  if (fault.retryAfter !== undefined && !(typeof fault.retryAfter === 'number' && fault.retryAfter >= 0)) return `fail.retryAfter is seconds (a number >= 0), got ${JSON.stringify(fault.retryAfter)}`;
  return undefined;
}

/** The API's error answer for a scripted failure (429s and 503s with `retry-after`, which the SDK honours). */
export function faultResponse(fault: Fault): ErrorResponse {
  const known = fault.code ? KNOWN_CODES[fault.code] : undefined;
  const retry: Record<string, string> =
    fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter), 'retry-after-ms': String(Math.round(fault.retryAfter * 1000)) } : {};
  const options = {
    message: fault.message ?? known?.message,
    type: (fault.type ?? known?.type) as OpenAIErrorType | undefined,
    code: fault.code,
    param: fault.param ?? known?.param,
    headers: { ...retry, ...fault.headers },
  };
  if (fault.status === 429) return fault.code === 'insufficient_quota' ? errors.insufficientQuota(options) : errors.rateLimit({ ...options, retryAfter: fault.retryAfter });
  if (fault.status === 503 && !known) return errors.overloaded(options);
  if (fault.status === 500 && !known) return errors.server(options.message, options);
  if (fault.status === 401) return errors.unauthorized(options);
  return errors.status(fault.status, options.message ?? `Scripted failure (${fault.status}).`, options);
}

import { randomBytes } from 'node:crypto';
import type {
  ChatCompletion,
  ChatCompletionCreateParams,
  ChatCompletionMessage,
  ChatCompletionMessageFunctionToolCall,
} from 'openai/resources/chat/completions';

/**
 * Chat completion answers in one call, for the common overrides: a fixed text, a text made from
 * the request, a tool call. They keep what the response already had (id, usage...) where it is a
 * chat completion, and build a complete one otherwise.
 */

interface ChatContext {
  request: { body: ChatCompletionCreateParams };
  response: { body: unknown };
}

const id = (prefix: string) => `${prefix}${randomBytes(12).toString('base64url')}`;

/** Tokens, roughly: about four characters each, as OpenAI's own rule of thumb has it. */
const roughTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

function isChatCompletion(body: unknown): body is ChatCompletion {
  return typeof body === 'object' && body !== null && Array.isArray((body as ChatCompletion).choices);
}

function completion(context: ChatContext, message: ChatCompletionMessage, finishReason: ChatCompletion.Choice['finish_reason']): ChatCompletion {
  const base = isChatCompletion(context.response.body) ? context.response.body : undefined;
  const count = Math.max(1, context.request.body.n ?? 1);
  const output = message.content ?? JSON.stringify(message.tool_calls ?? []);
  const promptTokens = base?.usage?.prompt_tokens ?? roughTokens(JSON.stringify(context.request.body.messages));
  const completionTokens = roughTokens(output) * count;
  return {
    ...base,
    id: base?.id ?? id('chatcmpl-'),
    object: 'chat.completion',
    created: base?.created ?? Math.floor(Date.now() / 1000),
    model: context.request.body.model ?? base?.model,
    choices: Array.from({ length: count }, (_, index) => ({ index, message, finish_reason: finishReason, logprobs: null })),
    usage: { ...base?.usage, prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

/** The text of the last user message (its text parts joined), or '' when there is none. */
export function lastUserMessage(body: ChatCompletionCreateParams): string {
  const message = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  if (!message) return '';
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((part) => (part.type === 'text' ? part.text : ''))
    .filter(Boolean)
    .join('\n');
}

export const chat = {
  /** `response: (ctx) => chat.reply(ctx, 'Hello World!!')` */
  reply(context: ChatContext, content: string): { body: ChatCompletion } {
    return { body: completion(context, { role: 'assistant', content, refusal: null }, 'stop') };
  },

  /**
   * A call of the function `name` with `args` (an object, serialised, or a JSON string), which the
   * SDK parses like a real one: `response: (ctx) => chat.toolCall(ctx, 'get_weather', { city: 'Paris' })`.
   */
  toolCall(context: ChatContext, name: string, args: Record<string, unknown> | string = {}): { body: ChatCompletion } {
    const call: ChatCompletionMessageFunctionToolCall = {
      id: id('call_'),
      type: 'function',
      function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) },
    };
    return { body: completion(context, { role: 'assistant', content: null, refusal: null, tool_calls: [call] }, 'tool_calls') };
  },

  lastUserMessage,
};

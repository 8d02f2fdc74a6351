import { randomBytes } from 'node:crypto';
import type { Response, ResponseCreateParams, ResponseFunctionToolCall, ResponseOutputMessage } from 'openai/resources/responses/responses';

/** Responses API answers in one call: `response: (ctx) => responses.reply(ctx, 'Hello World!!')`. */

interface ResponsesContext {
  request: { body: ResponseCreateParams };
  response: { body: unknown };
}

const id = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;

function isResponse(body: unknown): body is Response {
  return typeof body === 'object' && body !== null && (body as Response).object === 'response';
}

/** The text of the request's input: the string, or the text parts of the last user message. */
export function inputText(body: ResponseCreateParams): string {
  if (typeof body.input === 'string') return body.input;
  const message = [...(body.input ?? [])].reverse().find((item) => 'role' in item && item.role === 'user');
  if (!message || !('content' in message)) return '';
  if (typeof message.content === 'string') return message.content;
  return (message.content as Array<{ type: string; text?: string }>)
    .map((part) => (part.type === 'input_text' ? (part.text ?? '') : ''))
    .filter(Boolean)
    .join('\n');
}

function response(context: ResponsesContext, output: Response['output'], text: string): { body: Response } {
  const base = isResponse(context.response.body) ? context.response.body : undefined;
  const now = Math.floor(Date.now() / 1000);
  return {
    body: {
      ...(base ?? ({} as Response)),
      id: base?.id ?? id('resp_'),
      object: 'response',
      created_at: base?.created_at ?? now,
      model: context.request.body.model ?? base?.model ?? 'gpt-4o',
      status: 'completed',
      error: null,
      incomplete_details: null,
      instructions: base?.instructions ?? (typeof context.request.body.instructions === 'string' ? context.request.body.instructions : null),
      metadata: base?.metadata ?? null,
      output,
      output_text: text,
      parallel_tool_calls: base?.parallel_tool_calls ?? true,
      temperature: base?.temperature ?? null,
      tool_choice: base?.tool_choice ?? 'auto',
      tools: base?.tools ?? [],
      top_p: base?.top_p ?? null,
    },
  };
}

export const responses = {
  reply(context: ResponsesContext, text: string): { body: Response } {
    const message: ResponseOutputMessage = {
      id: id('msg_'),
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
    };
    return response(context, [message], text);
  },
  /** A call of the function `name` with `args` (an object, serialised, or a JSON string): `responses.toolCall(ctx, 'get_weather', { city: 'Paris' })`. */
  toolCall(context: ResponsesContext, name: string, args: Record<string, unknown> | string = {}): { body: Response } {
    const call: ResponseFunctionToolCall = {
      id: id('fc_'),
      type: 'function_call',
      call_id: id('call_'),
      name,
      arguments: typeof args === 'string' ? args : JSON.stringify(args),
      status: 'completed',
    };
    return response(context, [call], '');
  },
  inputText,
};

import { chat, defineOverride } from 'openai-mock';

/**
 * A request that offers a `get_weather` tool gets a call of it; once the tool's result comes
 * back, the answer quotes it.
 */
export default [
  defineOverride({
    operation: 'createChatCompletion',
    match: (request) =>
      (request.body.tools ?? []).some((tool) => tool.type === 'function' && tool.function.name === 'get_weather') &&
      request.body.messages.at(-1)?.role !== 'tool',
    response: (ctx) => chat.toolCall(ctx, 'get_weather', { city: 'Paris' }),
  }),
  defineOverride({
    operation: 'createChatCompletion',
    match: (request) => request.body.messages.at(-1)?.role === 'tool',
    response: (ctx) => {
      const result = ctx.request.body.messages.at(-1)?.content;
      return chat.reply(ctx, `The weather: ${typeof result === 'string' ? result : result?.map((part) => (part.type === 'text' ? part.text : '')).join('')}`);
    },
  }),
];

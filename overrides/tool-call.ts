import { chat, defineOverride } from 'openai-mock';

/**
 * A request that offers a `get_weather` tool gets a call of it; once the tool's result is sent
 * back, the answer uses it.
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
    response: (ctx) => chat.reply(ctx, `The weather: ${ctx.request.body.messages.at(-1)?.content}`),
  }),
];

import { chat, defineOverride } from 'openai-mock';

/** `model: 'echo'` answers with the last user message. */
export default defineOverride({
  operation: 'POST /v1/chat/completions',
  match: (request) => request.body.model === 'echo',
  response: (ctx) => chat.reply(ctx, `You said: ${chat.lastUserMessage(ctx.request.body)}`),
});

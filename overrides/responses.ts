import { defineOverride, responses } from 'openai-mock';

/** The Responses API echoes its input. */
export default defineOverride({
  operation: 'createResponse',
  response: (ctx) => responses.reply(ctx, `Hello World!! You said: ${responses.inputText(ctx.request.body)}`),
});

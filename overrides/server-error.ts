import { defineOverride, errors } from 'openai-mock';

/** `model: 'server-error'` gets a 500 in OpenAI's shape. */
export default defineOverride({
  operation: 'createChatCompletion',
  match: (request) => request.body.model === 'server-error',
  response: () => errors.server(),
});

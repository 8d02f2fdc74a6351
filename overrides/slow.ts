import { defineOverride, delay } from 'openai-mock';

/** `model: 'slow'` answers after 300 ms (whatever the overrides before this one made of it). */
export default defineOverride({
  operation: 'createChatCompletion',
  match: (request) => request.body.model === 'slow',
  response: () => delay(300),
});

import { defineOverride, errors } from 'openai-mock';

/** `model: 'rate-limited'` gets a 429 with `retry-after: 2`; the SDK raises RateLimitError. */
export default defineOverride({
  operation: 'createChatCompletion',
  match: (request) => request.body.model === 'rate-limited',
  response: errors.rateLimit({ retryAfter: 2, message: 'Rate limit reached for rate-limited. Please try again in 2s.' }),
});

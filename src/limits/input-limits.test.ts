import { checkInputLimits } from './input-limits';

const check = (operation: string, body: Record<string, unknown>) => checkInputLimits(operation, body, JSON.stringify(body).length);
const words = (tokens: number) => 'abcd'.repeat(tokens);

test('chat: messages plus the completion asked for against the window, in the API\'s words', () => {
  const body = { model: 'gpt-4', messages: [{ role: 'user', content: words(8000) }], max_tokens: 500 };
  expect(check('createChatCompletion', body)?.body.error).toEqual({
    message: "This model's maximum context length is 8192 tokens. However, you requested 8507 tokens (8007 in the messages, 500 in the completion). Please reduce the length of the messages or completion.",
    type: 'invalid_request_error',
    param: 'messages',
    code: 'context_length_exceeded',
  });
  expect(check('createChatCompletion', { ...body, max_tokens: 100 })).toBeUndefined();
  // An unknown model's window is a guess: a large max_tokens is not held against it, nor refused.
  expect(check('createChatCompletion', { model: 'my-model', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1_000_000 })).toBeUndefined();
  expect(check('createChatCompletion', { model: 'gpt-4.1', messages: [], max_completion_tokens: 40_000 })?.body.error).toMatchObject({
    message: 'max_completion_tokens is too large: 40000. This model supports at most 32768 completion tokens, whereas you provided 40000.',
    param: 'max_completion_tokens',
  });
});

test('responses and completions: their own wording', () => {
  expect(check('createResponse', { model: 'gpt-4o', input: words(130_000) })?.body.error).toEqual({
    message: 'Your input exceeds the context window of this model. Please adjust your input and try again.',
    type: 'invalid_request_error',
    param: 'input',
    code: 'context_length_exceeded',
  });
  expect(check('createResponse', { model: 'gpt-4.1', input: words(130_000) })).toBeUndefined();
  expect(check('createCompletion', { model: 'gpt-3.5-turbo-instruct', prompt: ['hi', words(4000)], max_tokens: 200 })?.body.error.message).toBe(
    "This model's maximum context length is 4096 tokens, however you requested 4200 tokens (4000 in your prompt; 200 for the completion). Please reduce your prompt; or completion length.",
  );
});

test('embeddings: per input, per request, inputs per request', () => {
  expect(check('createEmbedding', { model: 'text-embedding-3-small', input: [words(9000)] })?.body.error.code).toBe('context_length_exceeded');
  expect(check('createEmbedding', { model: 'text-embedding-3-small', input: Array(40).fill(words(8000)) })?.body.error).toEqual({
    message: 'Requested 320000 tokens, max 300000 tokens per request',
    type: 'max_tokens_per_request',
    param: null,
    code: 'max_tokens_per_request',
  });
  expect(check('createEmbedding', { model: 'text-embedding-3-small', input: Array(2049).fill('a') })?.body.error.code).toBe('array_above_max_length');
  expect(check('createEmbedding', { model: 'text-embedding-3-large', input: 'a', dimensions: 3072 })).toBeUndefined();
  // A token array is one input, however long.
  expect(check('createEmbedding', { model: 'text-embedding-3-small', input: Array(2000).fill(1) })).toBeUndefined();
});

test('small bodies are not counted, odd ones are left to the validator', () => {
  // Claimed to be tiny: not even walked.
  expect(checkInputLimits('createChatCompletion', { model: 'gpt-4', messages: [{ role: 'user', content: words(9000) }] }, 100)).toBeUndefined();
  expect(check('createChatCompletion', { model: 42, messages: 'x' })).toBeUndefined();
  expect(check('listModels', { model: 'gpt-4o' })).toBeUndefined();
});

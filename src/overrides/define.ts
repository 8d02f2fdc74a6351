import type { OperationKey } from './operations';
import type { Override } from './types';

/**
 * Declares an override. The operation's name picks the types: for `createChatCompletion` (or
 * `"POST /chat/completions"`), `request.body` is the SDK's `ChatCompletionCreateParams` and the
 * response body its `ChatCompletion`, so a misspelt field is a compile error.
 */
export function defineOverride<const Key extends OperationKey>(override: Override<Key>): Override<NoInfer<Key>> {
  return override;
}

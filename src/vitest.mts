import { expect } from 'vitest';
import { matchers, type OpenAIMockMatchers } from './assertions/matchers.js';

/**
 * `import 'openai-mock/vitest'` (in a test file, or `setupFiles`): registers
 * `expect(mock).toHaveReceived(...)` and `toHaveReceivedTimes(...)` on Vitest's `expect`.
 */

expect.extend(matchers);

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Assertion<T = any> extends OpenAIMockMatchers<void> {}
}

export { matchers };
export type { OpenAIMockMatchers };

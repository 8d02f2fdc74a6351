import { matchers, type OpenAIMockMatchers } from './assertions/matchers';

/**
 * `import 'openai-mock/jest'` (in a test file, or `setupFilesAfterEach`): registers
 * `expect(mock).toHaveReceived(...)` and `toHaveReceivedTimes(...)` on Jest's global `expect`.
 */

const globalExpect = (globalThis as { expect?: { extend?(m: object): void } }).expect;
if (typeof globalExpect?.extend === 'function') globalExpect.extend(matchers);

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Matchers<R> extends OpenAIMockMatchers<R> {}
  }
}

export { matchers };
export type { OpenAIMockMatchers };

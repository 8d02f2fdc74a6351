import { receivedProblem, type HasJournal, type ReceivedExpectation } from './received';

/**
 * `toHaveReceived` and `toHaveReceivedTimes` for Jest and Vitest (`openai-mock/jest`,
 * `openai-mock/vitest` register them). They compare with the runner's own `equals`, so
 * `expect.objectContaining(...)` and the other asymmetric matchers work inside the expectation.
 */

interface MatcherContext {
  isNot?: boolean;
  equals(a: unknown, b: unknown): boolean;
}

export const matchers = {
  toHaveReceived(this: MatcherContext, mock: HasJournal, operation: string, expected: ReceivedExpectation = {}) {
    const result = receivedProblem(mock, operation, expected, { equals: (a, b) => this.equals(a, b), not: this.isNot });
    return { pass: result.pass, message: () => result.message };
  },
  toHaveReceivedTimes(this: MatcherContext, mock: HasJournal, operation: string, times: number, expected: ReceivedExpectation = {}) {
    const result = receivedProblem(mock, operation, expected, { times, equals: (a, b) => this.equals(a, b), not: this.isNot });
    return { pass: result.pass, message: () => result.message };
  },
};

export interface OpenAIMockMatchers<R = unknown> {
  /** At least one request of `operation` (an operationId or `METHOD /path`) with this body, query, headers or session. */
  toHaveReceived(operation: string, expected?: ReceivedExpectation): R;
  /** Exactly `times` such requests. */
  toHaveReceivedTimes(operation: string, times: number, expected?: ReceivedExpectation): R;
}

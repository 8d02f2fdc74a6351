import type { MockRequest } from './types';

// A property of the request itself, not a WeakMap entry: one less table to fill and sweep per request.
const TEXT = Symbol('openai-mock.requestText');
type WithText = MockRequest & { [TEXT]?: { body: unknown; text: string } };

/** The front keeps the JSON text a request's body was parsed from, for the steps that key on it. */
export function keepRequestText(request: MockRequest, text: string): void {
  (request as WithText)[TEXT] = { body: request.body, text };
}

/**
 * The JSON text of the request's body as it was sent, while the body is still the value parsed
 * from it: a step that gives the request another body (a new object) leaves it without one. A
 * body changed in place would not be seen, as the proxy, which forwards `raw`, would not see it.
 */
export function requestTextOf(request: MockRequest): string | undefined {
  const kept = (request as WithText)[TEXT];
  return kept && kept.body === request.body ? kept.text : undefined;
}

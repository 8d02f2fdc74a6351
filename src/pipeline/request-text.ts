import type { MockRequest } from './types';

const texts = new WeakMap<MockRequest, { body: unknown; text: string }>();

/** The front keeps the JSON text a request's body was parsed from, for the steps that key on it. */
export function keepRequestText(request: MockRequest, text: string): void {
  texts.set(request, { body: request.body, text });
}

/**
 * The JSON text of the request's body as it was sent, while the body is still the value parsed
 * from it: a step that gives the request another body (a new object) leaves it without one. A
 * body changed in place would not be seen, as the proxy, which forwards `raw`, would not see it.
 */
export function requestTextOf(request: MockRequest): string | undefined {
  const kept = texts.get(request);
  return kept && kept.body === request.body ? kept.text : undefined;
}

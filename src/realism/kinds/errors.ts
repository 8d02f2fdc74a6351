import type { MockResponse } from '../../pipeline/types';
import { errors } from '../../overrides/errors';
import type { ErrorResponse } from '../../http/errors';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What the API says for each status, from the same helpers overrides use. */
const TYPICAL: Record<number, () => ErrorResponse> = {
  400: () => errors.invalidRequest('The request is not valid.'),
  401: () => errors.unauthorized(),
  403: () => errors.status(403, 'You are not allowed to perform this request.'),
  404: () => errors.notFound('The requested resource was not found.'),
  409: () => errors.status(409, 'The request conflicts with the current state of the resource.'),
  429: () => errors.rateLimit(),
  500: () => errors.server(),
  503: () => errors.overloaded(),
};

/**
 * A documented error answer (`Prefer: code=429`) carries the spec's placeholders ("string" for
 * every field); it becomes the body, and headers, the API sends for that status.
 */
export function typicalError(response: MockResponse): MockResponse {
  if (!isRecord(response.body) || !isRecord(response.body.error)) return response;
  const typical = (TYPICAL[response.status] ?? (() => errors.status(response.status, `The request failed with status ${response.status}.`)))();
  return { ...response, headers: { ...response.headers, ...typical.headers }, body: typical.body };
}

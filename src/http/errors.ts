/** OpenAI's error body, and the answers this server gives in that shape. */

export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error'
  | 'insufficient_quota'
  | (string & {});

export interface OpenAIErrorBody {
  error: {
    message: string;
    type: OpenAIErrorType;
    param: string | null;
    code: string | null;
  };
}

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: OpenAIErrorBody;
}

export function openAIError(
  status: number,
  message: string,
  options: { type?: OpenAIErrorType; param?: string | null; code?: string | null; headers?: Record<string, string> } = {},
): ErrorResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: {
      error: {
        message,
        type: options.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error'),
        param: options.param ?? null,
        code: options.code ?? null,
      },
    },
  };
}

export const invalidUrl = (method: string, path: string) => openAIError(404, `Invalid URL (${method} ${path})`);

export const missingApiKey = () =>
  openAIError(
    401,
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). Any key is accepted by this mock server.",
    { code: null },
  );

export const malformedAuthorization = () =>
  openAIError(
    401,
    'The Authorization header is malformed: expected "Authorization: Bearer YOUR_KEY". Any key is accepted by this mock server.',
    { code: 'invalid_api_key' },
  );

export const malformedJson = (detail: string) =>
  openAIError(
    400,
    `We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON: ${detail})`,
  );

export const bodyTooLarge = (limit: number) =>
  openAIError(413, `The request body is too large: the limit is ${limit} bytes.`, { code: 'request_too_large' });

export const unsupportedContentType = (got: string | undefined, expected: readonly string[]) =>
  openAIError(
    415,
    `Invalid Content-Type header (${got ?? 'none'}), expected ${expected.join(' or ')}.`,
    { code: 'unsupported_content_type' },
  );

export const internalError = (message: string) => openAIError(500, message, { type: 'server_error' });

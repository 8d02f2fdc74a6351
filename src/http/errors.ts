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

// The API's own words for a request without a key; `code` is null there.
export const missingApiKey = () =>
  openAIError(
    401,
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
    { code: null },
  );

/**
 * A key as the API shows it in `Incorrect API key provided: ...`: its first 8 and last 4
 * characters, each one between as `*`; a key of 12 characters or fewer is shown as it is.
 */
export function maskApiKey(key: string): string {
  if (key.length <= 12) return key;
  return `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}

/** A key that strict mode (`apiKeys`) does not know, shown masked as the API masks it. */
export const incorrectApiKey = (key: string) =>
  openAIError(
    401,
    `Incorrect API key provided: ${maskApiKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
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

/**
 * The request's URL, or the 400 for a target that is no URL (an absolute form Node's parser lets
 * through, such as `http://[bad/v1/models`): the API routes and the admin router read it alike.
 */
/** What the front reads of a request's URL; a `URL` is one. */
export interface RequestTarget {
  readonly pathname: string;
  /** `?a=1`, or '' without a query. */
  readonly search: string;
  readonly searchParams: URLSearchParams;
}

/**
 * A request target the WHATWG parser would give back unchanged as its path: letters, digits and
 * `-_~./`, no query, no `.` or `..` segment, not `//` first (an authority to a URL parser) (nothing to percent-encode or resolve). Nearly every
 * request of a load test is one; parsing it as a URL was 3 us of a 60 us request.
 */
const PLAIN_TARGET = /^\/[\w\-~./]*$/;

/** Never filled: a target without a query has no parameters (nothing of the front adds any). */
const NO_PARAMS = new URLSearchParams();

export function requestUrl(request: { method?: string; url?: string }): RequestTarget | ErrorResponse {
  const target = request.url ?? '/';
  if (PLAIN_TARGET.test(target) && !target.includes('/.') && !target.startsWith('//')) return { pathname: target, search: '', searchParams: NO_PARAMS };
  try {
    return new URL(target, 'http://localhost');
  } catch {
    return openAIError(400, `Invalid URL (${(request.method ?? 'GET').toUpperCase()} ${request.url})`);
  }
}

/** Whether `requestUrl` failed. */
export const isErrorResponse = (value: RequestTarget | ErrorResponse): value is ErrorResponse => 'status' in value;

import { openAIError, type ErrorResponse, type OpenAIErrorType } from '../http/errors';

/**
 * The errors an override most often answers with, in the shape and with the headers the API uses,
 * so that the SDK raises the same error classes it raises against the real API.
 */

export interface ErrorOptions {
  message?: string;
  type?: OpenAIErrorType;
  param?: string | null;
  code?: string | null;
  headers?: Record<string, string>;
}

function make(status: number, defaults: Required<Pick<ErrorOptions, 'message' | 'type' | 'code'>>, options: ErrorOptions = {}): ErrorResponse {
  return openAIError(status, options.message ?? defaults.message, {
    type: options.type ?? defaults.type,
    code: options.code === undefined ? defaults.code : options.code,
    param: options.param ?? null,
    headers: options.headers,
  });
}

export const errors = {
  /** 429 with `retry-after` (seconds) and `retry-after-ms`, which the SDK honours when it retries. */
  rateLimit(options: ErrorOptions & { retryAfter?: number } = {}): ErrorResponse {
    const seconds = options.retryAfter ?? 1;
    return make(
      429,
      {
        message: `Rate limit reached for requests. Please try again in ${seconds}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        type: 'requests',
        code: 'rate_limit_exceeded',
      },
      { ...options, headers: { 'retry-after': String(seconds), 'retry-after-ms': String(Math.round(seconds * 1000)), ...options.headers } },
    );
  },
  /** 429 `insufficient_quota`: the SDK raises RateLimitError, and retrying does not help. */
  insufficientQuota(options: ErrorOptions = {}): ErrorResponse {
    return make(
      429,
      {
        message: 'You exceeded your current quota, please check your plan and billing details.',
        type: 'insufficient_quota',
        code: 'insufficient_quota',
      },
      options,
    );
  },
  /** 400, naming the offending field in `param`. */
  invalidRequest(message: string, param: string | null = null, options: ErrorOptions = {}): ErrorResponse {
    return make(400, { message, type: 'invalid_request_error', code: null }, { param, ...options });
  },
  /** 401 as for a wrong API key. */
  unauthorized(options: ErrorOptions = {}): ErrorResponse {
    return make(401, { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' }, options);
  },
  /** 404, e.g. `errors.notFound("The model 'gpt-9' does not exist", 'model_not_found')`. */
  notFound(message = 'Not found.', code: string | null = null, options: ErrorOptions = {}): ErrorResponse {
    return make(404, { message, type: 'invalid_request_error', code }, options);
  },
  /** 500 as the API gives it. */
  server(message = 'The server had an error while processing your request. Sorry about that!', options: ErrorOptions = {}): ErrorResponse {
    return make(500, { message, type: 'server_error', code: null }, options);
  },
  /** 503 "overloaded". */
  overloaded(options: ErrorOptions = {}): ErrorResponse {
    return make(503, { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null }, options);
  },
  /** Any status, in OpenAI's shape. */
  status(status: number, message: string, options: ErrorOptions = {}): ErrorResponse {
    return make(status, { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null }, options);
  },
};

/**
 * Waits, then keeps the response: `response: () => delay(500)`. Inside an async override,
 * `await delay(500)` before returning the replacement.
 */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Browsers may call the mock from a web app in development (the SDK's `dangerouslyAllowBrowser`),
 * which needs CORS: preflights are answered, and answers to a request with an `Origin` name it.
 */

export function isPreflight(request: IncomingMessage): boolean {
  return request.method === 'OPTIONS' && typeof request.headers.origin === 'string' && typeof request.headers['access-control-request-method'] === 'string';
}

export function answerPreflight(request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(204, {
    'access-control-allow-origin': request.headers.origin!,
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'access-control-allow-headers': request.headers['access-control-request-headers'] ?? '*',
    'access-control-allow-credentials': 'true',
    'access-control-max-age': '600',
    vary: 'origin',
    'content-length': '0',
  });
  response.end();
}

export function corsHeaders(request: IncomingMessage): Record<string, string> {
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    // The SDK reads `x-request-id` and the rate-limit headers.
    'access-control-expose-headers': '*',
    vary: 'origin',
  };
}

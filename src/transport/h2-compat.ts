import type { IncomingHttpHeaders } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

/**
 * What the handler, written against HTTP/1's IncomingMessage, must not see differently over
 * HTTP/2: the pseudo-headers (`:method`, `:path`, ...) are not headers of the request, and the
 * host is in `:authority`; the response has no `destroyed`.
 */
export function asHttp1(request: Http2ServerRequest, response: Http2ServerResponse): void {
  const source = request.headers;
  const headers: IncomingHttpHeaders = {};
  for (const name in source) if (name.charCodeAt(0) !== 0x3a /* ':' */) headers[name] = source[name];
  headers.host ??= source[':authority'];
  // Node's compat layer reads the pseudo-headers from its own copy, so shadowing `headers` is safe.
  Object.defineProperty(request, 'headers', { value: headers, configurable: true, enumerable: true, writable: true });
  // ServerResponse says `destroyed` once the client is gone (a stream reset here); writers stop on it.
  Object.defineProperty(response, 'destroyed', { get: () => response.stream.destroyed, configurable: true });
  // Answered before the body's end (a 413, a 401): the rest is not wanted. HTTP/1.1 closes the
  // connection for it; here the stream alone ends, with NO_ERROR (RFC 9113, 8.1), so that the
  // client stops sending and keeps the connection.
  // (The stream's own 'finish': the response's comes only once the stream has closed.)
  response.stream.once('finish', () => {
    if (!request.complete && !response.stream.closed) response.stream.close(NGHTTP2_NO_ERROR);
  });
}

// node:http2's constants.NGHTTP2_NO_ERROR, without loading the module for it (see transport/listen.ts).
const NGHTTP2_NO_ERROR = 0;

const jsonError = (message: string, param: string | null = null) => JSON.stringify({ error: { message, type: 'invalid_request_error', param, code: null } });

/** CONNECT on an HTTP/2 stream (RFC 8441 or a tunnel): refused in words, as on HTTP/1. */
export function answerH2Connect(request: Http2ServerRequest, response: Http2ServerResponse): void {
  const body = jsonError(`Invalid method (CONNECT ${request.headers.host ?? request.authority ?? ''}): this server does not open tunnels.`);
  response.writeHead(405, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

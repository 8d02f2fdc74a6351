import http from 'node:http';
import type { Duplex } from 'node:stream';

/** Status for an error Node's HTTP parser or its timeouts raised before a request reached the handler. */
function statusOf(error: NodeJS.ErrnoException): number {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 431;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

/** An HTTP/1.1 error answer written straight on a socket, which is then closed. */
export function writeError(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: null } });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  // end() waits for the client to read; one that never does must not keep the socket.
  socket.once('finish', () => socket.destroy());
}

/** CONNECT asks for a tunnel, which Node hands over raw (and drops when nobody listens): refuse it in words. */
export function answerConnect(request: http.IncomingMessage, socket: Duplex): void {
  socket.on('error', () => socket.destroy());
  writeError(socket, 405, `Invalid method (${request.method} ${request.url}): this server does not open tunnels.`);
}

/**
 * Answers a request that could not be parsed (bad method, oversized headers, malformed framing,
 * a client too slow to send it) in OpenAI's error shape, straight on the socket, then closes it.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A response already under way on this connection cannot be followed by another one.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const status = statusOf(error);
  writeError(socket, status, status === 408 ? 'The request took too long to arrive: the connection was closed.' : `Bad request: ${error.message}`);
}

/** An `Expect` other than 100-continue: Node answers 417 with no body; say why, in OpenAI's shape. */
export function answerExpectation(request: http.IncomingMessage, response: http.ServerResponse): void {
  const body = JSON.stringify({
    error: { message: `Unsupported Expect header (${request.headers.expect}): only 100-continue is understood.`, type: 'invalid_request_error', param: 'Expect', code: null },
  });
  // HTTP/2 has no connection header: the stream ends, the connection stays.
  const close = request.httpVersionMajor >= 2 ? {} : { connection: 'close' };
  response.writeHead(417, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...close }).end(body);
}

import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { openAIError, type ErrorResponse } from '../http/errors';
import { redactUrl, type Logger } from '../log/logger';
import type { UpgradeListener } from './listen';

/**
 * WebSocket upgrades at the edge, with the `ws` package: a path that has no socket gets a 404, a
 * refused handshake (auth, Host, Origin) its HTTP error in OpenAI's shape before any switch of
 * protocol, as the API answers; an accepted one hands the socket to the endpoint.
 */

export interface WebSocketEndpoint {
  /** Whether the path (without query) is this endpoint's. */
  owns(pathname: string): boolean;
  /** An error to answer instead of upgrading, or nothing to accept. */
  admit(request: http.IncomingMessage, offered: ReadonlySet<string>): ErrorResponse | undefined | Promise<ErrorResponse | undefined>;
  /** The subprotocol to answer with, among those the client offered (never one carrying a key). */
  protocol?(offered: ReadonlySet<string>): string | false;
  connected(socket: WebSocket, request: http.IncomingMessage): void;
}

export function writeHttpError(socket: Duplex, answer: ErrorResponse): void {
  const body = JSON.stringify(answer.body);
  const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
  socket.end(`HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status] ?? ''}\r\n${lines}\r\n\r\n${body}`);
  socket.once('finish', () => socket.destroy());
}

const KEY = /^[+/0-9A-Za-z]{22}==$/;

/**
 * What `ws` would refuse with a text/html 400 of its own: the same refusal, in OpenAI's shape
 * (RFC 6455 4.2.1: a 16-byte base64 key, version 13; 426 with the versions known otherwise).
 */
function badHandshake(request: http.IncomingMessage): ErrorResponse | undefined {
  if (request.method !== 'GET') return openAIError(400, `A WebSocket handshake is a GET request, not ${request.method}.`, { code: 'invalid_websocket_handshake' });
  const key = request.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !KEY.test(key.trim())) {
    return openAIError(400, 'Missing or invalid Sec-WebSocket-Key header: a WebSocket handshake sends a base64 key of 16 bytes.', { param: 'Sec-WebSocket-Key', code: 'invalid_websocket_handshake' });
  }
  const version = request.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') {
    return openAIError(426, `Unsupported Sec-WebSocket-Version: ${JSON.stringify(version ?? null)}; this server speaks version 13.`, {
      param: 'Sec-WebSocket-Version',
      code: 'invalid_websocket_handshake',
      headers: { 'sec-websocket-version': '13, 8' },
    });
  }
  return undefined;
}

function offeredProtocols(request: http.IncomingMessage): Set<string> {
  const header = request.headers['sec-websocket-protocol'];
  return new Set((typeof header === 'string' ? header : '').split(',').map((p) => p.trim()).filter(Boolean));
}

export interface WebSockets {
  onUpgrade: UpgradeListener;
  /** Open sockets, for the close of the server and the admin API. */
  readonly open: ReadonlySet<WebSocket>;
  /** Closes every socket (1001, going away) and, after `graceMs`, cuts those still there. */
  close(graceMs?: number): Promise<void>;
}

export function createWebSockets(endpoints: readonly WebSocketEndpoint[], options: { logger: Logger; notFound(request: http.IncomingMessage): ErrorResponse }): WebSockets {
  const open = new Set<WebSocket>();
  const chosen = new WeakMap<http.IncomingMessage, string | false>();
  // One server for every endpoint: it only does the handshake and framing (noServer). Made at the
  // first handshake: `ws` brings Node's https, tls and zlib, megabytes of resident code and heap
  // that a run with no WebSocket never needs (see transport/listen.ts).
  let wss: WebSocketServer | undefined;
  const server = (): WebSocketServer =>
    (wss ??= new (require('ws') as typeof import('ws')).WebSocketServer({
      noServer: true,
      // Realtime events carry base64 audio: the API takes frames of up to 15 MB.
      maxPayload: 16 * 1024 * 1024,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (_offered, request) => chosen.get(request) ?? false,
    }));

  const onUpgrade: UpgradeListener = (request, socket, head) => {
    socket.on('error', (error) => options.logger.debug(`websocket: ${error.message}`));
    const pathname = (request.url ?? '/').split('?')[0]!;
    const endpoint = endpoints.find((e) => e.owns(pathname));
    const refuse = (answer: ErrorResponse) => {
      options.logger.info(`${request.method} ${redactUrl(request.url)} ${answer.status} (WebSocket refused): ${answer.body.error.message}`);
      writeHttpError(socket, answer);
    };
    if (!endpoint || (request.headers.upgrade ?? '').toLowerCase() !== 'websocket') return refuse(options.notFound(request));
    const malformed = badHandshake(request);
    if (malformed) return refuse(malformed);
    const offered = offeredProtocols(request);
    Promise.resolve(endpoint.admit(request, offered))
      .then((refusal) => {
        if (refusal) return refuse(refusal);
        if (socket.destroyed) return;
        chosen.set(request, endpoint.protocol?.(offered) ?? false);
        server().handleUpgrade(request, socket, head, (ws) => {
          open.add(ws);
          const since = performance.now();
          options.logger.info(`${request.method} ${redactUrl(request.url)} 101 (WebSocket)`);
          ws.once('close', (code) => {
            open.delete(ws);
            options.logger.info(`${request.method} ${redactUrl(request.url)} WebSocket closed (${code}) after ${Math.round(performance.now() - since)}ms`);
          });
          ws.on('error', (error) => options.logger.debug(`websocket ${pathname}: ${error.message}`));
          endpoint.connected(ws, request);
        });
      })
      .catch((error) => {
        options.logger.error(`websocket upgrade ${pathname} failed: ${(error as Error).stack ?? error}`);
        socket.destroy();
      });
  };

  return {
    onUpgrade,
    open,
    async close(graceMs = 500) {
      if (open.size === 0) return;
      const closed = [...open].map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve()))));
      for (const ws of open) ws.close(1001, 'server shutting down');
      const cut = setTimeout(() => {
        for (const ws of open) ws.terminate();
      }, graceMs);
      await Promise.all(closed);
      clearTimeout(cut);
    },
  };
}

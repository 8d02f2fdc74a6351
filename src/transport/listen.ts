import cluster from 'node:cluster';
import http from 'node:http';
import type * as http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import type stream from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { answerClientError, answerConnect, answerExpectation, writeError } from '../http/client-error';
import type { Logger } from '../log/logger';
import { sniff, type Wire } from './sniff';
import { answerH2Connect, asHttp1 } from './h2-compat';
import { describeTlsClientError, sniChecker, type TlsMaterial } from './tls';

/**
 * The sockets of the server: one port that answers HTTP/1.1, HTTP/2 with prior knowledge (h2c)
 * and TLS (ALPN: h2 or http/1.1), told apart per connection by its first bytes, and optionally a
 * second, TLS-only port. Every protocol ends in the same request listener.
 */

/**
 * HTTP/2 (and TLS, which it brings) is loaded with the first connection that needs it, h2c or
 * TLS, and its servers made then: the module and a secure context are about 9 MiB of resident
 * code, data and heap (measured on Node 24), which a run whose clients all speak plain HTTP/1.1,
 * as most do, never needs. Each such server is made once.
 */
const loadHttp2 = () => require('node:http2') as typeof http2;

export type Protocol = 'http' | 'https';
export const PROTOCOLS: readonly Protocol[] = ['http', 'https'];

export type RequestListener = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/** An HTTP/1.1 request asking to switch protocols (a WebSocket), plain or over TLS. */
export type UpgradeListener = (request: http.IncomingMessage, socket: stream.Duplex, head: Buffer) => void;

export interface ListenOptions {
  host: string;
  port: number;
  /** What the main port serves: `http` (HTTP/1.1 and h2c), `https` (TLS with h2 or http/1.1). */
  protocols: readonly Protocol[];
  /** A second port, TLS only. */
  httpsPort?: number;
  /** Needed when anything serves TLS. */
  tls?: TlsMaterial;
  headersTimeout: number;
  requestTimeout: number;
  logger: Logger;
  onRequest: RequestListener;
  /** Upgrades (WebSockets); without it an `Upgrade` request is answered as a plain one. */
  onUpgrade?: UpgradeListener;
}

export interface Listening {
  /** The bound address as it goes in a URL (IPv6 in brackets). */
  urlHost: string;
  port: number;
  httpsPort?: number;
  /** `http://host:port` when the main port serves HTTP; the TLS URL of the main port, else of the HTTPS port. */
  urls: { http?: string; https?: string };
  /** Stops accepting, lets requests in flight finish for `graceMs`, then cuts what is left. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Idle keep-alive connections are closed after this. Longer than clients' own idle timeouts
 * (undici: 4 s) and than any pause of the event loop, so that the server never closes a socket
 * a client has just sent its next request on (an ECONNRESET for the client); idle sockets still go.
 */
const KEEP_ALIVE_MS = 30_000;

const isWebSocket = (request: http.IncomingMessage) => (request.headers.upgrade ?? '').toLowerCase() === 'websocket';

/**
 * On a Node whose HTTP server lacks `shouldUpgradeCallback` (before 24.9), every `Upgrade` request
 * is handed over as one; one that is not a WebSocket (curl's `Upgrade: h2c` on http://) is put back
 * as a plain request: its head written anew, without the upgrade, for a fresh parser on the socket.
 */
function replayAsPlain(server: http.Server, request: http.IncomingMessage, socket: stream.Duplex, head: Buffer): void {
  const lines = [`${request.method} ${request.url} HTTP/${request.httpVersion}`];
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!.toLowerCase();
    if (name === 'upgrade' || name === 'http2-settings' || name === 'connection') continue;
    lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
  }
  if (head.length > 0) socket.unshift(head);
  socket.unshift(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'));
  server.emit('connection', socket);
}

/**
 * Connections the kernel queues for accepting while the event loop is busy. Node's default, 511,
 * overflows when a load test opens a thousand connections within a second: the kernel then drops
 * the handshakes over it and each such client waits a second or more for its SYN to be resent
 * (seen here as a first event 2 to 3 s late for a few percent of 1,000 streams). Linux caps it at
 * `net.core.somaxconn` (4096 by default since 5.4).
 */
const BACKLOG = 4096;

function listenOn(server: net.Server, port: number, host: string, reusePort = false): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: BACKLOG, ...(reusePort ? { reusePort } : {}) }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Listening sockets per port. libuv accepts one connection per turn of the event loop and
 * listening socket (libuv#3696): a server busy with a thousand paced streams turns its loop a few
 * hundred times a second, and connections opened faster than that waited in the kernel's queue,
 * seconds at a thousand new streams a second (the client saw its first event that late). Several
 * sockets bound to the one port (SO_REUSEPORT, among which Linux spreads new connections) are
 * each accepted from once per turn. Linux only (elsewhere the option means something else or
 * fails), on Node 22.12 and later (which has the option), and not in a `--workers` process, whose
 * port the primary holds.
 */
const ACCEPTORS = 8;

function reusePortWorks(): boolean {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  return process.platform === 'linux' && !cluster.isWorker && (major > 22 || (major === 22 && minor >= 12));
}

/**
 * `make()`'s servers listening on one port: one, or `ACCEPTORS` sharing it. A port asked for by
 * number is first claimed by a socket that does not share, so that another process's listeners
 * on it still make this start fail as taken, rather than split its connections with it.
 */
async function listenGroup(make: () => net.Server, port: number, host: string): Promise<net.Server[]> {
  const first = make();
  if (!reusePortWorks()) {
    await listenOn(first, port, host);
    return [first];
  }
  if (port !== 0) {
    const claim = net.createServer();
    await listenOn(claim, port, host);
    await new Promise<void>((resolve) => claim.close(() => resolve()));
  }
  await listenOn(first, port, host, true);
  const group = [first];
  const bound = (first.address() as AddressInfo).port;
  for (let i = 1; i < ACCEPTORS; i++) {
    const more = make();
    try {
      await listenOn(more, bound, host, true);
      group.push(more);
    } catch {
      // The one socket serves alone, as on any other platform.
      break;
    }
  }
  return group;
}

export async function listen(options: ListenOptions): Promise<Listening> {
  const { logger, headersTimeout, requestTimeout, host } = options;
  const mainServes = new Set(options.protocols);
  const anyTls = mainServes.has('https') || options.httpsPort !== undefined;
  if (anyTls && !options.tls) throw new Error('TLS is served but no certificate was given');
  const h1Options: http.ServerOptions & { shouldUpgradeCallback?: (request: http.IncomingMessage) => boolean } = {
    headersTimeout,
    requestTimeout,
    // Node looks for overdue requests this often (30 s by default, longer than the timeouts themselves).
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
    // Only WebSockets are upgrades (Node 24.9+); any other `Upgrade` request is answered as a plain one.
    shouldUpgradeCallback: isWebSocket,
  };
  const onRequest = options.onRequest;
  const onH2Request = (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse) => {
    if (request.httpVersionMajor >= 2) asHttp1(request, response);
    onRequest(request as unknown as http.IncomingMessage, response as unknown as http.ServerResponse);
  };

  // HTTP/2 sessions are not connections Node's HTTP/1 server knows about: close() ends them itself.
  const sessions = new Set<http2.ServerHttp2Session>();
  const trackSessions = (server: http2.Http2Server | http2.Http2SecureServer) => {
    server.on('session', (session: http2.ServerHttp2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
    });
    server.on('sessionError', (error: Error) => logger.debug(`HTTP/2 session error: ${error.message}`));
    // The TLS server also carries HTTP/1.1, whose CONNECT comes with a socket instead of a response.
    server.on('connect', ((request: http2.Http2ServerRequest, target: never) =>
      request.httpVersionMajor >= 2 ? answerH2Connect(request, target) : answerConnect(request as never, target)) as never);
    server.on('checkExpectation', answerExpectation as never);
    server.setTimeout(requestTimeout);
  };
  // Sub-servers never listen themselves; 'listening' starts Node's tracking of their connections
  // (the headers and request timeouts, closeAllConnections).
  const subServers: net.Server[] = [];
  let listening = false;
  /** A sub-server made after the start joins the others (and is told it listens, as they were). */
  const joined = <T extends net.Server>(server: T): T => {
    subServers.push(server);
    if (listening) server.emit('listening');
    return server;
  };

  let h1: http.Server | undefined;
  let h2c: http2.Http2Server | undefined;
  if (mainServes.has('http')) {
    h1 = http.createServer(h1Options, onRequest);
    h1.keepAliveTimeout = KEEP_ALIVE_MS;
    h1.on('clientError', answerClientError);
    h1.on('connect', answerConnect);
    h1.on('checkExpectation', answerExpectation);
    if (options.onUpgrade) {
      const onUpgrade = options.onUpgrade;
      const server = h1;
      h1.on('upgrade', (request: http.IncomingMessage, socket: stream.Duplex, head: Buffer) =>
        isWebSocket(request) ? onUpgrade(request, socket, head) : replayAsPlain(server, request, socket, head),
      );
    }
    subServers.push(h1);
  }
  const h2cServer = (): http2.Http2Server => {
    if (h2c) return h2c;
    h2c = loadHttp2().createServer({}, onH2Request);
    trackSessions(h2c);
    return joined(h2c);
  };

  let secure: http2.Http2SecureServer | undefined;
  const secureServer = (): http2.Http2SecureServer => {
    if (secure) return secure;
    const material = options.tls!;
    secure = loadHttp2().createSecureServer(
      {
        key: material.key,
        cert: material.cert,
        allowHTTP1: true,
        ALPNProtocols: ['h2', 'http/1.1'],
        handshakeTimeout: headersTimeout,
        SNICallback: sniChecker(material, logger),
      },
      onH2Request,
    );
    // HTTP/1.1 over TLS goes through Node's HTTP/1 server code, which reads these from this server.
    Object.assign(secure, { headersTimeout, requestTimeout, keepAliveTimeout: KEEP_ALIVE_MS, connectionsCheckingInterval: h1Options.connectionsCheckingInterval, shouldUpgradeCallback: isWebSocket });
    secure.on('clientError', answerClientError);
    secure.on('tlsClientError', (error: Error, socket: TLSSocket) => {
      const line = describeTlsClientError(error, socket, material);
      if (line.level === 'debug') logger.debug(line.message);
      else logger.warn(line.message);
      socket.destroy();
    });
    // HTTP/1.1 over TLS: Node's HTTP/1 code emits 'upgrade' on this server as on a plain one.
    if (options.onUpgrade) secure.on('upgrade', options.onUpgrade);
    trackSessions(secure);
    return joined(secure);
  };

  const rawSockets = new Set<net.Socket>();
  const route = (serves: ReadonlySet<Protocol>, port: () => number) => (socket: net.Socket) => {
    rawSockets.add(socket);
    socket.once('close', () => rawSockets.delete(socket));
    // Errors after the hand-over are the sub-server's to report; this one only keeps a reset from throwing.
    socket.on('error', (error) => logger.debug(`connection error: ${error.message}`));
    sniff(socket, headersTimeout, (wire: Wire) => {
      // The front is half-open as Node's HTTP/1 server's socket is (which then decides itself);
      // TLS and HTTP/2 end both ways at once.
      if (wire !== 'http1') socket.allowHalfOpen = false;
      if (wire === 'tls') {
        // Read now, while connected: Node keeps it, so that a failed handshake can name the client
        // after the socket closed. Not read for plain HTTP, whose messages need it only now: it is a
        // system call per connection.
        void socket.remoteAddress;
        if (serves.has('https')) return void secureServer().emit('connection', socket);
        logger.warn(`a TLS client (${socket.remoteAddress}) connected to the HTTP-only port ${port()}: closed; use http://, or serve HTTPS (drop --http-only)`);
        return void socket.destroy();
      }
      if (serves.has('http')) return void (wire === 'h2c' ? h2cServer() : h1!).emit('connection', socket);
      logger.warn(`a plain ${wire === 'h2c' ? 'HTTP/2' : 'HTTP'} client (${socket.remoteAddress}) connected to the HTTPS-only port ${port()}: answered 400; use https://`);
      if (wire === 'h2c') return void socket.destroy();
      writeError(socket, 400, `This port speaks HTTPS only: use https:// (https://${urlHostOf(host)}:${port()}).`);
    });
  };

  const fronts: net.Server[] = [];
  const mainRoute = route(mainServes, () => (fronts[0]!.address() as AddressInfo).port);
  const mains = await listenGroup(() => net.createServer({ noDelay: true, allowHalfOpen: true }).on('connection', mainRoute), options.port, host);
  const main = mains[0]!;
  fronts.push(...mains);
  const address = main.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let httpsPort: number | undefined;
  if (options.httpsPort !== undefined) {
    const httpsRoute = route(new Set<Protocol>(['https']), () => httpsPort!);
    try {
      const seconds = await listenGroup(() => net.createServer({ noDelay: true, allowHalfOpen: true }).on('connection', httpsRoute), options.httpsPort, host);
      fronts.push(...seconds);
      httpsPort = (seconds[0]!.address() as AddressInfo).port;
    } catch (error) {
      for (const one of mains) one.close();
      throw error;
    }
  }
  for (const server of subServers) server.emit('listening');
  listening = true;
  // Past listening, a failure of a listening socket (EMFILE on accept, say) is logged: the
  // connections already open keep being served.
  for (const front of fronts) front.on('error', (error) => logger.error(`the server's socket failed: ${error.message}`));

  const urls: Listening['urls'] = {};
  if (mainServes.has('http')) urls.http = `http://${urlHost}:${address.port}`;
  if (mainServes.has('https')) urls.https = `https://${urlHost}:${address.port}`;
  else if (httpsPort !== undefined) urls.https = `https://${urlHost}:${httpsPort}`;

  return {
    urlHost,
    port: address.port,
    httpsPort,
    urls,
    async close(graceMs = 1000) {
      const closed = Promise.all(fronts.map((front) => new Promise<void>((resolve) => front.close(() => resolve()))));
      // Idle connections go now; HTTP/2 sessions get a GOAWAY and finish their streams in flight.
      for (const server of subServers) server.close();
      for (const session of sessions) session.close();
      const cut = setTimeout(() => {
        for (const server of subServers) (server as http.Server).closeAllConnections?.();
        for (const session of sessions) session.destroy();
        for (const socket of rawSockets) socket.destroy();
      }, graceMs);
      cut.unref();
      await closed;
      clearTimeout(cut);
      // libuv releases the closed handles on the next turn: after it, nothing of the server is left.
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}

function urlHostOf(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

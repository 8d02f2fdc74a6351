import type { Socket } from 'node:net';

/**
 * Telling protocols apart on one port, per connection, from its first bytes (as httpolyglot does):
 * a TLS record starts with the handshake type 0x16, HTTP/2 with prior knowledge with the fixed
 * connection preface, and anything else is taken for HTTP/1.x (whose parser answers nonsense itself).
 */

export type Wire = 'tls' | 'h2c' | 'http1';

const TLS_HANDSHAKE = 0x16;
export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** The protocol of a connection that began with `head`; undefined while too few bytes have come to tell. */
export function classify(head: Buffer): Wire | undefined {
  if (head.length === 0) return undefined;
  if (head[0] === TLS_HANDSHAKE) return 'tls';
  const n = Math.min(head.length, H2_PREFACE.length);
  if (head.compare(H2_PREFACE, 0, n, 0, n) === 0) return n === H2_PREFACE.length ? 'h2c' : undefined;
  return 'http1';
}

/**
 * Reads a connection's first bytes, puts them back (`unshift`) and calls `decide` with its
 * protocol, so that the server it is handed to reads the connection from its first byte. A client
 * that sends nothing within `timeoutMs` is dropped; one that closes first is forgotten.
 */
export function sniff(socket: Socket, timeoutMs: number, decide: (wire: Wire) => void): void {
  let head: Buffer | undefined;
  let settled = false;
  // After the event loop was held up (a long synchronous task, a starved CPU) the timers run
  // before the loop reads what arrived meanwhile: a client whose request was waiting in the
  // kernel would be cut (a reset, no answer). The reads get one turn before the client is
  // judged silent.
  const timer = setTimeout(() => setImmediate(() => settled || socket.destroy()), timeoutMs);
  timer.unref();
  const done = () => {
    settled = true;
    clearTimeout(timer);
    socket.off('readable', onReadable);
    socket.off('end', onEnd);
    socket.off('close', onClose);
  };
  const onReadable = () => {
    let chunk: Buffer | null;
    while ((chunk = socket.read() as Buffer | null) !== null) head = head ? Buffer.concat([head, chunk]) : chunk;
    if (!head) return;
    const wire = classify(head);
    if (!wire) return;
    done();
    socket.unshift(head);
    decide(wire);
  };
  // A partial preface followed by the end of the stream is not HTTP/2: let HTTP/1's parser say so.
  const onEnd = () => {
    done();
    if (!head) return void socket.destroy();
    socket.unshift(head);
    decide('http1');
  };
  const onClose = () => done();
  socket.on('readable', onReadable);
  socket.once('end', onEnd);
  socket.once('close', onClose);
}

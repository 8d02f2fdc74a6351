import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
  }
}

/** The client went away before its body arrived: there is no one left to answer. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection before sending the whole body');
  }
}

const NO_BODY = Buffer.alloc(0);

/**
 * Reads the whole body, refusing at once (from Content-Length) or as soon as the limit is
 * passed, so that an oversized upload is never held in memory. A body known without waiting
 * (none: an HTTP/1 request with neither length nor chunking, or one already read) is given as it
 * is, with no promise: most requests of a load test are answered without one.
 */
export function readBody(request: IncomingMessage, limit: number): Buffer | Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  if (request.readableEnded) return NO_BODY;
  // An HTTP/1 request with neither header has no body (RFC 9112, 6.3): nothing to listen for.
  if (request.httpVersionMajor === 1 && (declared === 0 || (Number.isNaN(declared) && request.headers['transfer-encoding'] === undefined))) return NO_BODY;
  // Gone before we started listening: no 'close' would come to settle the promise.
  if (request.destroyed) return Promise.reject(new ClientGoneError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        finish(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = () => finish(new ClientGoneError());
    // 'close' before 'end' means the connection went away mid-body.
    const onClose = () => finish(request.complete ? undefined : new ClientGoneError());
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}

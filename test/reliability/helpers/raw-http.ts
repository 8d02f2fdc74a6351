import net from 'node:net';

/** An answer read off a raw socket: whatever the server wrote before closing. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type RawOutcome = { answer: RawAnswer } | { closedWithoutAnswer: true; error?: string };

function decodeChunked(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export function parseAnswer(data: Buffer): RawAnswer | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = data.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = decodeChunked(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status, headers, body: body.toString('utf8') };
}

/**
 * Writes raw bytes to the server and reads until it closes the connection (requests carry
 * `Connection: close`). Rejects only when nothing at all happens before the deadline: a hang.
 */
export function rawRequest(port: number, bytes: Buffer, deadlineMs: number): Promise<RawOutcome> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const answer = parseAnswer(Buffer.concat(chunks));
      if (answer) resolve({ answer });
      else resolve({ closedWithoutAnswer: true, error: error?.message });
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const got = Buffer.concat(chunks);
      reject(new Error(`no complete answer within ${deadlineMs} ms (got ${got.length} bytes: ${JSON.stringify(got.subarray(0, 200).toString('latin1'))})`));
    }, deadlineMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => settle());
    socket.on('close', () => settle());
    // The server may answer and close before reading everything (431, 413): a reset then is fine.
    socket.on('error', (error) => settle(error));
    socket.end(bytes);
  });
}

/** Builds a request's bytes; Content-Length is added for a body unless the headers set framing. */
export function buildRequest(
  method: string,
  target: string,
  headers: Record<string, string> | [string, string][],
  body?: Buffer | string,
): Buffer {
  const list = Array.isArray(headers) ? [...headers] : Object.entries(headers);
  const names = new Set(list.map(([name]) => name.toLowerCase()));
  if (!names.has('host')) list.unshift(['Host', '127.0.0.1']);
  if (!names.has('connection')) list.push(['Connection', 'close']);
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  if (payload && !names.has('content-length') && !names.has('transfer-encoding')) list.push(['Content-Length', String(payload.length)]);
  const head = `${method} ${target} HTTP/1.1\r\n${list.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n`;
  return payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : Buffer.from(head, 'latin1');
}

import { execFile } from 'node:child_process';
import http2 from 'node:http2';
import path from 'node:path';
import { ROOT } from '../helpers/cli';

export const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');

/** The ready line when both are served on one port. */
export const BOTH = /listening on (http:\/\/127\.0\.0\.1:(\d+)) and (https:\/\/127\.0\.0\.1:\d+) \(h2, http\/1\.1\)/;

export function run(command: string, args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { env: { ...process.env, ...env }, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

export interface H2Answer {
  status: number;
  headers: http2.IncomingHttpHeaders;
  text: string;
}

/** One request on an open HTTP/2 session, read whole. */
export function h2Request(session: http2.ClientHttp2Session, path: string, body?: unknown, headers: http2.OutgoingHttpHeaders = {}): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':method': body === undefined ? 'GET' : 'POST',
      ':path': path,
      authorization: 'Bearer sk-test',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    });
    let answer: http2.IncomingHttpHeaders = {};
    let text = '';
    stream.setEncoding('utf8');
    stream.on('response', (h) => (answer = h));
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => resolve({ status: Number(answer[':status']), headers: answer, text }));
    stream.on('error', reject);
    stream.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  });
}

export const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] };

/** Headers that HTTP/2 forbids in answers (RFC 9113 8.2.2). */
export const CONNECTION_SPECIFIC = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];

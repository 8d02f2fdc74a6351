/**
 * Upstreams for the proxy suites: a second openai-mock, or a small loopback server scripted per
 * test (slow, failing, dropping a stream), and a logger whose lines a test can read.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../src/log/logger';

export type Script = (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) => void | Promise<void>;

export interface Loopback {
  url: string;
  /** The handler for the next requests; the test sets it. */
  script: Script;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }[];
  close(): Promise<void>;
}

export async function loopback(script: Script = (_q, _b, r) => void r.end()): Promise<Loopback> {
  const state: Loopback = { url: '', script, requests: [], close: async () => undefined };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      state.requests.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      Promise.resolve(state.script(request, body, response)).catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

export function recordingLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger('debug', (line) => lines.push(line)) };
}

export const sse = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

export function chunk(content: string, index = 0) {
  return { id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index, delta: { content }, finish_reason: null }] };
}

/** A port nothing listens on (bound, read, closed). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

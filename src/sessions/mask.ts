import type { IncomingHttpHeaders } from 'node:http';
import { redactSecret } from '../log/logger';

/** What the journal shows of a request's headers and query: credentials masked. */

const SECRET_HEADER = /authorization|api-key|apikey|cookie|token|secret|password/i;
const SECRET_PARAM = /key|token|secret|auth|password|signature/i;

function mask(value: string): string {
  const bearer = /^(Bearer|Basic)\s+(.+)$/i.exec(value);
  return bearer ? `${bearer[1]} ${redactSecret(bearer[2]!)}` : redactSecret(value);
}

export function maskHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
  const kept: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    kept[name] = SECRET_HEADER.test(name) ? (Array.isArray(value) ? value.map(mask) : mask(value)) : value;
  }
  return kept;
}

export function maskQuery(query: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!query) return {};
  let masked: Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string' && SECRET_PARAM.test(name)) (masked ??= { ...query })[name] = redactSecret(value);
  }
  return masked ?? query;
}

/** JSON kept as text (or bytes), as it is read; what does not parse stays text. */
export function parsedJson(data: string | Buffer): unknown {
  const text = typeof data === 'string' ? data : data.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** What an entry shows of its request: the ISO time, masked query and headers, and the body, its JSON text parsed. */
export function shownRequest(
  arrivedMs: number,
  query: Record<string, unknown> | undefined,
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
  text: string | undefined,
  body: unknown,
): { time: string; query: Record<string, unknown>; headers: Record<string, string | string[] | undefined>; body: unknown } {
  return { time: new Date(arrivedMs).toISOString(), query: maskQuery(query), headers: maskHeaders(headers), body: text !== undefined ? parsedJson(text) : body };
}

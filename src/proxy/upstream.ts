import type { Exchange } from '../pipeline/types';

/**
 * The request as it goes upstream and the answer's headers as they come back: hop-by-hop
 * headers stay on their own side, the mock's own (`Prefer`) never leave it, and the upstream's
 * CORS headers give way to the mock's own policy.
 */

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-connection', 'host', 'content-length']);
const MOCK_ONLY = new Set(['prefer', 'accept-encoding']);

export interface Credentials {
  /** `proxy.apiKey`, else `OPENAI_API_KEY`: replaces whatever key the client sent. */
  apiKey?: string;
}

export function upstreamHeaders(exchange: Exchange, credentials: Credentials): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(exchange.request.headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || MOCK_ONLY.has(lower)) continue;
    headers.set(lower, Array.isArray(value) ? value.join(', ') : value);
  }
  // Compressed answers would have to be decoded to be rewritten or recorded: ask for plain bytes.
  headers.set('accept-encoding', 'identity');
  if (credentials.apiKey) {
    headers.delete('api-key');
    headers.set('authorization', `Bearer ${credentials.apiKey}`);
  }
  return headers;
}

const DROPPED_ANSWER_HEADERS = new Set([...HOP_BY_HOP, 'content-encoding']);

export function answerHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (DROPPED_ANSWER_HEADERS.has(name) || name.startsWith('access-control-')) return;
    kept[name] = value;
  });
  return kept;
}

/** `https://api.openai.com/v1` + `/chat/completions` + `?limit=2`. */
export function upstreamUrl(target: string, exchange: Exchange): string {
  return target.replace(/\/+$/, '') + exchange.request.apiPath + (exchange.request.search ?? '');
}

/** `include`/`exclude` entries: an operation id, a spec path (`/files/{file_id}`) or a path (`/v1/files/*`), `*` matching anything. */
export function operationMatcher(entries: readonly string[] | undefined): ((exchange: Exchange) => boolean) | undefined {
  if (!entries || entries.length === 0) return undefined;
  const patterns = entries.map((entry) => new RegExp('^' + entry.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$'));
  return (exchange) => {
    const names = [exchange.operationId, exchange.template, exchange.request.apiPath, exchange.request.path];
    return patterns.some((pattern) => names.some((name) => pattern.test(name)));
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { openAIError, type ErrorResponse } from './errors';

/**
 * Who may call the mock from a browser. A web page is trusted only when it is itself served from
 * this machine (an origin whose host is a loopback name or address: `http://localhost:5173`,
 * `http://127.0.0.1:3000`, `http://[::1]:8080`), is the mock's own origin, or is configured
 * (`cors.origins`, `--cors-origin`). Any other page (a site the developer happens to open) is
 * refused with a 403 before any work, preflight or not, so it can neither read answers nor cause
 * them. Credentials are not allowed unless configured, requested headers are allowed only from the
 * API's own set, and the admin API (`/__admin/...`) never answers another origin at all.
 */

export interface CorsConfig {
  /** Origins allowed besides loopback ones, e.g. `https://app.example.test`; `*` allows any. */
  origins?: readonly string[];
  /** Send `access-control-allow-credentials: true` (cookies, HTTP auth). Default false. */
  credentials?: boolean;
  /** Allow pages served from this machine without naming them. Default true. */
  loopback?: boolean;
}

export interface CorsPolicy {
  /** Answer preflights and name allowed origins in answers. */
  enabled: boolean;
  origins: ReadonlySet<string>;
  any: boolean;
  credentials: boolean;
  loopback: boolean;
}

/** `cors: true | false | { origins, credentials }` and `--cors-origin`s, as one policy. */
export function corsPolicy(option: boolean | CorsConfig | undefined, extraOrigins: readonly string[] = []): CorsPolicy {
  const config = typeof option === 'object' && option !== null ? option : {};
  const listed = [...(config.origins ?? []), ...extraOrigins];
  return {
    enabled: option !== false,
    origins: new Set(listed.filter((o) => o !== '*').map(normalizeOrigin)),
    any: listed.includes('*'),
    credentials: config.credentials === true,
    loopback: config.loopback !== false,
  };
}

/** `HTTP://LocalHost:5173/` and `http://localhost:5173` are one origin. */
export function normalizeOrigin(origin: string): string {
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? origin.toLowerCase() : url.origin;
  } catch {
    return origin.trim().toLowerCase().replace(/\/+$/, '');
  }
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** `localhost`, `*.localhost` (RFC 6761), `127.0.0.0/8`, `::1`. */
export function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || (IPV4.test(name) && name.startsWith('127.')) || name === '::1' || name === '0:0:0:0:0:0:0:1';
}

export type OriginVerdict = 'none' | 'same' | 'allowed' | 'foreign';

/** How a request's `Origin` stands: absent, the mock's own, allowed cross-origin, or foreign. */
export function judgeOrigin(request: IncomingMessage, policy: CorsPolicy): OriginVerdict {
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return 'none';
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && request.headers.host && url.host === request.headers.host.toLowerCase()) return 'same';
  if (policy.any || policy.origins.has(normalizeOrigin(origin))) return 'allowed';
  if (policy.loopback && url && (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackName(url.hostname)) return 'allowed';
  return 'foreign';
}

export function isPreflight(request: IncomingMessage): boolean {
  return request.method === 'OPTIONS' && typeof request.headers.origin === 'string' && typeof request.headers['access-control-request-method'] === 'string';
}

export const isAdminPath = (url: string | undefined) => typeof url === 'string' && /^\/__admin(\/|\?|$)/.test(url);

export function foreignOrigin(origin: string, admin: boolean): ErrorResponse {
  return openAIError(
    403,
    admin
      ? `Cross-origin requests to the admin API are not allowed (Origin: ${origin}).`
      : `Cross-origin requests from ${origin} are not allowed: only pages served from this machine or configured with cors.origins (--cors-origin) may call this server.`,
    { type: 'invalid_request_error', code: 'cors_origin_not_allowed' },
  );
}

// The headers the SDKs send (`x-stainless-*` too), and those a browser client adds itself.
const ALLOWED_HEADERS = new Set([
  'authorization',
  'content-type',
  'accept',
  'accept-language',
  'openai-organization',
  'openai-project',
  'openai-beta',
  'openai-version',
  'idempotency-key',
  'prefer',
  'x-request-id',
  'x-api-key',
  'api-key',
]);

function allowedHeaders(requested: string | undefined): string {
  if (!requested) return '';
  return requested
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => ALLOWED_HEADERS.has(h) || h.startsWith('x-stainless-'))
    .join(', ');
}

/** A preflight from an allowed origin: 204 naming it, the methods, and the requested headers the API knows. */
export function answerPreflight(request: IncomingMessage, response: ServerResponse, policy: CorsPolicy): void {
  const headers: Record<string, string> = {
    'access-control-allow-origin': request.headers.origin!,
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'access-control-max-age': '600',
    vary: 'origin',
    'content-length': '0',
  };
  const allowed = allowedHeaders(request.headers['access-control-request-headers']);
  if (allowed) headers['access-control-allow-headers'] = allowed;
  if (policy.credentials) headers['access-control-allow-credentials'] = 'true';
  response.writeHead(204, headers);
  response.end();
}

export function corsHeaders(request: IncomingMessage, policy: CorsPolicy): Record<string, string> {
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return {};
  const headers: Record<string, string> = {
    'access-control-allow-origin': origin,
    // The SDK reads `x-request-id` and the rate-limit headers.
    'access-control-expose-headers': '*',
    vary: 'origin',
  };
  if (policy.credentials) headers['access-control-allow-credentials'] = 'true';
  return headers;
}

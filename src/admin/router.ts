import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidUrl, isErrorResponse, malformedJson, openAIError, requestUrl, type ErrorResponse } from '../http/errors';
import { BodyTooLargeError, readBody } from '../http/read-body';
import { isAdminPath } from '../http/cors';
import { redactUrl, type Logger } from '../log/logger';

/**
 * The admin API: one table of routes under a prefix that no OpenAI path can take. Features
 * (health now; journal, scripts, metrics later) each contribute their routes; the router
 * authenticates, reads JSON, and answers errors in OpenAI's shape like the API routes.
 */

export const ADMIN_PREFIX = '/__admin';

export interface AdminRequest {
  method: string;
  /** Path after the prefix, such as `/health`. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body, if any. */
  body: unknown;
  headers: IncomingMessage['headers'];
}

export interface AdminAnswer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface AdminRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A template after the prefix: `/journal/{id}`. */
  path: string;
  /** Answers without the admin token (health, for probes that hold no secret). */
  open?: boolean;
  handle(request: AdminRequest): AdminAnswer | Promise<AdminAnswer>;
}

export class AdminError extends Error {
  constructor(readonly response: ErrorResponse) {
    super(response.body.error.message);
  }
}

/** For route handlers: a 4xx in OpenAI's shape. */
export const adminError = (status: number, message: string, options: { param?: string; code?: string } = {}) =>
  new AdminError(openAIError(status, message, options));

const ADMIN_BODY_LIMIT = 10 * 1024 * 1024;


function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith('{') && w.endsWith('}')) {
      if (got[i] === '') return undefined;
      params[w.slice(1, -1)] = decodeURIComponent(got[i]!);
    } else if (w !== got[i]) return undefined;
  }
  return params;
}

export interface AdminRouter {
  owns(url: string | undefined): boolean;
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
}

export function createAdminRouter(routes: readonly AdminRoute[], options: { token?: string; logger: Logger }): AdminRouter {
  const answer = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    // A string goes out as it is (Prometheus text, with the route's own content type); anything else as JSON.
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, { ...(text ? { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json' } : {}), ...headers, 'cache-control': 'no-store' });
    response.end(text);
  };

  async function dispatch(request: IncomingMessage): Promise<AdminAnswer> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = requestUrl(request);
    if (isErrorResponse(url)) throw new AdminError(url);
    const path = url.pathname.slice(ADMIN_PREFIX.length) || '/';
    let found: { route: AdminRoute; params: Record<string, string> } | undefined;
    for (const route of routes) {
      const params = route.method === method || (method === 'HEAD' && route.method === 'GET') ? matchTemplate(route.path, path) : undefined;
      if (params) {
        found = { route, params };
        break;
      }
    }
    if (!found) throw new AdminError(invalidUrl(method, url.pathname));
    if (options.token && !found.route.open) {
      const header = request.headers.authorization ?? '';
      const given = /^Bearer\s+(.+)$/i.exec(header.trim())?.[1];
      if (given !== options.token) {
        throw new AdminError(
          openAIError(401, given === undefined ? 'The admin API needs the admin token: Authorization: Bearer <admin token>.' : 'Incorrect admin token provided.', {
            type: 'authentication_error',
            code: 'invalid_admin_token',
          }),
        );
      }
    }
    let body: unknown;
    const raw = await readBody(request, ADMIN_BODY_LIMIT);
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (error) {
        throw new AdminError(malformedJson((error as Error).message));
      }
    }
    return found.route.handle({ method, path, params: found.params, query: url.searchParams, body, headers: request.headers });
  }

  return {
    owns: isAdminPath,
    async handle(request, response) {
      let result: AdminAnswer;
      try {
        result = await dispatch(request);
      } catch (error) {
        if (error instanceof AdminError) result = { status: error.response.status, body: error.response.body };
        else if (error instanceof BodyTooLargeError) result = { status: 413, body: openAIError(413, `The request body is too large: the limit is ${error.limit} bytes.`).body };
        else {
          options.logger.error(`${request.method} ${redactUrl(request.url)} failed: ${(error as Error)?.stack ?? error}`);
          result = { status: 500, body: openAIError(500, `The admin API failed: ${(error as Error)?.message ?? error}`).body };
        }
      }
      if (!request.complete) {
        // An unread body would be taken for the next request on this connection.
        response.setHeader('connection', 'close');
        request.resume();
      }
      if (!response.destroyed) answer(response, result.status ?? 200, request.method === 'HEAD' ? undefined : result.body, result.headers);
      options.logger.debug(`${request.method} ${redactUrl(request.url)} ${result.status ?? 200}`);
    },
  };
}

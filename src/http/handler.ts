import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestCame } from '../util/when-quiet';
import type { Router } from './router';
import { resolveApiPath } from './router';
import { withDeploymentModel } from './azure';
import { parseQuery } from './form-fields';
import { BodyTooLargeError, ClientGoneError, readBody } from './read-body';
import { BodyParseError, OutOfRangeNumberError, formForValidation, parseJsonBody, parseMultipartBody, parseUrlEncodedBody, type ParsedBody } from './parse-body';
import {
  requestUrl,
  isErrorResponse,
  bodyTooLarge,
  internalError,
  invalidUrl,
  malformedJson,
  openAIError,
  unsupportedContentType,
  type ErrorResponse,
} from './errors';
import { AnswerTooLargeError, writeResponse } from './write-response';
import { checkAuth } from './auth';
import { PreferError, readPreferences } from './preferences';
import { answerPreflight, corsHeaders, foreignOrigin, isAdminPath, isPreflight, judgeOrigin, type CorsPolicy } from './cors';
import { checkHost, type HostPolicy } from './host-check';
import { checkInputLimits } from '../limits/input-limits';
import { requestMediaTypes, validateRequest } from '../validation/request-validator';
import type { ValidatorStore } from '../validation/validator-store';
import { chooseMediaType, defaultSuccess, findResponse } from '../engine/negotiate';
import { EngineError } from '../engine/prism-engine';
import { DropConnection, type Exchange, type Handler, type MockRequest, type MockResponse, type Preferences } from '../pipeline/types';
import { redactUrl, type Logger } from '../log/logger';
import type { FrontHooks, SeenRequest } from '../sessions/front';
import { keepRequestText } from '../pipeline/request-text';
import type { FrontMetrics } from '../metrics/metrics';

export interface HandlerOptions {
  router: Router;
  /** The chain of steps ending in the engine; read per request so it can be swapped while running. */
  pipeline: () => Handler;
  logger: Logger;
  auth: boolean;
  /** Strict mode: only these keys are accepted (see auth.ts). */
  apiKeys?: readonly string[];
  bodyLimit: number;
  /** Which web pages may call the mock from a browser (see cors.ts). */
  cors: CorsPolicy;
  /** Which `Host` headers are the mock's (see host-check.ts). */
  hosts: HostPolicy;
  /** The most bytes one answer may have once serialised (the realism step meters before building). */
  maxAnswerBytes: number;
  /** The admin API (`/__admin/...`), answered before anything of the OpenAI API's. */
  admin?: OwnRoutes;
  /** Where compiled request validators are kept between runs (see validation/validator-store.ts). */
  validators?: ValidatorStore;
  /** Accept body parameters the spec does not declare (`--allow-unknown-params`). */
  allowUnknownParams?: boolean;
  /** Sessions and the request journal (src/sessions/): the session is read once here, each answer journaled beside its log line. */
  sessions?: FrontHooks;
  /** Counts and times each answer (src/metrics): told as it is written, and once it is done. */
  metrics?: FrontMetrics;
}

/** Paths the server answers itself, outside the OpenAI API (the admin router). */
export interface OwnRoutes {
  owns(url: string | undefined): boolean;
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
}

/**
 * A refusal already worded as the API's answer, thrown from inside `prepare` to the handler's
 * catch and seen by nothing else. Not an `Error`: the stack trace V8 captures for one was 13 us of
 * each refused request (a 400, a 401, a 404), more than the rest of its refusal.
 */
class HttpError {
  constructor(readonly response: ErrorResponse) {}
}

// Nearly every request of a run sends the same Content-Type: its media type is worked out once.
let lastHeader: string | undefined;
let lastType: string | undefined;
function mediaTypeOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  if (header === lastHeader) return lastType;
  lastType = header.split(';')[0]!.trim().toLowerCase() || undefined;
  lastHeader = header;
  return lastType;
}

/** A JSON or form body is parsed at once; only multipart is read with a promise (busboy's events). */
function parseBody(request: IncomingMessage, raw: Buffer, declared: readonly string[], mediaType: string | undefined): ParsedBody | Promise<ParsedBody> {
  if (raw.length === 0) return { kind: 'none' };
  if (declared.length === 0) return { kind: 'raw', value: raw };
  const accepts = (type: string) => declared.includes(type);
  if (mediaType === undefined && accepts('application/json')) {
    // curl -d without -H sends form encoding; a body with no type at all is most likely JSON.
    return parseJsonBody(raw);
  }
  if (mediaType === 'application/json' && accepts('application/json')) return parseJsonBody(raw);
  if (mediaType === 'multipart/form-data' && accepts('multipart/form-data')) return parseMultipartBody(raw, request.headers);
  if (mediaType === 'application/x-www-form-urlencoded' && accepts('application/x-www-form-urlencoded')) return parseUrlEncodedBody(raw);
  if (mediaType && accepts(mediaType)) return { kind: 'raw', value: raw };
  throw new HttpError(unsupportedContentType(request.headers['content-type'], declared));
}

// The request media types an operation declares, listed once per operation.
const declaredTypes = new WeakMap<object, readonly string[]>();
function declaredMediaTypes(operation: Parameters<typeof requestMediaTypes>[0]): readonly string[] {
  let types = declaredTypes.get(operation);
  if (!types) declaredTypes.set(operation, (types = requestMediaTypes(operation)));
  return types;
}

function preferencesOf(request: IncomingMessage, query: Record<string, unknown>): Preferences {
  if (!request.headers.prefer && !Object.keys(query).some((k) => k.startsWith('__'))) return {};
  try {
    return readPreferences(request.headers.prefer, query);
  } catch (error) {
    if (error instanceof PreferError) throw new HttpError(openAIError(400, `The Prefer header cannot be read: ${error.message}`, { param: 'Prefer' }));
    throw error;
  }
}

/**
 * The client's going away, as a signal made only when something asks for one (a stream, the
 * proxy, a script's delay): an AbortController and its signal were 2-3 us of every plain answer,
 * which never asks.
 */
class ClientGone {
  private controller: AbortController | undefined;
  private gone = false;
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.gone) this.controller.abort();
    }
    return this.controller.signal;
  }
  get aborted(): boolean {
    return this.gone;
  }
  abort(): void {
    this.gone = true;
    this.controller?.abort();
  }
}

/** Bodies up to this size are read to their end before an early answer, to keep the connection. */
const DRAIN_LIMIT = 64 * 1024;
const DRAIN_WAIT_MS = 1000;

function drainSmallBody(request: IncomingMessage): Promise<void> {
  const declared = Number(request.headers['content-length']);
  if (!Number.isFinite(declared) || declared > DRAIN_LIMIT || request.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      request.off('end', done);
      request.off('close', done);
      request.off('error', done);
      resolve();
    };
    const timer = setTimeout(done, DRAIN_WAIT_MS);
    request.on('end', done);
    request.on('close', done);
    request.on('error', done);
    request.resume();
  });
}

/** The HTTP front: route, authenticate, read and check the request, run the pipeline, write. */
export function createRequestHandler(options: HandlerOptions) {
  const { router, logger } = options;

  async function prepare(request: IncomingMessage, gone: ClientGone, session: string | undefined, seen: SeenRequest): Promise<Exchange> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = requestUrl(request);
    if (isErrorResponse(url)) throw new HttpError(url);
    const { path: apiPath, azure, deployment } = resolveApiPath(url.pathname);
    let route = router.match(method, apiPath, url.searchParams);
    // The spec has no HEAD operations: HEAD is answered as the GET of the same path (the steps and
    // the engine see a GET), and Node's server leaves the body out.
    const headAsGet = !route && method === 'HEAD';
    if (headAsGet) route = router.match('GET', apiPath, url.searchParams);
    if (!route) throw new HttpError(invalidUrl(method, url.pathname));
    seen.operationId = route.operation.iid;

    if (options.auth) {
      const problem = checkAuth(request.headers, { apiKeys: options.apiKeys });
      if (problem) throw new HttpError(problem);
    }

    const hasQuery = url.search !== '';
    const query = hasQuery ? parseQuery(url.searchParams) : {};
    delete query.beta;
    if (azure) delete query['api-version'];
    const preferences = preferencesOf(request, query);
    seen.query = query;
    if (hasQuery) {
      for (const key of Object.keys(query)) if (key.startsWith('__')) delete query[key];
      for (const key of [...url.searchParams.keys()]) if (key.startsWith('__')) url.searchParams.delete(key);
    }

    let raw: Buffer;
    try {
      const reading = readBody(request, options.bodyLimit);
      raw = reading instanceof Promise ? await reading : reading;
    } catch (error) {
      if (error instanceof BodyTooLargeError) throw new HttpError(bodyTooLarge(error.limit));
      throw error;
    }

    const declared = declaredMediaTypes(route.operation);
    const sentType = mediaTypeOf(request.headers['content-type']);
    let parsed: ParsedBody;
    try {
      const parsing = parseBody(request, raw, declared, sentType);
      parsed = parsing instanceof Promise ? await parsing : parsing;
    } catch (error) {
      if (error instanceof OutOfRangeNumberError) {
        throw new HttpError(openAIError(400, error.message, { param: error.param, code: 'invalid_value' }));
      }
      if (error instanceof BodyParseError) {
        throw new HttpError(error.kind === 'json' ? malformedJson(error.message) : openAIError(400, error.message));
      }
      throw error;
    }
    if (deployment !== undefined) parsed = withDeploymentModel(route.operation, parsed, deployment, sentType);
    // The API's limits before validation: a request it would refuse for its size costs little here.
    const overLimit = parsed.kind === 'json' ? checkInputLimits(route.operation.iid, parsed.value, raw.length) : undefined;
    if (overLimit) throw new HttpError(overLimit);

    const contentType = sentType ?? (parsed.kind === 'json' ? 'application/json' : undefined);
    const body = parsed.kind === 'none' ? undefined : parsed.value;
    seen.body = body;
    if (parsed.kind === 'json') {
      seen.jsonBytes = raw.length;
      // The journal keeps the text and parses it when read: one string costs the collector less
      // than a tree. `text` is gone from a body the front changed (an Azure deployment's model).
      seen.jsonText = parsed.text;
    }
    const problem = validateRequest(route.operation, {
      pathParams: route.params,
      query,
      // A raw body (an SDP offer, an audio upload) is checked as the string the spec describes.
      body: parsed.kind === 'form' ? formForValidation(body) : parsed.kind === 'raw' ? parsed.value.toString('utf8') : body,
      mediaType: contentType,
      bodyText: parsed.kind === 'json' ? parsed.text : undefined,
    }, options.validators, { allowUnknownParams: options.allowUnknownParams });
    if (problem) throw new HttpError(openAIError(400, problem.message, { param: problem.param, code: problem.code }));

    const mockRequest: MockRequest = {
      method: headAsGet ? 'GET' : method,
      path: url.pathname,
      apiPath,
      params: route.params,
      query,
      headers: request.headers,
      body,
      files: parsed.kind === 'form' ? parsed.files : {},
      contentType,
      raw,
      search: url.search,
    };
    if (parsed.kind === 'json' && parsed.text !== undefined) keepRequestText(mockRequest, parsed.text);
    const wanted = preferences.code !== undefined ? findResponse(route.operation, preferences.code) : defaultSuccess(route.operation);
    if (preferences.code !== undefined && !wanted) {
      // A 404 here would read as "no such route": say what was asked and what can be.
      const documented = route.operation.responses.map((r) => r.code).join(', ');
      throw new HttpError(
        openAIError(400, `Prefer: code=${preferences.code}: ${route.operation.iid} documents no ${preferences.code} response (it documents ${documented}).`, {
          param: 'Prefer',
          code: 'undocumented_status',
        }),
      );
    }
    if (preferences.example !== undefined && wanted) {
      // Prism's own answer would be a 404 in its wording, read as "no such route".
      const documented = [...new Set((wanted.contents ?? []).flatMap((c) => (c.examples ?? []).map((e) => e.key)))];
      if (!documented.includes(preferences.example)) {
        const which = documented.length ? `it documents ${documented.map((k) => `'${k}'`).join(', ')}` : 'it documents none';
        throw new HttpError(
          openAIError(400, `Prefer: example=${preferences.example}: ${route.operation.iid} documents no example of that name for its ${wanted.code} response (${which}).`, {
            param: 'Prefer',
            code: 'undocumented_example',
          }),
        );
      }
    }
    return {
      request: mockRequest,
      operation: route.operation,
      operationId: route.operation.iid,
      template: route.template.split('?')[0]!,
      responseMediaType: chooseMediaType(wanted, request.headers.accept),
      preferences,
      get signal() {
        return gone.signal;
      },
      session,
    };
  }

  return async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    requestCame();
    // Before any work: a request by a name that is not the mock's (DNS rebinding) or from a web page
    // that may not call it is refused, preflight or not, and gets no CORS headers.
    const admin = isAdminPath(request.url);
    const verdict = judgeOrigin(request, options.cors);
    const refusal =
      checkHost(request.headers.host, options.hosts) ??
      (verdict === 'foreign' || (admin && verdict === 'allowed') ? foreignOrigin(String(request.headers.origin), admin) : undefined);
    if (refusal) {
      await writeResponse(response, refusal);
      if (!request.complete) request.resume();
      logger.warn(`${request.method} ${redactUrl(request.url)} ${refusal.status}: ${refusal.body.error.message}`);
      return;
    }
    // After the refusals, before CORS: the admin API never answers a browser's cross-origin call.
    if (options.admin?.owns(request.url)) return options.admin.handle(request, response);
    if (options.cors.enabled && isPreflight(request)) {
      answerPreflight(request, response, options.cors);
      logger.info(`${request.method} ${redactUrl(request.url)} 204 (CORS preflight)`);
      return;
    }
    const abort = new ClientGone();
    response.on('close', () => {
      if (!response.writableFinished) abort.abort();
    });
    // A write to a connection the client already closed fails on the response; that failure is
    // this request's alone (its signal has aborted), never an unhandled 'error' event.
    response.on('error', (error) => logger.debug(`${request.method} ${redactUrl(request.url)}: the response failed: ${error.message}`));

    const session = options.sessions?.sessionOf(request);
    const seen: SeenRequest = {};
    let exchange: Exchange | undefined;
    let result: MockResponse;
    try {
      exchange = await prepare(request, abort, session, seen);
      result = await options.pipeline()(exchange);
    } catch (error) {
      if (error instanceof HttpError) result = error.response;
      else if (error instanceof DropConnection) {
        options.sessions?.dropped({ request, session: session!, seen, exchange, started, gone: abort });
        response.destroy();
        logger.info(`${request.method} ${redactUrl(request.url)} closed without an answer (scripted)`);
        return;
      }
      else if (error instanceof EngineError) result = openAIError(error.status, error.message);
      else if (error instanceof ClientGoneError) {
        logger.debug(`${request.method} ${redactUrl(request.url)}: ${error.message}`);
        return;
      } else {
        logger.error(`${request.method} ${redactUrl(request.url)} failed: ${(error as Error).stack ?? error}`);
        result = internalError(`The mock server failed to answer: ${(error as Error).message}`);
      }
    }

    // A small body still on its way when the answer is known (a 401, a 404) is read and dropped,
    // so that the connection stays usable; a large or stalled one is not waited for.
    if (!request.complete && result.status !== 413) await drainSmallBody(request);
    // HTTP/2 has no connection header: there an unread body ends with its own stream.
    if ((result.status === 413 || result.status === 415 || !request.complete) && request.httpVersionMajor < 2) {
      // Answered before the whole body arrived (a 401, a 404, a 413): the rest of it would be
      // taken for the next request on this connection, and a client still owing it would hold
      // the socket until the keep-alive timeout. The connection ends with the answer.
      response.setHeader('connection', 'close');
    }
    if (options.cors.enabled && verdict === 'allowed') for (const [name, value] of Object.entries(corsHeaders(request, options.cors))) response.setHeader(name, value);
    const recording = options.sessions?.record({ request, session: session!, seen, exchange, result, started, gone: abort });
    const measured = options.metrics?.answer(seen.operationId, result, started);
    try {
      // A plain answer is written at once; only a stream is waited for.
      const writing = writeResponse(response, result, options.maxAnswerBytes, recording?.tap);
      if (writing) await writing;
    } catch (error) {
      if (!(error instanceof AnswerTooLargeError)) throw error;
      // An override's or the engine's body past the ceiling (the builders' own are refused before they are built).
      logger.warn(`${request.method} ${redactUrl(request.url)}: refused: ${error.message}`);
      result = openAIError(400, error.message, { code: 'answer_too_large' });
      await writeResponse(response, result);
    } finally {
      recording?.done();
      measured?.(result.status);
    }
    if (!request.complete) request.resume();

    // Below info the line is not built at all: under load its string and redaction are a cost.
    if (logger.level !== 'info' && logger.level !== 'debug') return;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const source = result.source && result.source !== 'engine' ? ` (${result.source})` : '';
    logger.info(`${request.method} ${redactUrl(request.url)} ${result.status} ${ms.toFixed(1)}ms${source}`);
  };
}

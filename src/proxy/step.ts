import type { Logger } from '../log/logger';
import type { Exchange, MockResponse, Step } from '../pipeline/types';
import { openAIError } from '../http/errors';
import { ClientGoneError } from '../http/read-body';
import { ConnectionCut } from '../streaming/deliver';
import { streamingRequest } from '../streaming/decide';
import type { Recorder } from '../cassettes/recorder';
import { answerHeaders, operationMatcher, upstreamHeaders, upstreamUrl } from './upstream';
import type { DriftReport } from './drift';
import { splitEvents } from '../cassettes/recorder';
import { canCollapse, collapse } from './collapse';

/**
 * Forwards a request to an OpenAI-compatible upstream and answers with what it sends, without
 * calling `next`; `next` (the mock) answers what is not proxied, and upstream failures when
 * `fallback` is `mock`. JSON answers are parsed for the steps above (overrides) and keep their
 * bytes, which go out unchanged unless a step replaces the answer. Streams pass through chunk by
 * chunk as they arrive, unless an override could rewrite this operation's answer: then the
 * upstream is asked for the plain answer, which the override rewrites and the streaming step streams.
 */

export interface ProxySettings {
  /** Base URL as the SDK's `baseURL`: `https://api.openai.com/v1`. */
  target: string;
  /** Replaces the client's key upstream; default `OPENAI_API_KEY` if set, else the client's own. */
  apiKey?: string;
  include?: string[];
  exclude?: string[];
  /** What answers when the upstream cannot: the mock, or an error as a gateway sends it. Default `error`. */
  fallback?: 'mock' | 'error';
  /** Milliseconds to wait for the upstream's headers, and between two chunks of its body. Default 60000. */
  timeoutMs?: number;
}

export interface ProxyStepOptions extends ProxySettings {
  logger: Logger;
  recorder?: () => Recorder | undefined;
  drift?: DriftReport;
  /** True when an override may rewrite this exchange's answer (it then needs the whole answer). */
  needsWhole?: (exchange: Exchange) => boolean;
}

export class UpstreamCut extends ConnectionCut {
  constructor(readonly reason: string) {
    super(0);
    this.message = reason;
  }
}

class UpstreamTimeout extends Error {}

const isJsonType = (type: string | null) => /[/+]json\b/i.test(type ?? '');
const describe = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
};

/** The request body for an upstream that is to answer in one piece, not as a stream. */
function unstreamed(exchange: Exchange): Buffer | undefined {
  const body = exchange.request.body;
  if (exchange.request.contentType !== 'application/json' || typeof body !== 'object' || body === null) return undefined;
  const { stream: _stream, stream_options: _options, ...rest } = body as Record<string, unknown>;
  return Buffer.from(JSON.stringify(rest));
}

/** Reads a stream whole and folds it into the final answer, its pacing kept as a stream control. */
async function gather(exchange: Exchange, response: MockResponse, startedAt: number, headersAt: number): Promise<MockResponse> {
  const chunks: Buffer[] = [];
  const events: string[] = [];
  const at: number[] = [];
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      buffered += decoder.decode(chunk, { stream: true });
      const split = splitEvents(buffered);
      buffered = split.rest;
      const now = performance.now() - startedAt;
      for (const event of split.events) {
        events.push(event);
        at.push(now);
      }
    }
  } catch (error) {
    // Nothing has gone to the client yet: the break can still be said with a status.
    if (error instanceof UpstreamCut) return openAIError(502, `The upstream API broke off its stream: ${error.message}.`, { code: 'upstream_disconnected' });
    throw error;
  }
  if (buffered.trim() !== '') {
    events.push(buffered);
    at.push(performance.now() - startedAt);
  }
  const folded = collapse(exchange.operationId, events, { headersAt, at });
  if (!folded) {
    return { ...response, body: (async function* () { yield* chunks; })() };
  }
  return { status: response.status, headers: { ...response.headers, 'content-type': 'application/json' }, body: folded.body, stream: folded.stream, source: 'proxy' };
}

export function createProxyStep(options: ProxyStepOptions): Step {
  const { logger } = options;
  const included = operationMatcher(options.include);
  const excluded = operationMatcher(options.exclude);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const fallback = options.fallback ?? 'error';
  const apiKey = options.apiKey ?? (process.env.OPENAI_API_KEY || undefined);

  return async (exchange: Exchange, next): Promise<MockResponse> => {
    if ((included && !included(exchange)) || excluded?.(exchange)) return next(exchange);
    const where = `${exchange.request.method} ${exchange.request.path}`;
    const url = upstreamUrl(options.target, exchange);
    const upstream = new AbortController();
    const onClientGone = () => upstream.abort(new ClientGoneError());
    exchange.signal.addEventListener('abort', onClientGone, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => upstream.abort(new UpstreamTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
    };
    const done = () => {
      clearTimeout(timer);
      exchange.signal.removeEventListener('abort', onClientGone);
    };

    // An override may rewrite this streamed answer: it needs the whole answer. Chat and Responses
    // streams are gathered and folded (keeping the upstream's pacing); others are asked for plainly.
    const wantsWhole = streamingRequest(exchange) !== undefined && options.needsWhole?.(exchange) === true;
    const whole = wantsWhole && !canCollapse(exchange.operationId) ? unstreamed(exchange) : undefined;
    const raw = whole ?? exchange.request.raw;
    const headers = upstreamHeaders(exchange, { apiKey });
    const startedAt = performance.now();

    const failed = async (side: string, status: number, message: string, code: string): Promise<MockResponse> => {
      done();
      if (fallback === 'mock') {
        logger.warn(`proxy: ${where}: ${side}; answered by the mock (fallback: mock)`);
        const mocked = await next(exchange);
        return { ...mocked, source: 'mock-fallback' };
      }
      logger.warn(`proxy: ${where}: ${side}`);
      return openAIError(status, message, { code });
    };

    let answer: Response;
    arm();
    try {
      answer = await fetch(url, {
        method: exchange.request.method,
        headers,
        body: raw && raw.length > 0 && exchange.request.method !== 'GET' && exchange.request.method !== 'HEAD' ? raw : undefined,
        signal: upstream.signal,
        redirect: 'manual',
      });
    } catch (error) {
      const reason = upstream.signal.reason;
      if (reason instanceof ClientGoneError) {
        done();
        logger.debug(`proxy: ${where}: the client went away before the upstream answered (client side)`);
        throw reason;
      }
      if (reason instanceof UpstreamTimeout) {
        return failed(`upstream ${url} timed out (upstream side: ${reason.message})`, 504, `The upstream API did not answer within ${timeoutMs} ms.`, 'upstream_timeout');
      }
      return failed(`upstream ${url} could not be reached (upstream side: ${describe(error)})`, 502, `The upstream API could not be reached: ${describe(error)}.`, 'upstream_unreachable');
    }

    if (answer.status >= 500 && fallback === 'mock') {
      await answer.body?.cancel().catch(() => undefined);
      return failed(`upstream ${url} answered ${answer.status} (upstream side)`, answer.status, '', '');
    }
    if (answer.status >= 500) logger.warn(`proxy: ${where}: upstream ${url} answered ${answer.status} (upstream side); passed on to the client`);

    const responseHeaders = answerHeaders(answer.headers);
    const type = answer.headers.get('content-type');
    const recorder = options.recorder?.();

    if (/^text\/event-stream/i.test(type ?? '') && answer.body) {
      arm();
      const reader = answer.body.getReader();
      async function* passthrough(): AsyncGenerator<Buffer> {
        let bytes = 0;
        try {
          while (true) {
            let chunk: Awaited<ReturnType<typeof reader.read>>;
            try {
              chunk = await reader.read();
            } catch (error) {
              const reason = upstream.signal.reason;
              // The client went away: the writer has stopped already, nobody is left to tell.
              if (reason instanceof ClientGoneError) return;
              const why = reason instanceof UpstreamTimeout ? reason.message : describe(error);
              logger.warn(`proxy: ${where}: upstream ${url} broke off its stream after ${bytes} bytes (upstream side: ${why}); the client's connection is cut, as the API's would be`);
              throw new UpstreamCut(`upstream stream broke off: ${why}`);
            }
            if (chunk.done) return;
            arm();
            bytes += chunk.value.byteLength;
            // Each chunk goes on as it arrives: the client sees the upstream's pacing.
            yield Buffer.from(chunk.value.buffer, chunk.value.byteOffset, chunk.value.byteLength);
          }
        } finally {
          done();
          reader.releaseLock();
          if (!upstream.signal.aborted) upstream.abort(new ClientGoneError());
        }
      }
      const headersAt = performance.now() - startedAt;
      let streamed: MockResponse = { status: answer.status, headers: responseHeaders, body: passthrough(), source: 'proxy' };
      if (recorder) streamed = recorder.record(exchange, streamed, startedAt);
      return wantsWhole ? gather(exchange, streamed, startedAt, headersAt) : streamed;
    }

    let bytes: Buffer;
    try {
      bytes = Buffer.from(await answer.arrayBuffer());
    } catch (error) {
      const reason = upstream.signal.reason;
      if (reason instanceof ClientGoneError) {
        done();
        throw reason;
      }
      const why = reason instanceof UpstreamTimeout ? reason.message : describe(error);
      return failed(`upstream ${url} broke off its answer (upstream side: ${why})`, 502, `The upstream API broke off its answer: ${why}.`, 'upstream_disconnected');
    }
    done();
    let body: unknown = bytes;
    if (isJsonType(type) && bytes.length > 0) {
      try {
        body = JSON.parse(bytes.toString('utf8'));
      } catch {
        body = bytes;
      }
    }
    const response: MockResponse = { status: answer.status, headers: responseHeaders, body, raw: bytes, source: 'proxy' };
    options.drift?.check(exchange, response);
    return recorder ? recorder.record(exchange, response, startedAt) : response;
  };
}

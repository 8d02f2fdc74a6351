import { streamOf, type Exchange, type Handler, type MockResponse, type Step, type StreamControl } from '../pipeline/types';
import { streamingRequest } from './decide';
import { deliver } from './deliver';

/** The headers of the final answer that still hold for its streamed form. */
function streamHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'content-length' || name === 'content-type' || name === 'transfer-encoding') continue;
    kept[name] = value;
  }
  return {
    ...kept,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    // Proxies such as nginx hold back responses unless told not to.
    'x-accel-buffering': 'no',
  };
}

/** Field by field, the later control wins; a field it leaves undefined keeps the earlier value. */
export function mergeControls(...controls: (StreamControl | undefined)[]): StreamControl {
  const merged: Record<string, unknown> = {};
  for (const control of controls) {
    for (const [key, value] of Object.entries(control ?? {})) if (value !== undefined) merged[key] = value;
  }
  return merged as StreamControl;
}

export interface StreamingOptions {
  /** Server-wide pacing and failures; a response's own `stream` control wins field by field. */
  defaults?: () => StreamControl | undefined;
}

/**
 * The outermost step: when the request asks for a stream (`stream: true`, `stream_format: "sse"`
 * for speech, `?stream=true` to retrieve a stored response), it takes the final answer from the rest of the chain (engine, realism, overrides)
 * and sends it as the API's server-sent events, so that one override serves the plain and the
 * streamed form alike. Failures (non-2xx) go out as plain JSON errors, as the API sends them
 * before a stream starts.
 */
export function createStreamingStep(options: StreamingOptions = {}): Step {
  // A request that does not stream goes down without an await of its own (most of a load test's).
  return (exchange: Exchange, next): Promise<MockResponse> => {
    const streaming = streamingRequest(exchange);
    return streaming ? streamed(exchange, next, streaming) : next(exchange);
  };

  async function streamed(exchange: Exchange, next: Handler, streaming: NonNullable<ReturnType<typeof streamingRequest>>): Promise<MockResponse> {
    const response = await next(exchange);
    if (response.status < 200 || response.status >= 300 || streamOf(response)) return response;
    const plan = streaming.plan(response.body, streaming.request, exchange);
    if (!plan) return response;
    const control = mergeControls(options.defaults?.(), response.stream);
    return {
      status: response.status,
      headers: streamHeaders(response.headers),
      body: deliver(plan, control, exchange.signal),
      stream: control,
      source: response.source,
    };
  }
}

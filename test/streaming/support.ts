/**
 * Shared by the streaming suites: a step that gives chosen operations a fixed final answer (what
 * an override does), fixed answers worth streaming, and a reader for raw event streams.
 */
import type OpenAI from 'openai';
import type { MockResponse, MockServer, MockServerOptions, Step, StreamControl } from '../../src';
import { sdk, startMock } from '../helpers/server';

export type Rewrite = (body: any, response: MockResponse) => Partial<MockResponse> | void;

/**
 * A step placed before realism and the engine: for the operations in `rewrites` it takes the
 * engine's answer and replaces its body (and may add a `stream` control), as an override would.
 * The table is read per request, so a test can change it between requests.
 */
export function rewriteStep(rewrites: Record<string, Rewrite | undefined>): Step {
  return async (exchange, next) => {
    const response = await next(exchange);
    const rewrite = rewrites[exchange.operationId];
    if (!rewrite) return response;
    return { ...response, ...rewrite(exchange.request.body, response) };
  };
}

/**
 * A server for a suite whose tests rewrite responses: `env.rewrites[operationId]` changes that
 * operation's answer for the current test; `env.mock` and `env.client` exist from `beforeAll` on.
 */
export function rewritingMock(options: MockServerOptions = {}) {
  const env = { rewrites: {} as Record<string, Rewrite | undefined>, mock: undefined as unknown as MockServer, client: undefined as unknown as OpenAI };
  beforeAll(async () => {
    env.mock = await startMock({ ...options, steps: [rewriteStep(env.rewrites)] });
    env.client = sdk(env.mock);
  });
  afterAll(async () => {
    await env.mock?.close();
  });
  afterEach(() => {
    for (const key of Object.keys(env.rewrites)) delete env.rewrites[key];
  });
  return env;
}

export const withBody = (body: unknown, stream?: StreamControl): Rewrite => () => ({ body, ...(stream ? { stream } : {}) });

export const CHAT_TEXT = 'Hello there! Streaming works word by word, even for supercalifragilisticexpialidocious words. 🎉\n\nDone.';

export function chatBody(message: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    id: 'chatcmpl-stream-test',
    object: 'chat.completion',
    created: 1_760_000_000,
    model: 'gpt-4o-2024-08-06',
    choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...message }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 21, total_tokens: 33 },
    service_tier: 'default',
    system_fingerprint: 'fp_test',
    ...extra,
  };
}

export const TOOL_CALLS = [
  { id: 'call_weather', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius","days":[1,2,3]}' } },
  { id: 'call_time', type: 'function', function: { name: 'get_time', arguments: '{"timezone":"Europe/Paris"}' } },
];

export const RESPONSE_TEXT = 'The Eiffel Tower is 330 metres tall. It was the tallest structure in the world until 1930.';

export function responseBody(output: unknown[]) {
  return {
    id: 'resp_stream_test',
    object: 'response',
    created_at: 1_760_000_000,
    status: 'completed',
    completed_at: 1_760_000_002,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model: 'gpt-4o-2024-08-06',
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: {
      input_tokens: 20,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 30,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 50,
    },
    metadata: {},
  };
}

export const MESSAGE_ITEM = {
  type: 'message',
  id: 'msg_stream_test',
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', text: RESPONSE_TEXT, annotations: [], logprobs: [] }],
};

export const FUNCTION_CALL_ITEM = {
  type: 'function_call',
  id: 'fc_stream_test',
  call_id: 'call_stream_test',
  name: 'get_weather',
  arguments: '{"city":"Paris","unit":"celsius"}',
  status: 'completed',
};

export interface RawEvent {
  event?: string;
  data: string;
}

/** Splits an event stream's text into events, checking the framing as it goes. */
export function parseEventStream(text: string): RawEvent[] {
  if (!text.endsWith('\n\n')) throw new Error(`stream does not end with a blank line: ${JSON.stringify(text.slice(-40))}`);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((block) => {
      const event: RawEvent = { data: '' };
      for (const line of block.split('\n')) {
        const match = /^(event|data): (.*)$/.exec(line);
        if (!match) throw new Error(`not an SSE line: ${JSON.stringify(line)}`);
        if (match[1] === 'event') event.event = match[2]!;
        else event.data = match[2]!;
      }
      return event;
    });
}

export const JSON_HEADERS = { 'content-type': 'application/json', authorization: 'Bearer sk-test' };

export async function postJson(url: string, body: unknown, init: RequestInit = {}) {
  return fetch(url, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body), ...init });
}

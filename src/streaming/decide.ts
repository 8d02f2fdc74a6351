import type { Exchange } from '../pipeline/types';
import type { StreamPlan } from './events';
import { isObject, type Json } from './json';
import { chatCompletionStream } from './chat';
import { completionStream } from './completions';
import { responseStream } from './responses';
import { speechStream, transcriptionStream } from './audio';
import { imageStream } from './images';
import { runStream, storedReply } from './assistants';

/** Turns an operation's final body into its stream, or says the body cannot be streamed. */
type Planner = (body: unknown, request: Json, exchange: Exchange) => StreamPlan | undefined;

const json = (build: (body: Json, request: Json, exchange: Exchange) => StreamPlan): Planner => (body, request, exchange) =>
  isObject(body) ? build(body, request, exchange) : undefined;

/** Form fields arrive as text: `stream=true` in a multipart body means the same as JSON's `true`. */
const streamFlag = (request: Json) => request.stream === true || request.stream === 'true';

interface StreamingOperation {
  /** Where the request asks for a stream: its body (the default) or, for a GET, its query. */
  from?: 'body' | 'query';
  wants(request: Json): boolean;
  plan: Planner;
}

/**
 * `starting_after=N` resumes a retrieved stream: the events numbered N and below were seen already.
 * Query values arrive coerced by the validator (a number) or as text.
 */
function resumed(plan: StreamPlan, request: Json): StreamPlan {
  const after = request.starting_after === undefined || request.starting_after === '' ? NaN : Number(request.starting_after);
  if (!Number.isInteger(after)) return plan;
  const events = plan.events.filter((event) => !(isObject(event.data) && event.data.sequence_number <= after));
  const skipped = plan.events.length - events.length;
  // An error in place of the n-th event sent still takes that event's sequence number.
  return { ...plan, events, error: (error, position) => plan.error(error, position + skipped) };
}

/** Retrieving a stored response with `?stream=true` replays it as the events that created it. */
const retrieveResponse: StreamingOperation = {
  from: 'query',
  wants: streamFlag,
  plan: json((body, request) => resumed(responseStream(body), request)),
};

/** Every operation the API streams, keyed by the spec's operationId. */
const OPERATIONS: Record<string, StreamingOperation> = {
  createChatCompletion: { wants: streamFlag, plan: json((body, request) => chatCompletionStream(body, request)) },
  createCompletion: { wants: streamFlag, plan: json((body, request) => completionStream(body, request)) },
  createResponse: { wants: streamFlag, plan: json((body) => responseStream(body)) },
  beta_createResponse: { wants: streamFlag, plan: json((body) => responseStream(body)) },
  getResponse: retrieveResponse,
  beta_getResponse: retrieveResponse,
  createSpeech: {
    wants: (request) => request.stream_format === 'sse',
    plan: (body, request) => (Buffer.isBuffer(body) ? speechStream(body, request) : undefined),
  },
  createTranscription: { wants: streamFlag, plan: (body) => transcriptionStream(body) },
  createImage: { wants: streamFlag, plan: json((body, request) => imageStream(body, request, 'image_generation')) },
  createImageEdit: { wants: streamFlag, plan: json((body, request) => imageStream(body, request, 'image_edit')) },
  createRun: { wants: streamFlag, plan: json((body, _request, exchange) => runStream(body, exchange.operationId, storedReply(exchange))) },
  createThreadAndRun: { wants: streamFlag, plan: json((body, _request, exchange) => runStream(body, exchange.operationId, storedReply(exchange))) },
  submitToolOuputsToRun: { wants: streamFlag, plan: json((body, _request, exchange) => runStream(body, exchange.operationId, storedReply(exchange))) },
};

export interface StreamingRequest {
  /** The request's parameters that shape the stream (its body, or its query for a GET). */
  request: Json;
  plan: Planner;
}

/**
 * The stream this request asks for, decided by its body (or, for a retrieval, its query) as the
 * API does, never by Accept.
 */
export function streamingRequest(exchange: Exchange): StreamingRequest | undefined {
  const operation = OPERATIONS[exchange.operationId];
  if (!operation) return undefined;
  const request = operation.from === 'query' ? exchange.request.query : exchange.request.body;
  if (!isObject(request) || !operation.wants(request)) return undefined;
  return { request, plan: operation.plan };
}

export const STREAMING_OPERATION_IDS = Object.keys(OPERATIONS);

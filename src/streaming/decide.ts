import type { Exchange } from '../pipeline/types';
import type { StreamPlan } from './events';
import { isObject, type Json } from './json';
import { chatCompletionStream } from './chat';
import { completionStream } from './completions';
import { responseStream } from './responses';
import { speechStream, transcriptionStream } from './audio';
import { imageStream } from './images';
import { runStream } from './assistants';

/** Turns an operation's final body into its stream, or says the body cannot be streamed. */
type Planner = (body: unknown, request: Json, exchange: Exchange) => StreamPlan | undefined;

const json = (build: (body: Json, request: Json, exchange: Exchange) => StreamPlan): Planner => (body, request, exchange) =>
  isObject(body) ? build(body, request, exchange) : undefined;

/** Form fields arrive as text: `stream=true` in a multipart body means the same as JSON's `true`. */
const streamFlag = (request: Json) => request.stream === true || request.stream === 'true';

interface StreamingOperation {
  wants(request: Json): boolean;
  plan: Planner;
}

/** Every operation the API streams, keyed by the spec's operationId. */
const OPERATIONS: Record<string, StreamingOperation> = {
  createChatCompletion: { wants: streamFlag, plan: json((body, request) => chatCompletionStream(body, request)) },
  createCompletion: { wants: streamFlag, plan: json((body, request) => completionStream(body, request)) },
  createResponse: { wants: streamFlag, plan: json((body) => responseStream(body)) },
  beta_createResponse: { wants: streamFlag, plan: json((body) => responseStream(body)) },
  createSpeech: {
    wants: (request) => request.stream_format === 'sse',
    plan: (body, request) => (Buffer.isBuffer(body) ? speechStream(body, request) : undefined),
  },
  createTranscription: { wants: streamFlag, plan: (body) => transcriptionStream(body) },
  createImage: { wants: streamFlag, plan: json((body, request) => imageStream(body, request, 'image_generation')) },
  createImageEdit: { wants: streamFlag, plan: json((body, request) => imageStream(body, request, 'image_edit')) },
  createRun: { wants: streamFlag, plan: json((body, _request, exchange) => runStream(body, exchange.operationId)) },
  createThreadAndRun: { wants: streamFlag, plan: json((body, _request, exchange) => runStream(body, exchange.operationId)) },
  submitToolOuputsToRun: { wants: streamFlag, plan: json((body, _request, exchange) => runStream(body, exchange.operationId)) },
};

/** The streaming operation this request asks a stream of, decided by its body as the API does (never by Accept). */
export function streamingOperation(exchange: Exchange): StreamingOperation | undefined {
  const operation = OPERATIONS[exchange.operationId];
  const request = exchange.request.body;
  if (!operation || !isObject(request) || !operation.wants(request)) return undefined;
  return operation;
}

export const STREAMING_OPERATION_IDS = Object.keys(OPERATIONS);

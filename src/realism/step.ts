import type { Exchange, MockResponse, Step } from '../pipeline/types';
import { isJsonMediaType } from '../engine/negotiate';
import type { DefaultBody } from './default-bodies';
import { applyIds, applyTimestamps } from './coherence';
import { isRecord, type Builder, type RealismContext } from './context';
import { randomIds, seededIds, type IdSource } from './ids';
import { reflectRequest } from './reflect';
import { startEmpty } from './fresh';
import { chatCompletion, textCompletion } from './kinds/chat';
import { modelResponse } from './kinds/responses';
import { embeddings } from './kinds/embeddings';
import { images, list, moderations, uploadedFile } from './kinds/collections';
import { fileContent, speechAudio, transcriptFormat } from './kinds/media';
import { typicalError } from './kinds/errors';

export interface RealismOptions {
  /** By operation iid, the bodies chosen when the spec was prepared (`PreparedSpec.defaultBodies`). */
  defaultBodies: Readonly<Record<string, DefaultBody>>;
  /**
   * Makes ids and timestamps deterministic: the same request then gets the same body, byte for
   * byte. A request's `Prefer: seed=...` header takes precedence.
   */
  seed?: string | number;
}

/** Answers that are built from the request, by operation. */
const BUILDERS: Record<string, Builder> = {
  createChatCompletion: chatCompletion,
  createCompletion: textCompletion,
  createResponse: modelResponse,
  beta_createResponse: modelResponse,
  createEmbedding: embeddings,
  createModeration: moderations,
  createImage: images,
  createImageEdit: images,
  createImageVariation: images,
};

/** Answers that are not JSON (or should not be), by operation. */
const RAW_BUILDERS: Record<string, (response: MockResponse, exchange: Exchange) => MockResponse> = {
  createSpeech: speechAudio,
  downloadFile: fileContent,
};

/**
 * Realism, the step right above the engine: the default success body becomes the operation's
 * documented example (chosen when the spec was prepared) instead of Prism's placeholders, then
 * is made coherent with the request: reflected fields and path ids, fresh prefixed ids on create,
 * timestamps of now, and for the model endpoints outputs and usage built from the input.
 * Other statuses, non-JSON answers, and answers the request chose itself (`Prefer: example=`,
 * `dynamic=true`) pass through unchanged.
 */
export function createRealismStep(options: RealismOptions): Step {
  const serverSeed = options.seed === undefined ? undefined : String(options.seed);
  // Each request changes its own copy; parsing a kept serialisation is cheaper than structuredClone.
  const serialized = new Map<string, string>();
  const copyOfChosen = (operationId: string, chosen: DefaultBody) => {
    let text = serialized.get(operationId);
    if (text === undefined) serialized.set(operationId, (text = JSON.stringify(chosen.body)));
    return JSON.parse(text) as Record<string, unknown>;
  };

  const realized = (exchange: Exchange, body: Record<string, unknown>, exampleId: unknown): boolean => {
    const seed = exchange.preferences.seed ?? serverSeed;
    const ids = seed === undefined ? randomIds() : seededIds(seed, fingerprint(exchange));
    try {
      realize(body, exchange, ids, exampleId);
      return true;
    } catch {
      // A request shape no builder foresaw must not cost the client its answer: the engine's stands.
      return false;
    }
  };

  return async (exchange: Exchange, next): Promise<MockResponse> => {
    const { code, example, dynamic } = exchange.preferences;
    if (example !== undefined || dynamic) return next(exchange);

    // The documented example is the answer: the engine is not asked at all (nor Prism loaded).
    const chosen = options.defaultBodies[exchange.operationId];
    if (chosen && (code === undefined || code === chosen.status) && chosen.mediaType === exchange.responseMediaType) {
      const body = copyOfChosen(exchange.operationId, chosen);
      if (realized(exchange, body, (chosen.body as Record<string, unknown>).id)) {
        return transcriptFormat({ status: chosen.status, headers: { 'content-type': chosen.mediaType }, body }, exchange);
      }
      return next(exchange);
    }

    const response = await next(exchange);
    if (response.status < 200 || response.status >= 300) return typicalError(response);
    const raw = RAW_BUILDERS[exchange.operationId];
    if (raw) return raw(response, exchange);
    const mediaType = response.headers['content-type'] ?? exchange.responseMediaType;
    if (!isJsonMediaType(mediaType) || !isRecord(response.body)) return response;
    // The engine's body may be shared (memoised, or the spec's own example): copy before changing.
    const body = structuredClone(response.body) as Record<string, unknown>;
    return realized(exchange, body, undefined) ? transcriptFormat({ ...response, body }, exchange) : response;
  };
}

function realize(body: Record<string, unknown>, exchange: Exchange, ids: IdSource, exampleId: unknown): void {
  const request = isRecord(exchange.request.body) ? exchange.request.body : {};
  const context: RealismContext = { exchange, request, ids };
  startEmpty(body, request, exchange.operation);
  reflectRequest(body, request, exchange.operation, exchange.request.contentType === 'application/json');
  uploadedFile(body, context);
  applyIds(body, exchange.operation, exchange.request.params, request, ids, exampleId);
  // Before the builders: what they set from `now` (completed_at, expires_at) is already current.
  applyTimestamps(body, ids.now);
  BUILDERS[exchange.operationId]?.(body, context);
  if (body.object === 'list') list(body, context);
}

/**
 * Identifies a request for seeded ids: equal requests, equal ids. Uploads count by name and size;
 * `stream` and `stream_options` do not count, so a streamed answer and the plain one share ids.
 */
function fingerprint(exchange: Exchange): string {
  const { method, apiPath, query, body } = exchange.request;
  const replacer = (_key: string, value: unknown) => {
    if (isRecord(value) && Buffer.isBuffer(value.data)) return `file:${String(value.filename)}:${String(value.bytes)}`;
    return value;
  };
  const counted = isRecord(body) && ('stream' in body || 'stream_options' in body) ? { ...body, stream: undefined, stream_options: undefined } : body;
  return `${method} ${apiPath} ${JSON.stringify(query)} ${JSON.stringify(counted ?? null, replacer)}`;
}

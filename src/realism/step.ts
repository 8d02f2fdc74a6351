import type { Exchange, MockResponse, Step } from '../pipeline/types';
import { defaultSuccess, isJsonMediaType } from '../engine/negotiate';
import type { DefaultBody } from '../openapi/default-bodies';
import { applyIds, applyTimestamps } from './coherence';
import { isRecord, type Builder, type RealismContext } from './context';
import { randomIds, seededIds, type IdSource } from './ids';
import { AnswerTemplates, recordingIds } from './templates';
import { reflectRequest } from './reflect';
import { startEmpty } from './fresh';
import { chatCompletion, textCompletion } from './kinds/chat';
import { modelResponse } from './kinds/responses';
import { clientSecret, sessionSecret } from './kinds/realtime';
import { embeddings } from './kinds/embeddings';
import { images, list, moderations, uploadedFile } from './kinds/collections';
import { fileContent, speechAudio, transcriptFormat } from './kinds/media';
import { typicalError } from './kinds/errors';
import { AnswerLimitError, AnswerMeter, DEFAULT_ANSWER_LIMITS, type AnswerLimits } from './meter';
import { successJson } from '../openapi/default-bodies';
import { minimalValue } from '../openapi/schema/minimal-value';
import { schemaTools } from '../validation/request-validator';
import { openAIError } from '../http/errors';
import { createLogger, redactUrl, type Logger } from '../log/logger';

export interface RealismOptions {
  /** By operation iid, the bodies chosen when the spec was prepared (`PreparedSpec.defaultBodies`). */
  defaultBodies: Readonly<Record<string, DefaultBody>>;
  /**
   * Makes ids and timestamps deterministic: the same request then gets the same body, byte for
   * byte. A request's `Prefer: seed=...` header takes precedence.
   */
  seed?: string | number;
  /** Where a body that could not be built is reported. Default: silent. */
  logger?: Logger;
  /** The ceiling on one answer's size and work (see meter.ts). */
  limits?: AnswerLimits;
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
  'create-realtime-client-secret': clientSecret,
  'create-realtime-translation-client-secret': clientSecret,
  'create-realtime-session': sessionSecret,
  'create-realtime-transcription-session': sessionSecret,
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
  // Each request changes its own copy: the chosen body is JSON data, which a plain walk copies
  // several times faster than JSON.parse of its text (and than structuredClone).
  const copyOfChosen = (chosen: DefaultBody) => copyJson(chosen.body) as Record<string, unknown>;

  const logger = options.logger ?? createLogger('silent');
  const limits = options.limits ?? DEFAULT_ANSWER_LIMITS;
  const smallest = new Map<string, string>();
  const templates = new AnswerTemplates();

  /**
   * Makes `body` the answer to the request. Undefined when it did; otherwise the answer to send
   * instead: the API's error for a request over the ceiling, or, when a builder failed on a shape
   * no one foresaw, the smallest valid body (never the engine's placeholders), with a warning.
   */
  const seedOf = (exchange: Exchange): string | undefined => exchange.preferences.seed ?? serverSeed;
  const idsFor = (exchange: Exchange, seed = seedOf(exchange)): IdSource =>
    seed === undefined ? randomIds() : seededIds(seed, fingerprint(exchange));

  const realized = (exchange: Exchange, body: Record<string, unknown>, exampleId: unknown, status: number, mediaType: string, ids = idsFor(exchange)): MockResponse | undefined => {
    try {
      realize(body, exchange, ids, exampleId, new AnswerMeter(limits));
      return undefined;
    } catch (error) {
      const where = `${exchange.request.method} ${redactUrl(exchange.request.path)} (${exchange.operationId})`;
      if (error instanceof AnswerLimitError) {
        logger.warn(`${where}: refused: ${error.message}`);
        return openAIError(400, error.message, { code: error.kind === 'size' ? 'answer_too_large' : 'answer_too_slow' });
      }
      logger.warn(`${where}: realism could not build the answer (${(error as Error)?.message ?? error}); answering the smallest valid body`);
      let text = smallest.get(exchange.operationId);
      if (text === undefined) smallest.set(exchange.operationId, (text = JSON.stringify(smallestBody(exchange, logger, where))));
      const fallback = JSON.parse(text) as Record<string, unknown>;
      try {
        const request = isRecord(exchange.request.body) ? exchange.request.body : {};
        if (typeof request.model === 'string' && typeof fallback.model === 'string') fallback.model = request.model;
        applyIds(fallback, exchange.operation, exchange.request.params, {}, ids, undefined);
        applyTimestamps(fallback, ids.now);
      } catch {
        // The smallest body is valid as it is; fresh ids are a nicety.
      }
      return { status, headers: { 'content-type': mediaType }, body: fallback };
    }
  };

  return async (exchange: Exchange, next): Promise<MockResponse> => {
    const { code, example, dynamic } = exchange.preferences;
    if (example !== undefined || dynamic) return next(exchange);

    // The documented example is the answer: the engine is not asked at all (nor Prism loaded).
    const chosen = options.defaultBodies[exchange.operationId];
    if (chosen && (code === undefined || code === chosen.status) && chosen.mediaType === exchange.responseMediaType) {
      const seed = seedOf(exchange);
      const key = templates.keyOf(exchange, seed !== undefined);
      const filled = key === undefined ? undefined : templates.fill(key, Math.floor(Date.now() / 1000));
      if (filled) return filled;
      const body = copyOfChosen(chosen);
      let ids = idsFor(exchange, seed);
      const recorded: string[] | undefined = key !== undefined && templates.wanted(key) ? [] : undefined;
      if (recorded) ids = recordingIds(ids, recorded);
      const instead = realized(exchange, body, (chosen.body as Record<string, unknown>).id, chosen.status, chosen.mediaType, ids);
      if (instead) return instead;
      const answer = transcriptFormat({ status: chosen.status, headers: { 'content-type': chosen.mediaType }, body }, exchange);
      return (recorded && answer.body === body && templates.keep(key!, ids.now, answer, recorded)) || answer;
    }

    // Speech and file contents are built whole here, so the engine is not asked: its placeholder
    // would be replaced anyway, and loading Prism costs the first such request most of a second.
    const raw = RAW_BUILDERS[exchange.operationId];
    if (raw && code === undefined) {
      const success = defaultSuccess(exchange.operation);
      if (success) return raw({ status: Number(success.code), headers: {}, body: undefined }, exchange);
    }

    const response = await next(exchange);
    if (response.status < 200 || response.status >= 300) return typicalError(response);
    if (raw) return raw(response, exchange);
    const mediaType = response.headers['content-type'] ?? exchange.responseMediaType;
    if (!isJsonMediaType(mediaType) || !isRecord(response.body)) return response;
    // The engine's body may be shared (memoised, or the spec's own example): copy before changing.
    const body = structuredClone(response.body) as Record<string, unknown>;
    const instead = realized(exchange, body, undefined, response.status, mediaType);
    return instead ?? transcriptFormat({ ...response, body }, exchange);
  };
}

/** A copy of JSON data (what JSON.parse gives: objects, arrays, strings, numbers, booleans, null). */
function copyJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyJson(value[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = copyJson((value as Record<string, unknown>)[key]);
    // JSON.parse makes `__proto__` an own key; an assignment would set the prototype instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}

function realize(body: Record<string, unknown>, exchange: Exchange, ids: IdSource, exampleId: unknown, meter: AnswerMeter): void {
  const request = isRecord(exchange.request.body) ? exchange.request.body : {};
  const context: RealismContext = { exchange, request, ids, meter };
  startEmpty(body, request, exchange.operation);
  reflectRequest(body, request, exchange.operation, exchange.request.contentType === 'application/json');
  uploadedFile(body, context);
  applyIds(body, exchange.operation, exchange.request.params, request, ids, exampleId);
  // Before the builders: what they set from `now` (completed_at, expires_at) is already current.
  applyTimestamps(body, ids.now);
  BUILDERS[exchange.operationId]?.(body, context);
  if (body.object === 'list') list(body, context);
}

/** The smallest body the operation's success schema accepts, with values that read like an answer. */
function smallestBody(exchange: Exchange, logger: Logger, where: string): Record<string, unknown> {
  const success = successJson(exchange.operation);
  if (success) {
    try {
      const value = minimalValue(success.schema, schemaTools(exchange.operation, 'json'), { plausible: true });
      if (isRecord(value)) return value;
    } catch (error) {
      logger.warn(`${where}: no smallest body either (${(error as Error).message}); answering {}`);
    }
  }
  return {};
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

import type { Uploadable } from 'openai';
import type {
  ChatCompletion,
  ChatCompletionCreateParams,
  ChatCompletionDeleted,
  ChatCompletionStoreMessage,
  ChatCompletionUpdateParams,
} from 'openai/resources/chat/completions';
import type { Completion, CompletionCreateParams } from 'openai/resources/completions';
import type { CreateEmbeddingResponse, EmbeddingCreateParams } from 'openai/resources/embeddings';
import type { Model, ModelDeleted } from 'openai/resources/models';
import type { FileCreateParams, FileDeleted, FileObject } from 'openai/resources/files';
import type { ImageCreateVariationParams, ImageEditParams, ImageGenerateParams, ImagesResponse } from 'openai/resources/images';
import type { SpeechCreateParams } from 'openai/resources/audio/speech';
import type { TranscriptionCreateParams, TranscriptionCreateResponse } from 'openai/resources/audio/transcriptions';
import type { TranslationCreateParams, TranslationCreateResponse } from 'openai/resources/audio/translations';
import type { ModerationCreateParams, ModerationCreateResponse } from 'openai/resources/moderations';
import type { Response, ResponseCreateParams } from 'openai/resources/responses/responses';
import type { ResponseItemList } from 'openai/resources/responses/input-items';
import type { InputTokenCountParams, InputTokenCountResponse } from 'openai/resources/responses/input-tokens';
import type { UploadedFile } from '../http/parse-body';
import type { operations as SpecOperations, SpecOperationId, SpecRoutes } from '../generated/spec-types';

/**
 * The operations whose request and response bodies carry the official SDK's types, keyed by the
 * spec's operationId. Each entry names the method and path (as the spec writes them, without `/v1`)
 * so that `"POST /chat/completions"` finds the same types as `createChatCompletion`. Operations not
 * listed here still work; their bodies are typed as plain JSON.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The `{ object: 'list', data, ... }` page the list endpoints answer with. */
export interface ListPage<T> {
  object: 'list';
  data: T[];
  first_id?: string | null;
  last_id?: string | null;
  has_more?: boolean;
}

/**
 * A multipart form as the server parses it: files become `UploadedFile`s, and numbers and
 * booleans arrive as the text that was sent.
 */
export type FormBody<T> = T extends Uploadable
  ? UploadedFile
  : T extends readonly (infer U)[]
    ? FormBody<U>[]
    : T extends number | boolean
      ? `${T}`
      : T extends object
        ? { [K in keyof T]: FormBody<T[K]> }
        : T;

interface Op<Method extends string, Path extends string, Request, Response> {
  method: Method;
  path: Path;
  request: Request;
  response: Response;
}

/** Binary bodies (speech, file content): a Buffer, or a string sent as is. */
export type BinaryBody = Buffer | string;

export interface TypedOperations {
  // Chat completions
  createChatCompletion: Op<'POST', '/chat/completions', ChatCompletionCreateParams, ChatCompletion>;
  listChatCompletions: Op<'GET', '/chat/completions', undefined, ListPage<ChatCompletion>>;
  getChatCompletion: Op<'GET', '/chat/completions/{completion_id}', undefined, ChatCompletion>;
  updateChatCompletion: Op<'POST', '/chat/completions/{completion_id}', ChatCompletionUpdateParams, ChatCompletion>;
  deleteChatCompletion: Op<'DELETE', '/chat/completions/{completion_id}', undefined, ChatCompletionDeleted>;
  getChatCompletionMessages: Op<'GET', '/chat/completions/{completion_id}/messages', undefined, ListPage<ChatCompletionStoreMessage>>;
  // Responses
  createResponse: Op<'POST', '/responses', ResponseCreateParams, Response>;
  getResponse: Op<'GET', '/responses/{response_id}', undefined, Response>;
  deleteResponse: Op<'DELETE', '/responses/{response_id}', undefined, undefined>;
  cancelResponse: Op<'POST', '/responses/{response_id}/cancel', undefined, Response>;
  listInputItems: Op<'GET', '/responses/{response_id}/input_items', undefined, ResponseItemList>;
  Getinputtokencounts: Op<'POST', '/responses/input_tokens', InputTokenCountParams, InputTokenCountResponse>;
  // (Compactconversation: the spec's types; the SDK's came only in late 6.x, and the peer range starts at 6.0.)
  // Completions (legacy)
  createCompletion: Op<'POST', '/completions', CompletionCreateParams, Completion>;
  // Embeddings
  createEmbedding: Op<'POST', '/embeddings', EmbeddingCreateParams, CreateEmbeddingResponse>;
  // Models
  listModels: Op<'GET', '/models', undefined, ListPage<Model>>;
  retrieveModel: Op<'GET', '/models/{model}', undefined, Model>;
  deleteModel: Op<'DELETE', '/models/{model}', undefined, ModelDeleted>;
  // Files
  listFiles: Op<'GET', '/files', undefined, ListPage<FileObject>>;
  createFile: Op<'POST', '/files', FormBody<FileCreateParams>, FileObject>;
  retrieveFile: Op<'GET', '/files/{file_id}', undefined, FileObject>;
  deleteFile: Op<'DELETE', '/files/{file_id}', undefined, FileDeleted>;
  downloadFile: Op<'GET', '/files/{file_id}/content', undefined, BinaryBody>;
  // Images
  createImage: Op<'POST', '/images/generations', ImageGenerateParams, ImagesResponse>;
  createImageEdit: Op<'POST', '/images/edits', FormBody<ImageEditParams>, ImagesResponse>;
  createImageVariation: Op<'POST', '/images/variations', FormBody<ImageCreateVariationParams>, ImagesResponse>;
  // Audio
  createSpeech: Op<'POST', '/audio/speech', SpeechCreateParams, BinaryBody>;
  createTranscription: Op<'POST', '/audio/transcriptions', FormBody<TranscriptionCreateParams>, TranscriptionCreateResponse | string>;
  createTranslation: Op<'POST', '/audio/translations', FormBody<TranslationCreateParams>, TranslationCreateResponse | string>;
  // Moderations
  createModeration: Op<'POST', '/moderations', ModerationCreateParams, ModerationCreateResponse>;
}

export type TypedOperationId = keyof TypedOperations;

/** `"POST /chat/completions"` and `"POST /v1/chat/completions"` for a typed operation. */
type RouteOf<Id extends TypedOperationId> = `${TypedOperations[Id]['method']} ${'' | '/v1'}${TypedOperations[Id]['path']}`;

export type TypedRoute = { [Id in TypedOperationId]: RouteOf<Id> }[TypedOperationId];

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** Every operationId of the pinned spec (generated from it at build time), e.g. `'createChatCompletion'`. */
export type OperationId = SpecOperationId;

/** Every route of the pinned spec as the spec writes it, with and without `/v1`: `'POST /chat/completions'`. */
export type SpecRoute = keyof SpecRoutes & string;

/**
 * What an override names: an operationId of the spec (a literal union, so a misspelt one is a
 * compile error), or a route (`"POST /chat/completions"`, the spec's own offered for completion,
 * path parameters by any name accepted and checked when the override loads), or `"*"` for every
 * operation.
 */
export type OperationKey = OperationId | TypedRoute | SpecRoute | '*' | `${HttpMethod} /${string}`;

/** A body's type from the spec's media types: JSON first, then a form, then whatever there is. */
type ContentOf<Part> = Part extends { content: infer Media }
  ? Media extends { 'application/json': infer Json }
    ? Json
    : Media extends { 'multipart/form-data': infer Form }
      ? Form
      : Media[keyof Media]
  : undefined;

type SuccessOf<Responses> = 200 extends keyof Responses
  ? Responses[200]
  : 201 extends keyof Responses
    ? Responses[201]
    : 202 extends keyof Responses
      ? Responses[202]
      : Responses[keyof Responses];

/** An operation's request and response types as the spec gives them (operations without the SDK's types). */
interface SpecOperation<Id extends string> {
  request: Id extends keyof SpecOperations
    ? SpecOperations[Id] extends { requestBody?: infer Body }
      ? ContentOf<NonNullable<Body>> | (undefined extends Body ? undefined : never)
      : undefined
    : JsonValue | undefined;
  response: Id extends keyof SpecOperations ? ContentOf<SuccessOf<SpecOperations[Id]['responses']>> : JsonValue;
}

interface GenericOperation {
  request: JsonValue | undefined;
  response: JsonValue;
}

/** The types of the operation a key names: the SDK's where it has them, else the spec's, else plain JSON. */
export type OperationOf<Key extends string> = Key extends TypedOperationId
  ? TypedOperations[Key]
  : Key extends TypedRoute
    ? { [Id in TypedOperationId]: Key extends RouteOf<Id> ? TypedOperations[Id] : never }[TypedOperationId]
    : Key extends SpecOperationId
      ? SpecOperation<Key>
      : Key extends keyof SpecRoutes
        ? SpecOperation<SpecRoutes[Key]>
        : GenericOperation;

export type RequestBodyOf<Key extends string> = OperationOf<Key>['request'];
export type ResponseBodyOf<Key extends string> = OperationOf<Key>['response'];

import type { IncomingHttpHeaders } from 'node:http';
import type { StreamControl } from '../pipeline/types';
import type { UploadedFile } from '../http/parse-body';
import type { OpenAIErrorBody } from '../http/errors';
import type { SessionStore } from '../state/types';
import type { OperationKey, RequestBodyOf, ResponseBodyOf } from './operations';

/** A query parameter's value: text, or the arrays and objects that `key[]=` and `key[sub]=` make. */
export type QueryValue = string | QueryValue[] | { [key: string]: QueryValue };

/** The request as an override sees it. */
export interface OverrideRequest<Key extends string = string> {
  /** Upper case: `POST`. */
  method: string;
  /** As received, e.g. `/v1/chat/completions`. */
  path: string;
  /** Path parameters by the spec's names, e.g. `{ completion_id: 'chatcmpl-1' }`. */
  params: Record<string, string>;
  /** The query string: `?a=1&tags[]=x` gives `{ a: '1', tags: ['x'] }`. */
  query: Record<string, QueryValue>;
  headers: IncomingHttpHeaders;
  /** The parsed body: JSON, or the fields of a form (files as `UploadedFile`). */
  body: RequestBodyOf<Key>;
  /** The uploaded files of a multipart request, by field name. */
  files: Record<string, UploadedFile>;
}

/** The response produced so far: by the engine, realism, and the overrides before this one. */
export interface OverrideResponse<Key extends string = string> {
  status: number;
  headers: Record<string, string>;
  body: ResponseBodyOf<Key>;
  stream?: StreamControl;
}

export interface OverrideContext<Key extends string = string> {
  request: OverrideRequest<Key>;
  response: OverrideResponse<Key>;
  operation: {
    /** The spec's operationId, e.g. `createChatCompletion`. */
    id: string;
    method: string;
    /** The spec's path, e.g. `/chat/completions/{completion_id}`. */
    path: string;
  };
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /**
   * Stateful mode (`--stateful`): the request's session's store, to answer from what was
   * uploaded or created (`state.getBytes(fileId)`, `state.get('file', id)`); undefined otherwise.
   */
  state?: SessionStore;
}

/**
 * What an override returns: any of status, headers (merged over the current ones) and body, and
 * how to stream it. Returning nothing keeps the response as it is.
 */
export interface Replacement<Key extends string = string> {
  status?: number;
  headers?: Record<string, string>;
  body?: ResponseBodyOf<Key> | OpenAIErrorBody;
  stream?: StreamControl;
}

type Awaitable<T> = T | Promise<T>;

export type OverrideResult<Key extends string = string> = Awaitable<Replacement<Key> | void | undefined>;

export interface Override<Key extends OperationKey = OperationKey> {
  /**
   * The operation: its operationId (`createChatCompletion`), or `"POST /chat/completions"` (with or
   * without `/v1`), or `"*"` for every operation.
   */
  operation: Key;
  /** A name for log lines; by default the file (and the position in it) the override came from. */
  name?: string;
  /** Applies the override only to the requests for which this returns (or resolves to) true. */
  match?(request: OverrideRequest<Key>): boolean | Promise<boolean>;
  /** The replacement, or a function of the request and the current response that returns one. */
  response: Replacement<Key> | ((context: OverrideContext<Key>) => OverrideResult<Key>);
}

/**
 * An override of any operation, as lists of overrides hold them. Its functions take `any` so that
 * overrides typed for different operations fit in one list; `defineOverride` gives each its types.
 */
export interface AnyOverride {
  operation: OperationKey;
  name?: string;
  match?(request: any): boolean | Promise<boolean>;
  response: Replacement<any> | ((context: any) => OverrideResult<any>);
}

import type { Exchange, Handler, MockResponse } from '../pipeline/types';

/**
 * Stateful mode (`--stateful`, config `state`): what the API's create calls make is kept, and
 * later retrieves, lists, updates, deletes and uses answer from it. Objects live in one store per
 * session (sessions/front.ts names it), in memory or in a file (see store.ts). Each resource is a
 * module of `StateHandlers` (src/state/resources/*.ts) keyed by the spec's operationId; the state
 * step (step.ts) calls the handler of the request's operation, and passes on (to replay, proxy,
 * models, realism, the engine) for operations no handler takes.
 */

/** An object as the API returns it: always an `id`; `created_at` (seconds) orders lists. */
export interface StoredObject {
  id: string;
  object?: string;
  created_at?: number;
  [field: string]: unknown;
}

/** A list call's paging, as the API reads it from the query. */
export interface ListQuery<T extends StoredObject = StoredObject> {
  after?: string;
  before?: string;
  /** Default 20, as the API's; at most 100 (10,000 for files, as the API allows). */
  limit?: number;
  order?: 'asc' | 'desc';
  /** Filters the API supports (purpose, status, run_id...), applied before paging. */
  where?: (object: T) => boolean;
}

/** The API's list envelope. */
export interface ListPage<T extends StoredObject = StoredObject> {
  object: 'list';
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/**
 * One session's objects. `kind` is the API's object name for top-level objects (`file`,
 * `vector_store`, `assistant`, `thread`, `batch`...) and `kind:parentId` for children (messages of a
 * thread: `thread.message:thread_abc`; files of a vector store: `vector_store.file:vs_abc`).
 */
export interface SessionStore {
  put<T extends StoredObject>(kind: string, object: T): T;
  get<T extends StoredObject = StoredObject>(kind: string, id: string): T | undefined;
  delete(kind: string, id: string): boolean;
  list<T extends StoredObject = StoredObject>(kind: string, query?: ListQuery<T>): ListPage<T>;
  /** All of a kind, in creation order (for counts such as `file_counts`). */
  all<T extends StoredObject = StoredObject>(kind: string): T[];
  /** Bytes kept beside an object (a file's content). */
  putBytes(id: string, bytes: Buffer): void;
  getBytes(id: string): Buffer | undefined;
  deleteBytes(id: string): void;
  /** Removes every object of this session. */
  clear(): void;
}

export interface StateStore {
  session(name: string): SessionStore;
  /** Removes every object of one session, or of all. */
  reset(session?: string): void;
  /** Writes pending changes (the file store); a no-op in memory. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The clock that moves objects through their statuses: `queued -> in_progress -> completed`.
 * Instant by default (an object is already at its last state when next read); with durations,
 * deterministic under `--seed`; `advance(ms)` (admin API) moves it by hand.
 */
export interface StateClock {
  /** Milliseconds since start, as the lifecycles see it (wall time plus what `advance` added). */
  now(): number;
  advance(ms: number): void;
  /** How long an object of `kind` stays in `status` before its next one (0: moves at once). */
  durationOf(kind: string, status: string): number;
}

/** What a resource handler gets: the request, the session's store, the clock, and the rest of the pipeline. */
export interface StateContext {
  exchange: Exchange;
  /** The session the store belongs to (`default` without sessions). */
  session: string;
  store: SessionStore;
  clock: StateClock;
  /** A fresh id the API's way (`file-`, `vs_`, `batch_` + 24 letters and digits); derived from the seed under `--seed`. */
  newId(prefix: string): string;
  /** Seconds since the epoch for `created_at` and the like (fixed under `--seed`, moved by `advance`). */
  nowSeconds(): number;
  /** The pipeline below the state step: to build a realistic body (create answers), or to pass on. */
  next: Handler;
  /**
   * Runs the whole pipeline (scripts, overrides, realism) for another operation: a batch line's
   * answer, a run's assistant message. `operationId` and `body` as a client would send them.
   */
  answer(operationId: string, body: unknown): Promise<MockResponse>;
  /** The operationId of `POST /v1/chat/completions` and the like (a batch line's `url`); undefined when none. */
  operationFor(method: string, url: string): string | undefined;
}

export type StateHandler = (context: StateContext) => Promise<MockResponse>;

/** A resource module: handlers by operationId (`createFile`, `retrieveFile`, `listFiles`...). */
export type StateHandlers = Partial<Record<string, StateHandler>>;

import type { MockResponse } from '../../pipeline/types';
import { progress } from '../clock';
import { badRequest, json, listQueryOf, notFound } from '../respond';
import type { StateContext, StateHandlers, StoredObject } from '../types';
import { bodyOf, isObject, metadataOf, numberField, param, realistic, stringField } from './common';
import { FILE, type FileObject } from './files';
import { chunk, chunkingOf, chunkingResponse, matchesFilter, score, type Chunking } from './search';

/**
 * Vector stores, their files and file batches. A file added to a store is `in_progress` for the
 * configured `vector_store.file.in_progress` duration (none by default), then `completed`; the
 * store's and a batch's `file_counts`, the store's `usage_bytes` and statuses are worked out from
 * the files each time they are read, so they always add up. Search ranks chunks of the files'
 * text lexically (see search.ts).
 */

const STORE = 'vector_store';
const FILES = (vs: string) => `vector_store.file:${vs}`;
const BATCHES = (vs: string) => `vector_store.file_batch:${vs}`;
const FILE_STEPS = ['in_progress', 'completed'] as const;
/** Most a poll is asked to wait, so that an `advance` is seen soon. */
const MAX_POLL_MS = 1000;

interface VectorStore extends StoredObject {
  id: string;
  object: 'vector_store';
  created_at: number;
  name: string | null;
  usage_bytes: number;
  file_counts: Counts;
  status: 'expired' | 'in_progress' | 'completed';
  expires_after?: { anchor: string; days: number } | null;
  expires_at: number | null;
  last_active_at: number | null;
  metadata: Record<string, string> | null;
  _mock_chunking?: Chunking;
}

interface VectorStoreFile extends StoredObject {
  id: string;
  object: 'vector_store.file';
  usage_bytes: number;
  created_at: number;
  vector_store_id: string;
  status: 'in_progress' | 'completed' | 'cancelled' | 'failed';
  last_error: { code: string; message: string } | null;
  chunking_strategy: unknown;
  attributes: Record<string, string | number | boolean> | null;
  /** Clock ms when processing began; a final status set by hand (a cancel) stays. */
  _mock_since: number;
  _mock_bytes: number;
  _mock_batch?: string;
}

interface FileBatch extends StoredObject {
  id: string;
  object: 'vector_store.files_batch';
  created_at: number;
  vector_store_id: string;
  status: 'in_progress' | 'completed' | 'cancelled' | 'failed';
  file_counts: Counts;
  _mock_files: string[];
}

interface Counts {
  in_progress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

function countsOf(files: readonly VectorStoreFile[]): Counts {
  const counts: Counts = { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: files.length };
  for (const file of files) counts[file.status] += 1;
  return counts;
}

/** A file's status as the clock has it now (kept once final). */
function refreshFile(context: StateContext, file: VectorStoreFile): VectorStoreFile {
  if (file.status !== 'in_progress') return file;
  const now = progress(context.clock, 'vector_store.file', FILE_STEPS, file._mock_since);
  if (now.status === 'in_progress') return file;
  // As the API does with an empty file: nothing to parse, so the file fails.
  if (file._mock_bytes === 0) {
    return context.store.put(FILES(file.vector_store_id), { ...file, status: 'failed', last_error: { code: 'invalid_file', message: 'The file is empty and cannot be parsed.' } });
  }
  return context.store.put(FILES(file.vector_store_id), { ...file, status: 'completed', usage_bytes: file._mock_bytes });
}

const filesOf = (context: StateContext, vs: string) => context.store.all<VectorStoreFile>(FILES(vs)).map((f) => refreshFile(context, f));

/** The store with its counts, bytes and status worked out from its files. */
function refreshStore(context: StateContext, store: VectorStore): VectorStore {
  const files = filesOf(context, store.id);
  const file_counts = countsOf(files);
  const usage_bytes = files.reduce((sum, f) => sum + (f.status === 'completed' ? f.usage_bytes : 0), 0);
  const expired = store.expires_at !== null && store.expires_at <= context.nowSeconds();
  const status = expired ? 'expired' : file_counts.in_progress > 0 ? 'in_progress' : 'completed';
  if (status === store.status && usage_bytes === store.usage_bytes && JSON.stringify(file_counts) === JSON.stringify(store.file_counts)) return store;
  return context.store.put(STORE, { ...store, file_counts, usage_bytes, status });
}

function refreshBatch(context: StateContext, batch: FileBatch): FileBatch {
  const all = new Map(filesOf(context, batch.vector_store_id).map((f) => [f.id, f]));
  const files = batch._mock_files.map((id) => all.get(id)).filter((f): f is VectorStoreFile => f !== undefined && f._mock_batch === batch.id);
  const file_counts = countsOf(files);
  const status =
    batch.status === 'cancelled' ? 'cancelled' : file_counts.in_progress > 0 ? 'in_progress' : file_counts.failed > 0 && file_counts.completed === 0 ? 'failed' : 'completed';
  if (status === batch.status && JSON.stringify(file_counts) === JSON.stringify(batch.file_counts)) return batch;
  return context.store.put(BATCHES(batch.vector_store_id), { ...batch, file_counts, status });
}

/** How long a poller should wait before asking again: until the next file moves on, at most a second. */
function pollAfter(context: StateContext, files: readonly VectorStoreFile[]): Record<string, string> {
  const waiting = files.filter((f) => f.status === 'in_progress');
  if (waiting.length === 0) return {};
  const now = context.clock.now();
  const next = Math.min(...waiting.map((f) => f._mock_since + context.clock.durationOf('vector_store.file', 'in_progress') - now));
  return { 'openai-poll-after-ms': String(Math.max(1, Math.min(MAX_POLL_MS, Math.ceil(next)))) };
}

function storeOf(context: StateContext): { store: VectorStore } | { response: MockResponse } {
  const id = param(context, 'vector_store_id');
  const store = context.store.get<VectorStore>(STORE, id);
  return store ? { store: refreshStore(context, store) } : { response: notFound(STORE, id) };
}

function expiresAt(store: Pick<VectorStore, 'expires_after' | 'last_active_at' | 'created_at'>): number | null {
  const after = store.expires_after;
  if (!after) return null;
  return (store.last_active_at ?? store.created_at) + after.days * 86_400;
}

/** Adds file `fileId` to store `vs`; undefined when there is no such file. */
function addFile(
  context: StateContext,
  vs: VectorStore,
  fileId: string,
  options: { chunking?: unknown; attributes?: unknown; batch?: string },
): VectorStoreFile | undefined {
  const file = context.store.get<FileObject>(FILE, fileId);
  if (!file) return undefined;
  const chunking = options.chunking ? chunkingOf(options.chunking) : (vs._mock_chunking ?? chunkingOf(undefined));
  const entry: VectorStoreFile = {
    id: file.id,
    object: 'vector_store.file',
    usage_bytes: 0,
    created_at: context.nowSeconds(),
    vector_store_id: vs.id,
    status: 'in_progress',
    last_error: null,
    chunking_strategy: chunkingResponse(chunking),
    attributes: isObject(options.attributes) ? (options.attributes as VectorStoreFile['attributes']) : null,
    _mock_since: context.clock.now(),
    _mock_bytes: file.bytes,
    _mock_batch: options.batch,
  };
  return refreshFile(context, context.store.put(FILES(vs.id), entry));
}

function missingFile(id: string): MockResponse {
  return notFound(FILE, id);
}

/** `file_ids` (or `files: [{ file_id, attributes, chunking_strategy }]`) of a request. */
function wantedFiles(body: Record<string, unknown>): { file_id: string; attributes?: unknown; chunking_strategy?: unknown }[] {
  if (Array.isArray(body.files)) return body.files.filter(isObject).map((f) => ({ file_id: String(f.file_id), attributes: f.attributes, chunking_strategy: f.chunking_strategy }));
  if (Array.isArray(body.file_ids)) return body.file_ids.map((id) => ({ file_id: String(id) }));
  return [];
}

export const vectorStores: StateHandlers = {
  async createVectorStore(context) {
    const body = bodyOf(context);
    const wanted = wantedFiles(body);
    for (const { file_id } of wanted) if (!context.store.get(FILE, file_id)) return missingFile(file_id);
    const start = await realistic(context);
    if ('response' in start) return start.response;
    const created = context.nowSeconds();
    const expiresAfter = isObject(body.expires_after) ? { anchor: 'last_active_at', days: numberField(body.expires_after.days) ?? 1 } : null;
    let store: VectorStore = {
      ...start.body,
      id: context.newId('vs_'),
      object: 'vector_store',
      created_at: created,
      name: stringField(body.name) ?? null,
      usage_bytes: 0,
      file_counts: countsOf([]),
      status: 'completed',
      expires_after: expiresAfter,
      expires_at: null,
      last_active_at: created,
      metadata: metadataOf(body.metadata),
      _mock_chunking: body.chunking_strategy ? chunkingOf(body.chunking_strategy) : undefined,
    };
    if (stringField(body.description) !== undefined) store.description = body.description;
    store.expires_at = expiresAt(store);
    store = context.store.put(STORE, store);
    for (const f of wanted) addFile(context, store, f.file_id, { chunking: f.chunking_strategy, attributes: f.attributes });
    return json(refreshStore(context, store));
  },

  async listVectorStores(context) {
    const page = context.store.list<VectorStore>(STORE, listQueryOf(context.exchange.request.query));
    return json({ ...page, data: page.data.map((s) => refreshStore(context, s)) });
  },

  async getVectorStore(context) {
    const found = storeOf(context);
    return 'response' in found ? found.response : json(found.store);
  },

  async modifyVectorStore(context) {
    const found = storeOf(context);
    if ('response' in found) return found.response;
    const body = bodyOf(context);
    const next: VectorStore = { ...found.store };
    if ('name' in body) next.name = stringField(body.name) ?? null;
    if ('metadata' in body) next.metadata = metadataOf(body.metadata);
    if ('expires_after' in body) next.expires_after = isObject(body.expires_after) ? { anchor: 'last_active_at', days: numberField(body.expires_after.days) ?? 1 } : null;
    next.expires_at = expiresAt(next);
    return json(context.store.put(STORE, next));
  },

  async deleteVectorStore(context) {
    const id = param(context, 'vector_store_id');
    if (!context.store.delete(STORE, id)) return notFound(STORE, id);
    for (const f of context.store.all(FILES(id))) context.store.delete(FILES(id), f.id);
    for (const b of context.store.all(BATCHES(id))) context.store.delete(BATCHES(id), b.id);
    return json({ id, object: 'vector_store.deleted', deleted: true });
  },

  async createVectorStoreFile(context) {
    const found = storeOf(context);
    if ('response' in found) return found.response;
    const body = bodyOf(context);
    const fileId = stringField(body.file_id) ?? '';
    const entry = addFile(context, found.store, fileId, { chunking: body.chunking_strategy, attributes: body.attributes });
    if (!entry) return missingFile(fileId);
    refreshStore(context, found.store);
    return json(entry, 200, pollAfter(context, [entry]));
  },

  async listVectorStoreFiles(context) {
    const found = storeOf(context);
    if ('response' in found) return found.response;
    const { query } = context.exchange.request;
    const status = stringField(query.filter);
    filesOf(context, found.store.id);
    return json(context.store.list<VectorStoreFile>(FILES(found.store.id), listQueryOf(query, status ? (f) => f.status === status : undefined)));
  },

  async getVectorStoreFile(context) {
    const found = storeOf(context);
    if ('response' in found) return found.response;
    const id = param(context, 'file_id');
    const file = context.store.get<VectorStoreFile>(FILES(found.store.id), id);
    if (!file) return notFound(FILES(found.store.id), id);
    const now = refreshFile(context, file);
    return json(now, 200, pollAfter(context, [now]));
  },

  async updateVectorStoreFileAttributes(context) {
    const found = storeOf(context);
    if ('response' in found) return found.response;
    const id = param(context, 'file_id');
    const file = context.store.get<VectorStoreFile>(FILES(found.store.id), id);
    if (!file) return notFound(FILES(found.store.id), id);
    const attributes = bodyOf(context).attributes;
    return json(context.store.put(FILES(found.store.id), { ...refreshFile(context, file), attributes: isObject(attributes) ? (attributes as VectorStoreFile['attributes']) : null }));
  },

  async deleteVectorStoreFile(context) {
    const found = storeOf(context);
    if ('response' in found) return found.response;
    const id = param(context, 'file_id');
    if (!context.store.delete(FILES(found.store.id), id)) return notFound(FILES(found.store.id), id);
    refreshStore(context, found.store);
    return json({ id, object: 'vector_store.file.deleted', deleted: true });
  },

  async retrieveVectorStoreFileContent(context) {
    const found = storeOf(context);
    if ('response' in found) return found.response;
    const id = param(context, 'file_id');
    const file = context.store.get<VectorStoreFile>(FILES(found.store.id), id);
    if (!file) return notFound(FILES(found.store.id), id);
    const text = context.store.getBytes(id)?.toString('utf8') ?? '';
    return json({ object: 'vector_store.file_content.page', data: text ? [{ type: 'text', text }] : [], has_more: false, next_page: null });
  },

  async createVectorStoreFileBatch(context) {
    const found = storeOf(context);
    if ('response' in found) return found.response;
    const body = bodyOf(context);
    const wanted = wantedFiles(body);
    if (wanted.length === 0) return badRequest("Either 'file_ids' or 'files' must be given.", 'file_ids');
    for (const { file_id } of wanted) if (!context.store.get(FILE, file_id)) return missingFile(file_id);
    const id = context.newId('vsfb_');
    for (const f of wanted) {
      addFile(context, found.store, f.file_id, { chunking: f.chunking_strategy ?? body.chunking_strategy, attributes: f.attributes ?? body.attributes, batch: id });
    }
    const batch: FileBatch = {
      id,
      object: 'vector_store.files_batch',
      created_at: context.nowSeconds(),
      vector_store_id: found.store.id,
      status: 'in_progress',
      file_counts: countsOf([]),
      _mock_files: wanted.map((f) => f.file_id),
    };
    const now = refreshBatch(context, context.store.put(BATCHES(found.store.id), batch));
    refreshStore(context, found.store);
    return json(now, 200, pollAfter(context, filesOf(context, found.store.id)));
  },

  async getVectorStoreFileBatch(context) {
    const found = storeOf(context);
    if ('response' in found) return found.response;
    const id = param(context, 'batch_id');
    const batch = context.store.get<FileBatch>(BATCHES(found.store.id), id);
    if (!batch) return notFound(BATCHES(found.store.id), id);
    const now = refreshBatch(context, batch);
    const files = filesOf(context, found.store.id).filter((f) => f._mock_batch === id);
    return json(now, 200, pollAfter(context, files));
  },

  async cancelVectorStoreFileBatch(context) {
    const found = storeOf(context);
    if ('response' in found) return found.response;
    const id = param(context, 'batch_id');
    const batch = context.store.get<FileBatch>(BATCHES(found.store.id), id);
    if (!batch) return notFound(BATCHES(found.store.id), id);
    const now = refreshBatch(context, batch);
    if (now.status !== 'in_progress') return badRequest(`Cannot cancel a batch with status '${now.status}'.`);
    for (const f of filesOf(context, found.store.id)) {
      if (f._mock_batch === id && f.status === 'in_progress') context.store.put(FILES(found.store.id), { ...f, status: 'cancelled' });
    }
    refreshStore(context, found.store);
    return json(refreshBatch(context, context.store.put(BATCHES(found.store.id), { ...now, status: 'cancelled' })));
  },

  async listFilesInVectorStoreBatch(context) {
    const found = storeOf(context);
    if ('response' in found) return found.response;
    const id = param(context, 'batch_id');
    if (!context.store.get<FileBatch>(BATCHES(found.store.id), id)) return notFound(BATCHES(found.store.id), id);
    const { query } = context.exchange.request;
    const status = stringField(query.filter);
    filesOf(context, found.store.id);
    return json(
      context.store.list<VectorStoreFile>(FILES(found.store.id), listQueryOf(query, (f) => f._mock_batch === id && (!status || f.status === status))),
    );
  },

  async searchVectorStore(context) {
    const found = storeOf(context);
    if ('response' in found) return found.response;
    const body = bodyOf(context);
    const queries = (Array.isArray(body.query) ? body.query : [body.query]).filter((q): q is string => typeof q === 'string');
    const max = numberField(body.max_num_results) ?? 10;
    const threshold = isObject(body.ranking_options) ? (numberField(body.ranking_options.score_threshold) ?? 0) : 0;
    const results: { file_id: string; filename: string; score: number; attributes: unknown; content: { type: 'text'; text: string }[] }[] = [];
    for (const file of filesOf(context, found.store.id)) {
      if (file.status !== 'completed' || !matchesFilter(body.filters, file.attributes)) continue;
      const text = context.store.getBytes(file.id)?.toString('utf8') ?? '';
      const filename = context.store.get<FileObject>(FILE, file.id)?.filename ?? file.id;
      const strategy = file.chunking_strategy as { static?: { max_chunk_size_tokens: number; chunk_overlap_tokens: number } };
      const chunking = strategy.static ? { max: strategy.static.max_chunk_size_tokens, overlap: strategy.static.chunk_overlap_tokens } : chunkingOf(undefined);
      for (const piece of chunk(text, chunking)) {
        const s = score(queries, piece);
        if (s > 0 && s >= threshold) results.push({ file_id: file.id, filename, score: s, attributes: file.attributes ?? {}, content: [{ type: 'text', text: piece }] });
      }
    }
    // Stable: equal scores keep file order, then chunk order.
    const data = results.map((r, i) => ({ r, i })).sort((a, b) => b.r.score - a.r.score || a.i - b.i).slice(0, max).map(({ r }) => r);
    context.store.put(STORE, { ...found.store, last_active_at: context.nowSeconds(), expires_at: expiresAt({ ...found.store, last_active_at: context.nowSeconds() }) });
    return json({ object: 'vector_store.search_results.page', search_query: queries, data, has_more: false, next_page: null });
  },
};

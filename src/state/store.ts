import type { ListPage, ListQuery, SessionStore, StateStore, StoredObject } from './types';

/**
 * The state store: one `SessionStore` per session name, in memory; the file store (file-store.ts)
 * is the same memory with every change written through to an SQLite file, and read back whole at
 * start. Lists are ordered by creation (a counter, since `created_at` is in whole seconds and many
 * objects share one), so paging is stable and `after`/`before` cursors are exact.
 */

export const DEFAULT_LIST_LIMIT = 20;

interface Entry {
  seq: number;
  json: string;
}

/** What a persistent store is told of each change (the memory store is told nothing). */
export interface StoreSink {
  put(session: string, kind: string, id: string, seq: number, json: string): void;
  delete(session: string, kind: string, id: string): void;
  putBytes(session: string, id: string, bytes: Buffer): void;
  deleteBytes(session: string, id: string): void;
  clear(session?: string): void;
}

/** What a persistent store hands back at start. */
export interface StoredRow {
  session: string;
  kind: string;
  id: string;
  seq: number;
  json: string;
}

/** The API's rules for a list's `limit`: 1 to 100, 20 by default. */
export function pageOf<T extends StoredObject>(ordered: readonly T[], query: ListQuery<T> = {}): ListPage<T> {
  const limit = Math.max(1, Math.min(query.limit ?? DEFAULT_LIST_LIMIT, 10_000));
  const order = query.order ?? 'desc';
  let items = query.where ? ordered.filter(query.where) : [...ordered];
  if (order === 'desc') items.reverse();
  let data: T[];
  let hasMore: boolean;
  if (query.after !== undefined) {
    const at = items.findIndex((o) => o.id === query.after);
    // An unknown cursor gives an empty page, as the API does for a deleted object's id.
    items = at < 0 ? [] : items.slice(at + 1);
    data = items.slice(0, limit);
    hasMore = items.length > limit;
  } else if (query.before !== undefined) {
    const at = items.findIndex((o) => o.id === query.before);
    items = at < 0 ? [] : items.slice(0, at);
    // The page nearest the cursor: `before` walks back towards the start of the order.
    data = items.slice(Math.max(0, items.length - limit));
    hasMore = items.length > limit;
  } else {
    data = items.slice(0, limit);
    hasMore = items.length > limit;
  }
  return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: hasMore };
}

class MemorySession implements SessionStore {
  private readonly kinds = new Map<string, Map<string, Entry>>();
  private readonly bytes = new Map<string, Buffer>();

  constructor(
    private readonly name: string,
    private readonly counter: { next: number },
    private readonly sink?: StoreSink,
  ) {}

  /** Loads a row read from a persistent store (no write back). */
  load(kind: string, id: string, seq: number, json: string): void {
    this.table(kind).set(id, { seq, json });
    if (seq >= this.counter.next) this.counter.next = seq + 1;
  }

  loadBytes(id: string, bytes: Buffer): void {
    this.bytes.set(id, bytes);
  }

  private table(kind: string): Map<string, Entry> {
    let table = this.kinds.get(kind);
    if (!table) this.kinds.set(kind, (table = new Map()));
    return table;
  }

  put<T extends StoredObject>(kind: string, object: T): T {
    const table = this.table(kind);
    // Kept as text: what a handler later changes on its copy is not stored until it puts it again.
    const json = JSON.stringify(object);
    const seq = table.get(object.id)?.seq ?? this.counter.next++;
    table.set(object.id, { seq, json });
    this.sink?.put(this.name, kind, object.id, seq, json);
    return JSON.parse(json) as T;
  }

  get<T extends StoredObject = StoredObject>(kind: string, id: string): T | undefined {
    const entry = this.kinds.get(kind)?.get(id);
    return entry ? (JSON.parse(entry.json) as T) : undefined;
  }

  delete(kind: string, id: string): boolean {
    const table = this.kinds.get(kind);
    if (!table?.delete(id)) return false;
    if (table.size === 0) this.kinds.delete(kind);
    this.sink?.delete(this.name, kind, id);
    return true;
  }

  all<T extends StoredObject = StoredObject>(kind: string): T[] {
    const table = this.kinds.get(kind);
    if (!table) return [];
    return [...table.values()].sort((a, b) => a.seq - b.seq).map((e) => JSON.parse(e.json) as T);
  }

  list<T extends StoredObject = StoredObject>(kind: string, query?: ListQuery<T>): ListPage<T> {
    return pageOf(this.all<T>(kind), query);
  }

  putBytes(id: string, bytes: Buffer): void {
    this.bytes.set(id, Buffer.from(bytes));
    this.sink?.putBytes(this.name, id, bytes);
  }

  getBytes(id: string): Buffer | undefined {
    return this.bytes.get(id);
  }

  deleteBytes(id: string): void {
    if (this.bytes.delete(id)) this.sink?.deleteBytes(this.name, id);
  }

  clear(): void {
    this.kinds.clear();
    this.bytes.clear();
    this.sink?.clear(this.name);
  }

  /** Objects per kind (children under their kind without the parent: `vector_store.file`). */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [kind, table] of this.kinds) {
      const base = kind.split(':')[0]!;
      out[base] = (out[base] ?? 0) + table.size;
    }
    return out;
  }

  get empty(): boolean {
    return this.kinds.size === 0 && this.bytes.size === 0;
  }
}

/** A `StateStore` that can also report what it holds (the admin API's `GET /__admin/state`). */
export interface InspectableStore extends StateStore {
  /** Sessions with objects, and their counts per kind. */
  counts(): Record<string, Record<string, number>>;
  /** Objects read back from a file at start (0 in memory): seeded ids of a new run must not repeat the ones kept. */
  readonly loaded: number;
}

export function createMemoryStore(options: { sink?: StoreSink; rows?: Iterable<StoredRow>; blobs?: Iterable<{ session: string; id: string; bytes: Buffer }>; close?: () => void } = {}): InspectableStore {
  const sessions = new Map<string, MemorySession>();
  // One counter for all sessions: seq only orders, and one counter survives a reload unchanged.
  const counter = { next: 1 };
  const sessionOf = (name: string) => {
    let session = sessions.get(name);
    if (!session) sessions.set(name, (session = new MemorySession(name, counter, options.sink)));
    return session;
  };
  let loaded = 0;
  for (const row of options.rows ?? []) sessionOf(row.session).load(row.kind, row.id, row.seq, row.json), loaded++;
  for (const blob of options.blobs ?? []) sessionOf(blob.session).loadBytes(blob.id, blob.bytes);

  return {
    loaded,
    session: sessionOf,
    reset(session) {
      if (session === undefined) {
        for (const one of sessions.values()) one.clear();
        sessions.clear();
        options.sink?.clear();
        return;
      }
      sessions.get(session)?.clear();
      sessions.delete(session);
    },
    counts() {
      const out: Record<string, Record<string, number>> = {};
      for (const [name, session] of sessions) if (!session.empty) out[name] = session.counts();
      return out;
    },
    async flush() {},
    async close() {
      options.close?.();
    },
  };
}

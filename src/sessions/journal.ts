/**
 * The request journal: what each request asked and what it was answered, newest last, bounded
 * (the oldest entries are dropped first) so that a long test run keeps a flat memory.
 */
import { JOURNAL_BYTES_MAX, PackedRecords, type PackedFields, type UnpackedFields } from './packed';
import { parsedJson, shownRequest } from './mask';

/** One event of a streamed answer: its `event:` name, if any, and its data (JSON parsed when it is JSON). */
export interface JournalEvent {
  event?: string;
  data: unknown;
}

export interface JournalEntry {
  /** Increasing: `since` may name an entry by it. */
  id: string;
  /** When the request arrived, ISO 8601. */
  time: string;
  /** The test session it belongs to (`default` without one). */
  session: string;
  method: string;
  /** As received, e.g. `/v1/chat/completions`. */
  path: string;
  /** The spec's operationId; null for a path the API does not have. */
  operation: string | null;
  query: Record<string, unknown>;
  /** As received, credentials masked. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON; form fields with files as `{ filename, mimeType, bytes, sha256 }`; undefined without a body. */
  body: unknown;
  response: {
    status: number;
    headers: Record<string, string>;
    streamed: boolean;
    /** The plain answer's body (binary as `{ bytes, sha256 }`). */
    body?: unknown;
    /** A streamed answer's events, as sent. */
    events?: JournalEvent[];
    /** Set when the answer did not reach its end: `cut after 3 events`, `connection closed without an answer`. */
    interrupted?: string;
  };
  /** From arrival to the last byte written. */
  durationMs: number;
  /** The script that answered, if one did. */
  script?: string;
}

export interface JournalFilter {
  /** An operationId, or `METHOD /path` as in overrides. */
  operation?: string;
  session?: string;
  /** Entries after this time (a Date, epoch milliseconds or an ISO date), or after the entry with this id. */
  since?: Date | number | string;
}

export const DEFAULT_JOURNAL_MAX = 1000;

/**
 * Work an entry leaves for its first reader (see sessions/front.ts): each function fills in part
 * of the entry, and returns false when it has more to do at a later read (a stream still going).
 * Kept on the entry itself, under a symbol (which neither JSON nor `Object.keys` shows), in a
 * slot its maker gives as the last property of its literal (`[FILLS]: undefined`): a WeakMap
 * entry per request cost a microsecond to set, and a property defined afterwards (to hide it)
 * nearly as much. The slot is deleted once everything is filled, so that a reader never meets it.
 */
/** A function, or an object whose `fill` is called as its method (one object per request can then be its own filler, with no closure). */
export type Fill = (() => boolean | void) | { fill(): boolean | void };
export const FILLS = Symbol('journal fills');
export type Pending = { [FILLS]?: Fill | Fill[] };
const run = (fill: Fill) => (typeof fill === 'function' ? fill() : fill.fill());

/** Defers `fill` until the entry is read through the journal (list, get). */
export function later(entry: object, fill: Fill): void {
  const held = entry as Pending;
  const fills = held[FILLS];
  if (fills === undefined) held[FILLS] = fill;
  else if (Array.isArray(fills)) fills.push(fill);
  else held[FILLS] = [fills, fill];
}

function settled<T extends object>(entry: T): T {
  const held = entry as Pending;
  if (!(FILLS in held)) return entry;
  const fills = held[FILLS];
  const left = fills === undefined ? [] : Array.isArray(fills) ? fills.filter((fill) => run(fill) === false) : run(fills) === false ? [fills] : [];
  if (left.length === 0) delete held[FILLS];
  else held[FILLS] = left.length === 1 ? left[0] : left;
  return entry;
}

/** Turns `since` into a test on entries; an unreadable one is an error the caller words. */
export function sinceTest(since: JournalFilter['since']): ((entry: JournalEntry, seq: number) => boolean) | undefined {
  if (since === undefined || since === '') return undefined;
  if (since instanceof Date || typeof since === 'number') {
    const at = since instanceof Date ? since.getTime() : since;
    if (!Number.isFinite(at)) throw new RangeError(`since: not a time: ${String(since)}`);
    return (entry) => Date.parse(entry.time) > at;
  }
  if (/^\d+$/.test(since)) {
    const after = Number(since);
    return (_entry, seq) => seq > after;
  }
  const at = Date.parse(since);
  if (Number.isNaN(at)) throw new RangeError(`since must be an entry id, an ISO date or epoch milliseconds, got "${since}"`);
  return (entry) => Date.parse(entry.time) > at;
}

/** A record as the journal hands it out: masked, its JSON parsed, a fresh object each time. */
function toEntry(fields: UnpackedFields): JournalEntry {
  const response: JournalEntry['response'] = { status: fields.status, headers: fields.responseHeaders ?? {}, streamed: false };
  if (fields.interrupted !== undefined) response.interrupted = fields.interrupted;
  response.body = fields.responseJson !== undefined ? parsedJson(fields.responseJson) : fields.responseBody;
  const { time, query, headers, body } = shownRequest(fields.arrivedMs, fields.query, fields.headers, fields.text, fields.body);
  const entry: JournalEntry = {
    id: String(fields.seq),
    time,
    session: fields.session,
    method: fields.method,
    path: fields.path,
    operation: fields.operation,
    query,
    headers,
    body,
    response,
    durationMs: fields.durationMs,
  };
  if (fields.script !== undefined) entry.script = fields.script;
  return entry;
}

export class Journal {
  // Oldest first from `start`: dropping the oldest moves an index, not the whole array, and the
  // dropped slots are cut off once there are as many of them as entries. A plain answer's entry
  // is a number, where its record starts in `packed` (see packed.ts); a streamed answer's (or a
  // dropped connection's) is an object, its events still coming when it is added.
  private entries: (JournalEntry | number)[] = [];
  private start = 0;
  private seq = 0;
  private readonly packed = new PackedRecords();
  /** Bytes of the packed records kept. */
  private packedBytes = 0;

  constructor(public max: number = DEFAULT_JOURNAL_MAX) {}

  get enabled(): boolean {
    return this.max > 0;
  }

  get size(): number {
    return this.entries.length - this.start;
  }

  /** Keeps the entry (dropping the oldest past `max`) and gives it its id. */
  add(entry: Omit<JournalEntry, 'id'>): JournalEntry {
    const kept = entry as JournalEntry;
    kept.id = String(++this.seq);
    this.keep(kept);
    return kept;
  }

  private keep(entry: JournalEntry | number): void {
    this.entries.push(entry);
    while (this.entries.length - this.start > this.max) this.drop();
    // The newest is always kept: no record is larger than a quarter of the bound (packed.ts, BODY_MAX).
    while (this.packedBytes > JOURNAL_BYTES_MAX && this.entries.length - this.start > 1) this.drop();
    if (this.start > 0 && this.start >= this.entries.length - this.start) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }

  /** Drops the oldest entry. */
  private drop(): void {
    const oldest = this.entries[this.start];
    if (typeof oldest === 'number') this.packedBytes -= this.packed.lengthAt(oldest);
    this.entries[this.start++] = undefined as never;
  }

  /** Keeps an entry as its packed record (see packed.ts), as `add` keeps an object one. */
  addPacked(fields: PackedFields): void {
    const seq = this.seq + 1;
    const entries = this.entries;
    let cursor = this.start;
    let record: number;
    try {
      record = this.packed.write(
        seq,
        fields,
        this.oldestRecord(),
        () => this.records(),
        // Records move in the order `records` gave them: each is found from where the last one was.
        (from, to) => {
          while (entries[cursor] !== from) cursor++;
          entries[cursor++] = to;
        },
      );
    } catch {
      // A body JSON cannot write (a cycle an override made) is not kept.
      return;
    }
    this.seq = seq;
    this.packedBytes += this.packed.lengthAt(record);
    this.keep(record);
  }

  /** Where the oldest packed record kept starts; undefined when none is. */
  private oldestRecord(): number | undefined {
    for (let i = this.start; i < this.entries.length; i++) {
      const entry = this.entries[i];
      if (typeof entry === 'number') return entry;
    }
    return undefined;
  }

  private *records(): Iterable<number> {
    for (let i = this.start; i < this.entries.length; i++) {
      const entry = this.entries[i];
      if (typeof entry === 'number') yield entry;
    }
  }

  private kept(): (JournalEntry | number)[] {
    if (this.start > 0) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
    return this.entries;
  }

  private sessionOf(entry: JournalEntry | number): string {
    return typeof entry === 'number' ? this.packed.sessionAt(entry) : entry.session;
  }

  private open(entry: JournalEntry | number): JournalEntry {
    return typeof entry === 'number' ? toEntry(this.packed.read(entry)) : settled(entry);
  }

  /** Oldest first. `operation` is tested by the caller's `operationTest`, which knows the spec. */
  list(filter: { operationTest?: (operation: string | null) => boolean; session?: string; since?: JournalFilter['since'] } = {}): JournalEntry[] {
    const since = sinceTest(filter.since);
    const out: JournalEntry[] = [];
    for (const kept of this.kept()) {
      if (filter.session !== undefined && this.sessionOf(kept) !== filter.session) continue;
      const entry = this.open(kept);
      if ((!filter.operationTest || filter.operationTest(entry.operation)) && (!since || since(entry, Number(entry.id)))) out.push(entry);
    }
    return out;
  }

  get(id: string): JournalEntry | undefined {
    const entry = this.kept().find((entry) => (typeof entry === 'number' ? String(this.packed.seqAt(entry)) : entry.id) === id);
    return entry === undefined ? undefined : this.open(entry);
  }

  /** Removes the entries of one session, or all; never rewinds scripts or ids. */
  clear(session?: string): number {
    const entries = this.kept();
    const before = entries.length;
    this.entries = session === undefined ? [] : entries.filter((entry) => this.sessionOf(entry) !== session);
    this.packedBytes = 0;
    for (const entry of this.entries) if (typeof entry === 'number') this.packedBytes += this.packed.lengthAt(entry);
    return before - this.entries.length;
  }
}

/**
 * Finished journal entries kept as bytes outside the JavaScript heap.
 *
 * An entry lives as long as a thousand requests. Kept as objects and strings, every entry was
 * copied by the young generation's collections and promoted to the old one, whose growth then
 * called for full collections of the whole heap (the spec, the validators): under load that was a
 * fifth of `GET /models`'s throughput and a twelfth of chat completions' (`--journal 0` against
 * the default, the same run). Packed, an entry leaves nothing behind on the heap but a number in
 * the journal's list; it is unpacked, into a fresh object, each time it is read.
 *
 * The buffer is a ring: the journal drops its entries oldest first, so a record is written after
 * the newest one, or from the buffer's start once that is past the oldest one still kept. Only a
 * ring too full for the next record is copied, into one that holds the records kept and the new
 * one half as large again; the journal bounds what it keeps
 * (JOURNAL_BYTES_MAX), and so the buffer. An earlier version compacted the buffer whenever its end
 * was reached: with embeddings' 8 KiB answers it copied megabytes into a fresh buffer every few
 * hundred requests, and the page faults of the fresh buffer made each request cost twice as much.
 */
import { isSharedText } from '../pipeline/text-answer';

/** A record's fields as the front knows them when the answer is out (see front.ts). */
export interface PackedFields {
  arrivedMs: number;
  durationMs: number;
  status: number;
  session: string;
  method: string;
  path: string;
  operation: string | null;
  script: string | undefined;
  interrupted: string | undefined;
  /** The query as parsed, unmasked (masked when read), or undefined for a URL without one. */
  query: Record<string, unknown> | undefined;
  /** The request's headers as Node parsed them, unmasked (masked when read). */
  headers: Record<string, string | string[] | undefined>;
  /** The request's JSON text, or undefined with `body` the journal's summary of it. */
  text: string | undefined;
  body: unknown;
  responseHeaders: Record<string, string> | undefined;
  /** The answer's JSON as sent (parsed when read), or undefined with `responseBody` the value to show. */
  responseJson: string | Buffer | undefined;
  responseBody: unknown;
}

/** A record unpacked: its fields with the texts still text (the journal parses and masks them). */
export interface UnpackedFields extends Omit<PackedFields, 'text' | 'body' | 'responseJson' | 'responseBody'> {
  seq: number;
  /** Exactly one of these two is set when there is a body (JSON text to parse, or a value). */
  text?: string;
  body: unknown;
  responseJson?: string;
  responseBody: unknown;
}

const INITIAL_BYTES = 256 * 1024;

/**
 * The most bytes the journal's packed entries take: past it the journal drops its oldest entries,
 * however few are kept. A test's thousand entries of chat completions take about 1 MiB; a run of
 * megabyte answers (an image's base64, a hostile request echoed back) would otherwise hold a gigabyte.
 */
export const JOURNAL_BYTES_MAX = 16 * 1024 * 1024;

/**
 * The largest body (a request's, an answer's) a record keeps whole: an image's base64 is kept, a
 * larger body only as its size. A quarter of the bound, so that the newest entry always fits.
 */
export const BODY_MAX = JOURNAL_BYTES_MAX / 4;

/** What a record keeps of a body over BODY_MAX, as JSON. */
const omitted = (what: string, text: string | Buffer) => JSON.stringify({ omitted: `${what} over ${BODY_MAX} bytes`, bytes: Buffer.byteLength(text) });


// Flags of a record (one byte).
const HAS_OPERATION = 1;
const HAS_SCRIPT = 2;
const HAS_INTERRUPTED = 4;
const HAS_QUERY = 8;
const HAS_RESPONSE_HEADERS = 16;

// How a body is kept (one byte each).
const NONE = 0;
const JSON_TEXT = 1;
const JSON_VALUE = 2;
/** JSON text many answers share (the models list): an index into `shared`, not a copy. */
const SHARED_JSON = 3;

/** Shared texts referred to at most; past it, they are copied like any other. */
const MAX_SHARED = 64;

// A record starts with its length (u32), then: seq (u32), arrived and duration (f64), status
// (u16), flags, how its request body and its answer are kept (a byte each); then its texts.
const SEQ_AT = 4;
const ARRIVED_AT = 8;
const DURATION_AT = 16;
const STATUS_AT = 24;
const FLAGS_AT = 26;
const BODY_KIND_AT = 27;
const ANSWER_KIND_AT = 28;
const FIXED = 29;

/** Node's own UTF-8 methods of Buffer, which `write` and `toString` reach after checking their arguments. */
type Utf8 = Buffer & { utf8Write(text: string, offset: number): number; utf8Slice(start: number, end: number): string };

export class PackedRecords {
  private buffer: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  /** Where the next record may start: just after the newest one. */
  private end = 0;
  // Shared answer texts the records refer to; rebuilt from the live records when the ring grows.
  private shared: Buffer[] = [];
  private sharedAt = new Map<Buffer, number>();
  // The record being written: where, and how far (reset by each `write`).
  private at = 0;

  /**
   * Packs `fields`, returning where the record starts. `oldest` is where the oldest record still
   * kept starts; `live` gives the starts of all of them, oldest first, and `moved` tells where
   * each went, when the ring has to grow first.
   */
  write(seq: number, fields: PackedFields, oldest: number | undefined, live: () => Iterable<number>, moved: (from: number, to: number) => void): number {
    const queryText = fields.query === undefined ? undefined : JSON.stringify(fields.query);
    let bodyKind = fields.text !== undefined ? JSON_TEXT : fields.body === undefined ? NONE : JSON_VALUE;
    let bodyText = fields.text ?? (fields.body === undefined ? undefined : JSON.stringify(fields.body));
    if (bodyText !== undefined && bodyText.length > BODY_MAX) [bodyKind, bodyText] = [JSON_VALUE, omitted('a body', bodyText)];
    const sharedAnswer = isSharedText(fields.responseJson) && (this.sharedAt.has(fields.responseJson) || this.shared.length < MAX_SHARED);
    let answerKind = sharedAnswer ? SHARED_JSON : fields.responseJson !== undefined ? JSON_TEXT : fields.responseBody === undefined ? NONE : JSON_VALUE;
    let answerText = sharedAnswer ? undefined : (fields.responseJson ?? (fields.responseBody === undefined ? undefined : JSON.stringify(fields.responseBody)));
    if (answerText !== undefined && answerText.length > BODY_MAX) [answerKind, answerText] = [JSON_VALUE, omitted('an answer', answerText)];
    let most = FIXED + 4 * 8 + 3 * (fields.session.length + fields.method.length + fields.path.length);
    if (fields.operation !== null) most += 4 + 3 * fields.operation.length;
    if (fields.script !== undefined) most += 4 + 3 * fields.script.length;
    if (fields.interrupted !== undefined) most += 4 + 3 * fields.interrupted.length;
    if (queryText !== undefined) most += 4 + utf8Bound(queryText);
    if (bodyText !== undefined) most += 4 + utf8Bound(bodyText);
    if (answerText !== undefined) most += 4 + utf8Bound(answerText);
    if (sharedAnswer) most += 4;
    most += headersBound(fields.headers) + (fields.responseHeaders ? headersBound(fields.responseHeaders) : 0);
    let start = this.place(most, oldest);
    if (start === undefined) {
      this.grow(most, live, moved);
      start = this.end;
    }

    const buffer = this.buffer;
    this.at = buffer.writeUInt32LE(seq, start + SEQ_AT);
    this.at = buffer.writeDoubleLE(fields.arrivedMs, this.at);
    this.at = buffer.writeDoubleLE(fields.durationMs, this.at);
    this.at = buffer.writeUInt16LE(fields.status, this.at);
    let flags = 0;
    if (fields.operation !== null) flags |= HAS_OPERATION;
    if (fields.script !== undefined) flags |= HAS_SCRIPT;
    if (fields.interrupted !== undefined) flags |= HAS_INTERRUPTED;
    if (queryText !== undefined) flags |= HAS_QUERY;
    if (fields.responseHeaders) flags |= HAS_RESPONSE_HEADERS;
    buffer[this.at++] = flags;
    buffer[this.at++] = bodyKind;
    buffer[this.at++] = answerKind;
    this.text(fields.session);
    this.text(fields.method);
    this.text(fields.path);
    if (fields.operation !== null) this.text(fields.operation);
    if (fields.script !== undefined) this.text(fields.script);
    if (fields.interrupted !== undefined) this.text(fields.interrupted);
    if (queryText !== undefined) this.text(queryText);
    this.headers(fields.headers);
    if (fields.responseHeaders) this.headers(fields.responseHeaders);
    if (bodyText !== undefined) this.text(bodyText);
    if (answerText !== undefined) this.text(answerText);
    else if (sharedAnswer) this.at = buffer.writeUInt32LE(this.share(fields.responseJson as Buffer), this.at);
    buffer.writeUInt32LE(this.at - start, start);
    this.end = this.at;
    return start;
  }

  /** The record's sequence number, read without unpacking the rest. */
  seqAt(start: number): number {
    return this.buffer.readUInt32LE(start + SEQ_AT);
  }

  /** The record's bytes. */
  lengthAt(start: number): number {
    return this.buffer.readUInt32LE(start);
  }

  /** The record's session, read without unpacking the rest. */
  sessionAt(start: number): string {
    this.at = start + FIXED;
    return this.readText();
  }

  read(start: number): UnpackedFields {
    const buffer = this.buffer;
    const seq = buffer.readUInt32LE(start + SEQ_AT);
    const arrivedMs = buffer.readDoubleLE(start + ARRIVED_AT);
    const durationMs = buffer.readDoubleLE(start + DURATION_AT);
    const status = buffer.readUInt16LE(start + STATUS_AT);
    const flags = buffer[start + FLAGS_AT]!;
    const bodyKind = buffer[start + BODY_KIND_AT]!;
    const answerKind = buffer[start + ANSWER_KIND_AT]!;
    this.at = start + FIXED;
    const session = this.readText();
    const method = this.readText();
    const path = this.readText();
    const operation = flags & HAS_OPERATION ? this.readText() : null;
    const script = flags & HAS_SCRIPT ? this.readText() : undefined;
    const interrupted = flags & HAS_INTERRUPTED ? this.readText() : undefined;
    const query = flags & HAS_QUERY ? (JSON.parse(this.readText()) as Record<string, unknown>) : undefined;
    const headers = this.readHeaders();
    const responseHeaders = flags & HAS_RESPONSE_HEADERS ? (this.readHeaders() as Record<string, string>) : undefined;
    const fields: UnpackedFields = { seq, arrivedMs, durationMs, status, session, method, path, operation, script, interrupted, query, headers, responseHeaders, body: undefined, responseBody: undefined };
    if (bodyKind === JSON_TEXT) fields.text = this.readText();
    else if (bodyKind === JSON_VALUE) fields.body = JSON.parse(this.readText());
    if (answerKind === JSON_TEXT) fields.responseJson = this.readText();
    else if (answerKind === JSON_VALUE) fields.responseBody = JSON.parse(this.readText());
    else if (answerKind === SHARED_JSON) fields.responseJson = this.shared[buffer.readUInt32LE(this.at)]!.toString('utf8');
    return fields;
  }

  private share(text: Buffer): number {
    let at = this.sharedAt.get(text);
    if (at === undefined) {
      at = this.shared.push(text) - 1;
      this.sharedAt.set(text, at);
    }
    return at;
  }

  private text(value: string | Buffer): void {
    const buffer = this.buffer;
    const bytes = typeof value === 'string' ? (buffer as Utf8).utf8Write(value, this.at + 4) : (buffer.set(value, this.at + 4), value.length);
    buffer.writeUInt32LE(bytes, this.at);
    this.at += 4 + bytes;
  }

  private readText(): string {
    const length = this.buffer.readUInt32LE(this.at);
    const from = this.at + 4;
    this.at = from + length;
    return (this.buffer as Utf8).utf8Slice(from, this.at);
  }

  /** Names and values, a header sent more than once (an array) as its values after a count. */
  private headers(headers: Record<string, string | string[] | undefined>): void {
    const countAt = this.at;
    this.at += 4;
    let count = 0;
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined) continue;
      count++;
      this.text(name);
      if (typeof value === 'string') {
        this.buffer.writeUInt32LE(0xffffffff, this.at);
        this.at += 4;
        this.text(value);
      } else {
        this.buffer.writeUInt32LE(value.length, this.at);
        this.at += 4;
        for (const each of value) this.text(each);
      }
    }
    this.buffer.writeUInt32LE(count, countAt);
  }

  private readHeaders(): Record<string, string | string[]> {
    const count = this.buffer.readUInt32LE(this.at);
    this.at += 4;
    const headers: Record<string, string | string[]> = {};
    for (let i = 0; i < count; i++) {
      const name = this.readText();
      const values = this.buffer.readUInt32LE(this.at);
      this.at += 4;
      if (values === 0xffffffff) headers[name] = this.readText();
      else headers[name] = Array.from({ length: values }, () => this.readText());
    }
    return headers;
  }

  /** Where a record of at most `most` bytes fits in the ring whose oldest record starts at `oldest`; undefined when it is too full. */
  private place(most: number, oldest: number | undefined): number | undefined {
    const size = this.buffer.length;
    if (oldest === undefined) return most <= size ? 0 : undefined;
    const head = this.end;
    // The newest record ends after the oldest one starts: free space is after it, and before the oldest.
    if (head > oldest) {
      if (head + most <= size) return head;
      return most < oldest ? 0 : undefined;
    }
    // Wrapped: free space is between the newest and the oldest (never reaching it, so that an
    // empty ring and a full one are told apart).
    return head + most < oldest ? head : undefined;
  }

  /** Copies the records kept, oldest first, to the start of a larger buffer. */
  private grow(more: number, live: () => Iterable<number>, moved: (from: number, to: number) => void): void {
    const old = this.buffer;
    const starts = [...live()];
    let bytes = 0;
    for (const start of starts) bytes += old.readUInt32LE(start);
    // Half as large again as what it holds: room for half as many records again before the ring is full.
    const size = Math.max(old.length + 65536, Math.ceil((1.5 * (bytes + more)) / 65536) * 65536);
    const target = Buffer.allocUnsafe(size);
    let end = 0;
    const shared = this.shared;
    this.shared = [];
    this.sharedAt = new Map();
    for (const start of starts) {
      const length = old.readUInt32LE(start);
      old.copy(target, end, start, start + length);
      // A shared text's index is the record's last four bytes: renumbered for the new table.
      if (target[end + ANSWER_KIND_AT] === SHARED_JSON) target.writeUInt32LE(this.share(shared[target.readUInt32LE(end + length - 4)]!), end + length - 4);
      moved(start, end);
      end += length;
    }
    this.buffer = target;
    this.end = end;
  }
}

/** The most bytes `text` takes as UTF-8: exact for a long text, where three bytes per unit would waste megabytes of the ring. */
const utf8Bound = (text: string | Buffer) => (typeof text !== 'string' ? text.length : text.length > 4096 ? Buffer.byteLength(text) : 3 * text.length);

/** The most bytes `headers` can take packed (UTF-8 is at most three bytes per UTF-16 unit). */
function headersBound(headers: Record<string, string | string[] | undefined>): number {
  let most = 4;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    most += 8 + 3 * name.length;
    if (typeof value === 'string') most += 4 + 3 * value.length;
    else for (const each of value) most += 4 + 3 * each.length;
  }
  return most;
}

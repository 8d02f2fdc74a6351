import { createHash } from 'node:crypto';
import { frame, type SseEvent } from '../streaming/events';
import { later, type JournalEntry, type JournalEvent } from './journal';

/** What the journal keeps of a request's body: uploads summarised. */

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const isUpload = (value: unknown): value is { filename: string; mimeType: string; bytes: number; data: Buffer } =>
  typeof value === 'object' && value !== null && Buffer.isBuffer((value as { data?: unknown }).data);

/** A request or response body as JSON the journal can hand out: uploads and binaries by name, size and sha256. */
export function journalBody(body: unknown): unknown {
  if (Buffer.isBuffer(body)) return { bytes: body.length, sha256: sha256(body) };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  if (isUpload(body)) return { filename: body.filename, mimeType: body.mimeType, bytes: body.bytes, sha256: sha256(body.data) };
  let summarised: Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(body)) {
    const files = Array.isArray(value) && value.some(isUpload);
    if (isUpload(value) || files) (summarised ??= { ...body })[name] = files ? (value as unknown[]).map(journalBody) : journalBody(value);
  }
  return summarised ?? body;
}

/** One server-sent event as framed by the streaming step (`event: x\ndata: {...}\n\n`). */
function parseFrames(text: string, into: JournalEvent[]): void {
  for (const block of text.split('\n\n')) {
    if (block.trim() === '') continue;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    const joined = data.join('\n');
    let value: unknown = joined;
    if (joined !== '' && joined !== '[DONE]') {
      try {
        value = JSON.parse(joined);
      } catch {
        // Not JSON: kept as the text it was.
      }
    }
    into.push(event === undefined ? { data: value } : { event, data: value });
  }
}

/** What the writer tells the journal of an answer as it writes it (see http/write-response.ts). */
export interface StreamTap {
  /** A chunk about to be written. */
  chunk(chunk: string | Buffer): void;
  /** One of openai-mock's own events about to be written (as `frame` writes it), in place of `chunk`. */
  event?(event: SseEvent): void;
  /** The stream ended: at its end, or with the error that stopped it. */
  end(error?: unknown): void;
  /** A plain (not streamed) answer's body, about to be written whole. */
  written?(payload: string | Buffer, contentType: string | undefined): void;
}

/**
 * Keeps a stream's events in its entry as the writer sends them: nothing is held back, and no
 * layer is added between the stream and the socket. The chunks are kept as sent and parsed into
 * events when the entry is read (each read parses what came since the last).
 */
export function recordEvents(entry: object, response: JournalEntry['response'], done: () => void): StreamTap {
  const events: JournalEvent[] = (response.events = []);
  // An event of ours is kept as itself (the plan it belongs to holds it anyway) and framed when read.
  const chunks: (string | Buffer | SseEvent)[] = [];
  let parsed = 0;
  let ended = false;
  later(entry, () => {
    for (; parsed < chunks.length; parsed++) {
      const chunk = chunks[parsed]!;
      parseFrames(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : frame(chunk), events);
      chunks[parsed] = '';
    }
    return ended;
  });
  return {
    chunk(chunk) {
      chunks.push(chunk);
    },
    event(event) {
      chunks.push(event);
    },
    end(error) {
      if (ended) return;
      ended = true;
      if (error !== undefined) {
        response.interrupted = (error as Error)?.name === 'AbortError' ? `client went away after ${chunks.length} events` : ((error as Error)?.message ?? String(error));
      }
      done();
    },
  };
}

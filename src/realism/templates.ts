import type { Exchange, MockResponse } from '../pipeline/types';
import { requestTextOf } from '../pipeline/request-text';
import { answerFacts, textAnswer } from '../pipeline/text-answer';
import { randomId, type IdSource } from './ids';

/**
 * Load tests send the same request again and again. Its realistic answer then changes from one
 * time to the next only in its fresh ids, and from one second to the next in its timestamps. So
 * the second time a request comes within the same process, its answer is kept as the JSON text it
 * was sent as, cut at its ids; until the clock's second changes, the same request is answered
 * with that text and new random ids, instead of copying the example, walking it, building the
 * output and serialising it again. A request seen once is only remembered, so that a test whose
 * every request differs keeps nothing but a bounded set of keys.
 *
 * Only unseeded answers with a JSON request body as sent (or none) are kept: a seeded answer is
 * the same bytes anyway, and an upload's answer depends on more than its text.
 */

/** Request bodies longer than this are never templated (the key holds the whole text). */
const TEXT_MAX = 16 * 1024;
/** Answers longer than this are never templated. */
const ANSWER_MAX = 1024 * 1024;
const MAX_TEMPLATES = 256;
const MAX_TEMPLATE_BYTES = 16 * 1024 * 1024;
const MAX_SEEN = 1024;
/** Characters of the keys seen once: a run of large, all different requests keeps at most this. */
const MAX_SEEN_CHARS = 4 * 1024 * 1024;
const ID_LENGTH = 24;

interface Template {
  /** The second (`created`, `now`) its timestamps are of. */
  now: number;
  status: number;
  mediaType: string;
  /** The answer's text between ids: one more piece than `slots`. */
  pieces: string[];
  /** For each cut, which of the answer's ids goes there (an id can appear more than once). */
  slots: number[];
  ids: number;
  /** Characters of its key and text, for the cache's bound. */
  size: number;
  facts: ReturnType<typeof answerFacts>;
}

export class AnswerTemplates {
  private readonly templates = new Map<string, Template>();
  private readonly seen = new Set<string>();
  /** Keys whose answer could not be cut at its ids: not tried again until the keys are forgotten. */
  private readonly uncut = new Set<string>();
  private seenChars = 0;
  private bytes = 0;

  /** The request's key, or undefined when its answer is never templated. */
  keyOf(exchange: Exchange, seeded: boolean): string | undefined {
    if (seeded) return undefined;
    const { request } = exchange;
    const text = request.body === undefined ? '' : requestTextOf(request);
    if (text === undefined || text.length > TEXT_MAX) return undefined;
    return `${exchange.operationId}\u0000${request.apiPath}${request.search ?? ''}\u0000${exchange.responseMediaType}\u0000${text}`;
  }

  /** The answer from the request's template, when it has one of this second. */
  fill(key: string, now: number): MockResponse | undefined {
    const template = this.templates.get(key);
    if (!template || template.now !== now) return undefined;
    const fresh: string[] = [];
    for (let i = 0; i < template.ids; i++) fresh.push(randomId());
    const { pieces, slots } = template;
    // Joined as a string, which V8 keeps as a rope of the shared pieces until the socket's write
    // flattens and encodes it once, in C++. A Buffer per answer, its pieces copied in one call each,
    // cost more: each copy a call into C++, and a fresh 8 KiB pool every dozen answers, whose
    // external memory urges the collector on.
    let out = pieces[0]!;
    for (let i = 0; i < slots.length; i++) out += fresh[slots[i]!]! + pieces[i + 1]!;
    return textAnswer(template.status, { 'content-type': template.mediaType }, out, template.facts);
  }

  /** Whether this realisation should become the request's template (it was seen before). */
  wanted(key: string): boolean {
    if (this.templates.has(key)) return true;
    if (this.seen.has(key)) return !this.uncut.has(key);
    if (this.seen.size >= MAX_SEEN || this.seenChars + key.length > MAX_SEEN_CHARS) {
      this.seen.clear();
      this.uncut.clear();
      this.seenChars = 0;
    }
    this.seen.add(key);
    this.seenChars += key.length;
    return false;
  }

  /**
   * Makes `answer`, realised with the ids `recorded` (each id's random part, in the order they
   * were drawn), the request's template, and returns it as the text it goes out as; undefined
   * when it cannot be cut at its ids (an id that does not appear whole), or is too large.
   */
  keep(key: string, now: number, answer: MockResponse, recorded: readonly string[]): MockResponse | undefined {
    const template = cutAtIds(answer, recorded);
    if (!template) {
      // Only keys seen once are held back, so the mark is as bounded as they are.
      if (this.seen.has(key)) this.uncut.add(key);
      this.forget(key);
      return undefined;
    }
    const { text, pieces, cuts, mediaType } = template;
    const facts = answerFacts(answer);
    this.forget(key);
    const size = key.length + text.length;
    if (this.templates.size >= MAX_TEMPLATES || this.bytes + size > MAX_TEMPLATE_BYTES) {
      this.templates.clear();
      this.bytes = 0;
    }
    this.templates.set(key, { now, status: answer.status, mediaType, pieces, slots: cuts.map(([, id]) => id), ids: recorded.length, size, facts });
    this.bytes += size;
    return textAnswer(answer.status, { 'content-type': mediaType }, text, facts);
  }

  private forget(key: string): void {
    const old = this.templates.get(key);
    if (!old) return;
    this.bytes -= old.size;
    this.templates.delete(key);
  }
}

/** The answer's text cut at its ids; undefined when an id does not appear whole, or it is too large. */
function cutAtIds(answer: MockResponse, recorded: readonly string[]): { text: string; pieces: string[]; cuts: [number, number][]; mediaType: string } | undefined {
  const mediaType = answer.headers['content-type'];
  if (!mediaType || Object.keys(answer.headers).length !== 1) return undefined;
  const text = JSON.stringify(answer.body);
  if (text === undefined || text.length > ANSWER_MAX) return undefined;
  const cuts: [number, number][] = [];
  for (let id = 0; id < recorded.length; id++) {
    const value = recorded[id]!;
    if (value.length !== ID_LENGTH) return undefined;
    let at = text.indexOf(value);
    if (at < 0) return undefined;
    for (; at >= 0; at = text.indexOf(value, at + ID_LENGTH)) cuts.push([at, id]);
  }
  cuts.sort((a, b) => a[0] - b[0]);
  const pieces: string[] = [];
  let from = 0;
  for (const [at] of cuts) {
    if (at < from) return undefined;
    pieces.push(text.slice(from, at));
    from = at + ID_LENGTH;
  }
  pieces.push(text.slice(from));
  return { text, pieces, cuts, mediaType };
}

/** `ids`, telling `recorded` the random part of each id it hands out. */
export function recordingIds(ids: IdSource, recorded: string[]): IdSource {
  return {
    now: ids.now,
    next(prefix) {
      const id = ids.next(prefix);
      recorded.push(id.slice(prefix.length));
      return id;
    },
  };
}

import type { MockResponse } from './types';

/**
 * What the steps above the source may ask of an answer without reading its body: the output
 * tokens of its usage and its model (metrics and latency count and pace by them).
 */
export interface AnswerFacts {
  outputTokens: number;
  model?: string;
}

// On the answer itself, not in a WeakMap: one less table to fill and sweep per answer. A spread
// copies it along with `raw` undefined, which is how a copy is told apart.
const HELD = Symbol('openai-mock.heldText');
type Held = MockResponse & { [HELD]?: { text: string | Buffer; facts: AnswerFacts } };

// One getter and setter for every such answer: a closure per answer would give each its own
// hidden class, and every step reading `status` or `headers` would go megamorphic.
function readBody(this: MockResponse): unknown {
  const text = (this as Held)[HELD]?.text;
  const value = text === undefined ? undefined : (JSON.parse(typeof text === 'string' ? text : text.toString('utf8')) as unknown);
  settle(this, value);
  return value;
}
function writeBody(this: MockResponse, value: unknown): void {
  settle(this, value);
}
function settle(answer: MockResponse, value: unknown): void {
  Object.defineProperty(answer, 'body', { value, writable: true, enumerable: true, configurable: true });
  answer.raw = undefined;
}
const LAZY_BODY: PropertyDescriptor = { get: readBody, set: writeBody, enumerable: true, configurable: true };

/**
 * A JSON answer held as the text it goes out as (`raw`): the writer sends those bytes, and no step
 * that leaves the body alone pays for a tree it never reads. The body is parsed when a step
 * first reads it, and from then on it is the answer and `raw` is gone: whatever the reader does
 * to it, in place or not, is what the client gets. `body` is defined before `raw`, so that a
 * spread (`{ ...answer }`) reads the body, and so drops `raw`, before it copies `raw`.
 */
export function textAnswer(status: number, headers: Record<string, string>, text: string | Buffer, facts: AnswerFacts): MockResponse {
  const answer = { status, headers } as MockResponse;
  Object.defineProperty(answer, 'body', LAZY_BODY);
  answer.raw = text;
  (answer as Held)[HELD] = { text, facts };
  return answer;
}

// Texts that many answers share, made once and never changed (the models list, until the
// catalogue changes): the journal keeps a reference to one rather than a copy per answer.
const shared = new WeakSet<Buffer>();

/** Marks `text` as shared by many answers and never changed; returns it. */
export function sharedText(text: Buffer): Buffer {
  shared.add(text);
  return text;
}

export const isSharedText = (text: unknown): text is Buffer => Buffer.isBuffer(text) && shared.has(text);

/** The answer's facts: as its source told them while its body is unread, else from the body. */
export function answerFacts(response: MockResponse): AnswerFacts {
  const facts = response.raw ? (response as Held)[HELD]?.facts : undefined;
  if (facts) return facts;
  return { outputTokens: outputTokensOf(response.body), model: modelOf(response.body) };
}

/** The output tokens a body's usage reports (chat's completion_tokens, Responses' output_tokens), or 0. */
export function outputTokensOf(body: unknown): number {
  const usage = isRecord(body) && isRecord(body.usage) ? body.usage : undefined;
  const n = usage?.completion_tokens ?? usage?.output_tokens;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

function modelOf(body: unknown): string | undefined {
  return isRecord(body) && typeof body.model === 'string' ? body.model : undefined;
}

const isRecord = (value: unknown): value is Record<string, any> => typeof value === 'object' && value !== null && !Array.isArray(value);

import type { JournalEntry, JournalFilter } from '../sessions/journal';

/**
 * Assertions on what a mock received, from its journal: plain helpers that throw a readable
 * message for any test runner, and the same checks as Jest/Vitest matchers (`toHaveReceived`,
 * `toHaveReceivedTimes`, in src/assertions/matchers.ts).
 */

/** What the request must have held. Plain helpers compare partially (every key given must be there, with that value); matchers as the runner's `equals` does, so wrap in `expect.objectContaining(...)` for a part. */
export interface ReceivedExpectation {
  body?: unknown;
  query?: unknown;
  headers?: unknown;
  /** Only requests of this session. */
  session?: string;
}

/** A mock, or a session's handle: anything with a journal; or journal entries (`await remote.requests()`). */
export type HasJournal = { journal: { requests(filter?: JournalFilter): JournalEntry[] } } | readonly JournalEntry[];

type Equals = (actual: unknown, expected: unknown) => boolean;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isAsymmetric = (value: unknown): value is { asymmetricMatch(actual: unknown): boolean } =>
  isRecord(value) && typeof (value as { asymmetricMatch?: unknown }).asymmetricMatch === 'function';

/** Partial equality: objects hold at least the expected keys, arrays match item by item, asymmetric matchers are asked. */
export const partialEquals: Equals = (actual, expected) => differences(actual, expected, '', 1).length === 0;

/** Where `actual` departs from `expected` (partially compared), as `path: expected X, got Y` lines. */
export function differences(actual: unknown, expected: unknown, path: string, limit = 8): string[] {
  const found: string[] = [];
  const walk = (a: unknown, e: unknown, at: string) => {
    if (found.length >= limit) return;
    if (isAsymmetric(e)) {
      if (!e.asymmetricMatch(a)) found.push(`${at || '(value)'}: expected ${show(e)}, got ${show(a)}`);
      return;
    }
    if (e instanceof RegExp) {
      if (typeof a !== 'string' || !e.test(a)) found.push(`${at || '(value)'}: expected to match ${e}, got ${show(a)}`);
      return;
    }
    if (Array.isArray(e)) {
      if (!Array.isArray(a)) return void found.push(`${at || '(value)'}: expected an array, got ${show(a)}`);
      if (a.length < e.length) found.push(`${at || '(value)'}: expected at least ${e.length} items, got ${a.length}`);
      e.forEach((item, i) => walk(a[i], item, `${at}[${i}]`));
      return;
    }
    if (isRecord(e)) {
      if (!isRecord(a)) return void found.push(`${at || '(value)'}: expected an object, got ${show(a)}`);
      for (const [key, value] of Object.entries(e)) {
        const next = at ? `${at}.${key}` : key;
        if (!Object.hasOwn(a, key)) found.push(`${next}: missing (expected ${show(value)})`);
        else walk(a[key], value, next);
      }
      return;
    }
    if (!Object.is(a, e)) found.push(`${at || '(value)'}: expected ${show(e)}, got ${show(a)}`);
  };
  walk(actual, expected, path);
  return found;
}

function show(value: unknown): string {
  if (isAsymmetric(value)) return typeof (value as { toString?: () => string }).toString === 'function' ? String(value) : 'a matcher';
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

const FIELDS = ['body', 'query', 'headers'] as const;

function matches(entry: JournalEntry, expected: ReceivedExpectation, equals: Equals): boolean {
  return FIELDS.every((field) => expected[field] === undefined || equals(entry[field], expected[field]));
}

const ROUTE = /^([A-Z]+)\s+(\/\S*)$/i;

/** Entries given as a list are matched by operationId, or by `METHOD /path` (with or without `/v1`, no templates). */
function listed(entries: readonly JournalEntry[], operation: string, session: string | undefined): JournalEntry[] {
  const route = ROUTE.exec(operation.trim());
  const bare = (p: string) => p.replace(/^\/v1(?=\/|$)/, '');
  return entries.filter(
    (e) =>
      (session === undefined || e.session === session) &&
      (route ? e.method === route[1]!.toUpperCase() && bare(e.path) === bare(route[2]!) : e.operation === operation),
  );
}

function requestsOf(mock: HasJournal, operation: string, expected: ReceivedExpectation): JournalEntry[] {
  if (Array.isArray(mock)) return listed(mock, operation, expected.session);
  const source = mock as Exclude<HasJournal, readonly JournalEntry[]>;
  if (!source || typeof source.journal?.requests !== 'function') throw new TypeError('expected a mock server, a session handle, or journal entries from openai-mock');
  return source.journal.requests({ operation, session: expected.session });
}

/** The received requests of the operation, each with how it departs from the expectation, for messages. */
function report(entries: JournalEntry[], operation: string, expected: ReceivedExpectation): string {
  if (entries.length === 0) return `  no ${operation} request was received${expected.session ? ` in session ${expected.session}` : ''}.`;
  const lines = entries.slice(-5).map((entry) => {
    const problems = FIELDS.flatMap((field) => (expected[field] === undefined ? [] : differences(entry[field], expected[field], field, 4)));
    return `  #${entry.id} ${entry.method} ${entry.path} -> ${entry.response.status}${problems.length ? `\n      ${problems.join('\n      ')}` : ''}`;
  });
  const skipped = entries.length > 5 ? `  (${entries.length - 5} earlier not shown)\n` : '';
  return `${skipped}${lines.join('\n')}`;
}

function describeExpected(expected: ReceivedExpectation): string {
  const parts = FIELDS.filter((f) => expected[f] !== undefined).map((f) => `${f} ${show(expected[f])}`);
  return parts.length ? ` with ${parts.join(', ')}` : '';
}

export interface ReceivedResult {
  pass: boolean;
  count: number;
  message: string;
}

/** How many requests of `operation` matched, and the message a failed assertion shows (jest-style: for `not`, too). */
export function receivedProblem(mock: HasJournal, operation: string, expected: ReceivedExpectation = {}, options: { times?: number; equals?: Equals; not?: boolean } = {}): ReceivedResult {
  const equals = options.equals ?? partialEquals;
  const entries = requestsOf(mock, operation, expected);
  const count = entries.filter((entry) => matches(entry, expected, equals)).length;
  const pass = options.times === undefined ? count > 0 : count === options.times;
  const wanted = options.times === undefined ? 'at least one' : `exactly ${options.times}`;
  const message = options.not
    ? `expected ${options.times === undefined ? 'no' : `other than ${options.times}`} ${operation} request${describeExpected(expected)}, but ${count} matched:\n${report(entries, operation, expected)}`
    : `expected ${wanted} ${operation} request${describeExpected(expected)}, ${count} matched. Received:\n${report(entries, operation, expected)}`;
  return { pass, count, message };
}

/** Throws, with each received request and where it differs, unless a request of `operation` holds what is expected (compared partially). */
export function assertReceived(mock: HasJournal, operation: string, expected: ReceivedExpectation = {}): void {
  const result = receivedProblem(mock, operation, expected);
  if (!result.pass) throw new AssertionFailure(result.message);
}

/** Throws unless exactly `times` requests of `operation` hold what is expected. */
export function assertReceivedTimes(mock: HasJournal, operation: string, times: number, expected: ReceivedExpectation = {}): void {
  const result = receivedProblem(mock, operation, expected, { times });
  if (!result.pass) throw new AssertionFailure(result.message);
}

export class AssertionFailure extends Error {
  override name = 'AssertionError';
}

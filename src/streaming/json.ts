/**
 * Final bodies come from the engine, realism or a user's override as plain JSON: they are read
 * loosely, and what a stream needs is checked where it is used.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Round-robin over several lists: a0 b0 a1 b1 b2 ..., the way parallel choices arrive. */
export function interleave<T>(lists: T[][]): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const list of lists) if (i < list.length) out.push(list[i]!);
  return out;
}

/** An OpenAI-style id: prefix and 24 hex characters from a counter-free source. */
export function newId(prefix: string): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return prefix + Buffer.from(bytes).toString('hex');
}

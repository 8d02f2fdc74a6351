import { createHash } from 'node:crypto';

/**
 * Final bodies come from the engine, realism or a user's override as plain JSON: they are read
 * loosely, and what a stream needs is checked where it is used.
 */
export type Json = Record<string, any>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Round-robin over several lists: a0 b0 a1 b1 b2 ..., the way parallel choices arrive. */
export function interleave<T>(lists: T[][]): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const list of lists) if (i < list.length) out.push(list[i]!);
  return out;
}

/**
 * An OpenAI-style id for objects a stream shows but the final body does not hold (run steps,
 * messages), derived from the object they belong to: the same run streams the same ids, so
 * seeded answers stay reproducible.
 */
export function derivedId(prefix: string, owner: string): string {
  return prefix + createHash('sha256').update(`${prefix}${owner}`).digest('hex').slice(0, 24);
}

import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for many ids at once: one call into the CSPRNG per 6 KiB instead of one per id (a
 * buffer and a trip into C++ each were a fifth of a chat completion's time under load).
 */
export const pool = Buffer.alloc(6 * 1024);
let used = pool.length;

/** Where `bytes` fresh random bytes start in `pool` (at most its length). */
export function take(bytes: number): number {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const at = used;
  used += bytes;
  return at;
}

/** `bytes` random bytes as hex digits (a request id's 32 from 16). */
export function randomHex(bytes: number): string {
  const at = take(bytes);
  return pool.toString('hex', at, at + bytes);
}

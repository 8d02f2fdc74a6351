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

/**
 * Hex digits for ids are cut from one string of the pool's 12 KiB of them: a slice of a flat
 * string is a pointer and two numbers, where hex-encoding a few bytes per id was a call into C++
 * each. The pool is taken whole for it (the next `take` refills it).
 */
let hexText = '';
let hexUsed = 0;

/** `bytes` random bytes (at most the pool's length) as hex digits: a request id's 32 from 16. */
export function randomHex(bytes: number): string {
  const digits = bytes * 2;
  if (hexUsed + digits > hexText.length) {
    hexText = pool.toString('hex', take(pool.length), pool.length);
    hexUsed = 0;
  }
  const at = hexUsed;
  hexUsed += digits;
  return hexText.slice(at, at + digits);
}

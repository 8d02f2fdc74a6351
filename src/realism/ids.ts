import { createHash } from 'node:crypto';
import { pool, take } from '../util/random';

/**
 * Ids and clocks for one answer. Unseeded: random ids and the real time. Seeded (the server's
 * `seed` option or `Prefer: seed=`): ids come from a hash of the seed, the request and a counter,
 * and the clock is fixed, so that the same request gives the same body, byte for byte.
 */
export interface IdSource {
  /** A fresh id: `prefix` plus 24 letters and digits. */
  next(prefix: string): string;
  /** Seconds since the epoch, as `created` fields carry it. */
  readonly now: number;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ID_LENGTH = 24;
/** The clock of seeded answers: 2025-01-01T00:00:00Z. */
export const SEEDED_NOW = 1_735_689_600;

function encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < ID_LENGTH; i++) out += ALPHABET[bytes[i]! % ALPHABET.length];
  return out;
}

/** 24 random letters and digits: the part of an id after its prefix. */
export function randomId(): string {
  const at = take(ID_LENGTH);
  let out = '';
  for (let i = at; i < at + ID_LENGTH; i++) out += ALPHABET[pool[i]! % ALPHABET.length];
  return out;
}

export function randomIds(nowMs = Date.now()): IdSource {
  return {
    next: (prefix) => prefix + randomId(),
    now: Math.floor(nowMs / 1000),
  };
}

/** `fingerprint` identifies the request (method, path, body): two equal requests share it. */
export function seededIds(seed: string, fingerprint: string): IdSource {
  let counter = 0;
  const digest = () => createHash('sha256').update(`${seed}\u0000${fingerprint}\u0000${counter++}`).digest();
  return {
    next: (prefix) => prefix + encode(digest()),
    now: SEEDED_NOW,
  };
}

/** A small, fast PRNG (mulberry32) from a string: for values that must follow from their input. */
export function prngFrom(text: string): () => number {
  let state = createHash('sha256').update(text).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

import type { Preferences } from '../pipeline/types';

/**
 * Prism's `Prefer: code=429, example=name, dynamic=true, seed=abc` (or `?__code=429`, ...), read
 * with the parser Prism's own server uses. Read here rather than through prism-http-server, whose
 * module loads all of Prism (300 ms and 100 MB) for a header that realism's `seed=` alone needs.
 */
// No published types: it takes the header and returns its preferences, camel-cased.
const parsePreferHeader = require('parse-prefer-header') as (header: string) => Record<string, string | true>;

export class PreferError extends Error {}

export function readPreferences(header: string | string[] | undefined, query: Record<string, unknown>): Preferences {
  const raw: Record<string, unknown> = header
    ? parsePreferHeader(Array.isArray(header) ? header.join(', ') : header)
    : { code: query.__code, example: query.__example, dynamic: query.__dynamic, seed: query.__seed, latency: query.__latency };
  const preferences: Preferences = {};
  const { code, example, dynamic, seed, latency } = raw;
  if (code !== undefined) {
    if (typeof code !== 'string' || !/^\d{3}$/.test(code)) throw new PreferError(`code must be a three-digit status, got ${JSON.stringify(code)}`);
    preferences.code = Number(code);
  }
  if (dynamic !== undefined) {
    if (dynamic !== 'true' && dynamic !== 'false') throw new PreferError(`dynamic must be true or false, got ${JSON.stringify(dynamic)}`);
    preferences.dynamic = dynamic === 'true';
  }
  if (example !== undefined) {
    if (typeof example !== 'string') throw new PreferError('example must name an example');
    preferences.example = example;
  }
  if (seed !== undefined) {
    if (typeof seed !== 'string') throw new PreferError('seed must have a value');
    preferences.seed = seed;
  }
  if (latency !== undefined) {
    if (typeof latency !== 'string') throw new PreferError('latency must name a profile');
    preferences.latency = latency;
  }
  return preferences;
}

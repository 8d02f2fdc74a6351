import { isSecretParam } from '../log/logger';
import { splitPath, visitPath } from './paths';

/**
 * Secrets never reach a cassette: credential headers are dropped, credential-looking query
 * values replaced, and the user's `record.redact` rules (body paths and regular expressions)
 * applied to request and answer alike.
 */

export const REDACTED = '[REDACTED]';

/** Headers that carry credentials or identify the account: never written. */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'api-key',
  'x-api-key',
  'openai-organization',
  'openai-project',
  'cookie',
  'set-cookie',
]);

/** Headers that say nothing about the exchange itself (transport, the SDK's platform). */
const NOISE_HEADERS = /^(host|connection|content-length|keep-alive|transfer-encoding|accept-encoding|x-stainless-.*|user-agent|date|prefer)$/i;

export function keptHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || SECRET_HEADERS.has(lower) || NOISE_HEADERS.test(lower)) continue;
    kept[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

export function redactQuery(query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) out[name] = isSecretParam(name, String(value)) ? REDACTED : value;
  return out;
}

/** `record.redact`: a string is a body path (`user`, `messages.*.content`); a RegExp, or text written `/.../flags`, a pattern. */
export type RedactRule = string | RegExp;

export interface RedactRules {
  paths: string[];
  patterns: RegExp[];
}

export function compileRules(rules: readonly RedactRule[] = []): RedactRules {
  const paths: string[] = [];
  const patterns: RegExp[] = [];
  for (const rule of rules) {
    if (rule instanceof RegExp) patterns.push(new RegExp(rule.source, rule.flags.includes('g') ? rule.flags : rule.flags + 'g'));
    else {
      const literal = /^\/(.+)\/([a-z]*)$/.exec(rule);
      if (literal) patterns.push(new RegExp(literal[1]!, literal[2]!.includes('g') ? literal[2] : literal[2] + 'g'));
      else paths.push(rule);
    }
  }
  return { paths, patterns };
}

/** A copy of `value` with the rules applied: paths' values replaced, patterns replaced in every string. */
export function redactValue<T>(value: T, rules: RedactRules, applyPaths = true): T {
  if (value === undefined) return value;
  let copy = structuredClone(value) as unknown;
  if (applyPaths) for (const path of rules.paths) visitPath(copy, splitPath(path), (parent, key) => (parent[key] = REDACTED));
  if (rules.patterns.length === 0) return copy as T;
  const scrub = (v: unknown): unknown => {
    if (typeof v === 'string') return rules.patterns.reduce((text, pattern) => text.replace(pattern, REDACTED), v);
    if (Array.isArray(v)) return v.map(scrub);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x)]));
    return v;
  };
  copy = scrub(copy);
  return copy as T;
}

/** The rules as a cassette records them, so that a replayer applies the same ones to a live request. */
export function describeRules(rules: RedactRules): { paths: string[]; patterns: string[] } | undefined {
  if (rules.paths.length === 0 && rules.patterns.length === 0) return undefined;
  return { paths: rules.paths, patterns: rules.patterns.map((p) => `/${p.source}/${p.flags}`) };
}

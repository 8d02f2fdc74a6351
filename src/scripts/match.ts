import { ConfigError } from '../config/errors';
import { lastUserMessage } from '../overrides/chat';
import { inputText } from '../overrides/responses';
import type { OverrideRequest } from '../overrides/types';
import type { RegexSpec, ScriptMatch } from './spec';

/** A script's `match` data as a test of the request; checked once, when the script is added. */

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isRegexSpec = (value: unknown): value is RegexSpec =>
  isRecord(value) && typeof value.regex === 'string' && Object.keys(value).every((k) => k === 'regex' || k === 'flags');

function regexOf(value: RegExp | RegexSpec, where: string): RegExp {
  if (value instanceof RegExp) return value;
  try {
    return new RegExp(value.regex, value.flags);
  } catch (error) {
    throw new ConfigError(`${where}: ${(error as Error).message}`);
  }
}

/** `pattern` against `actual`: regexes test text; objects hold at least the pattern's keys; arrays by index. */
export function matchesPattern(actual: unknown, pattern: unknown): boolean {
  if (pattern instanceof RegExp) return typeof actual === 'string' && pattern.test(actual);
  if (isRegexSpec(pattern)) return typeof actual === 'string' && new RegExp(pattern.regex, pattern.flags).test(actual);
  if (Array.isArray(pattern)) {
    return Array.isArray(actual) && pattern.length <= actual.length && pattern.every((item, i) => matchesPattern(actual[i], item));
  }
  if (isRecord(pattern)) return isRecord(actual) && Object.entries(pattern).every(([key, value]) => Object.hasOwn(actual, key) && matchesPattern(actual[key], value));
  return Object.is(actual, pattern);
}

/** `messages[0].content`, `tools.0.function.name` -> the value there, or undefined. */
export function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean)) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function textTest(value: string | RegExp | RegexSpec, where: string): (text: string) => boolean {
  if (typeof value === 'string') return (text) => text.includes(value);
  const regex = regexOf(value, where);
  return (text) => regex.test(text);
}

function toolNames(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  return tools.map((tool) => (isRecord(tool) ? (isRecord(tool.function) ? tool.function.name : tool.name) : undefined)).filter((n): n is string => typeof n === 'string');
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function apiKeyOf(headers: OverrideRequest['headers']): string | undefined {
  const bearer = typeof headers.authorization === 'string' ? BEARER.exec(headers.authorization)?.[1] : undefined;
  return bearer ?? (typeof headers['api-key'] === 'string' ? headers['api-key'] : undefined);
}

const KNOWN = new Set(['model', 'lastUserMessage', 'tools', 'stream', 'body', 'where', 'apiKey']);

export function compileMatch(given: ScriptMatch, where: string): (request: OverrideRequest) => boolean {
  if (!isRecord(given)) throw new ConfigError(`${where}: "match" must be an object { model, lastUserMessage, tools, stream, body, where, apiKey }, got ${JSON.stringify(given)}`);
  const match = given as ScriptMatch;
  for (const key of Object.keys(match)) {
    if (!KNOWN.has(key)) throw new ConfigError(`${where}: unknown key "match.${key}" (known: ${[...KNOWN].join(', ')})`);
  }
  const tests: ((request: OverrideRequest) => boolean)[] = [];
  const body = (request: OverrideRequest) => (isRecord(request.body) ? request.body : {});
  if (match.model !== undefined) {
    const model = match.model;
    const test = typeof model === 'string' ? (m: string) => m === model : textTest(model, `${where}: match.model`);
    tests.push((r) => typeof body(r).model === 'string' && test(body(r).model as string));
  }
  if (match.lastUserMessage !== undefined) {
    const test = textTest(match.lastUserMessage, `${where}: match.lastUserMessage`);
    tests.push((r) => {
      const b = body(r);
      return test(Array.isArray(b.messages) ? lastUserMessage(b as never) : b.input !== undefined ? inputText(b as never) : '');
    });
  }
  if (match.tools !== undefined) {
    const tools = match.tools;
    if (typeof tools !== 'boolean' && typeof tools !== 'string') throw new ConfigError(`${where}: match.tools must be true, false or a tool's name`);
    tests.push((r) => {
      const names = toolNames(body(r).tools);
      const offered = Array.isArray(body(r).tools) && (body(r).tools as unknown[]).length > 0;
      return typeof tools === 'string' ? names.includes(tools) : offered === tools;
    });
  }
  if (match.stream !== undefined) {
    const stream = match.stream === true;
    tests.push((r) => (body(r).stream === true || (r.query as Record<string, unknown>).stream === 'true') === stream);
  }
  if (match.body !== undefined) {
    if (!isRecord(match.body)) throw new ConfigError(`${where}: match.body must be an object (a partial request body)`);
    const pattern = match.body;
    tests.push((r) => matchesPattern(r.body, pattern));
  }
  if (match.where !== undefined) {
    if (!isRecord(match.where)) throw new ConfigError(`${where}: match.where must be an object of body paths to values`);
    const entries = Object.entries(match.where);
    for (const [path, value] of entries) if (value instanceof RegExp === false && isRegexSpec(value)) regexOf(value, `${where}: match.where["${path}"]`);
    tests.push((r) => entries.every(([path, value]) => matchesPattern(valueAt(r.body, path), value)));
  }
  if (match.apiKey !== undefined) {
    const key = match.apiKey;
    tests.push((r) => apiKeyOf(r.headers) === key);
  }
  return (request) => tests.every((test) => test(request));
}

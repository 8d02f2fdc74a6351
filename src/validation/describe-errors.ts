import type { ErrorObject } from 'ajv';
import { takeErrors } from './ajv';
import { bestRanked, isSchema, pointerParts, tagFit, valueAt as valueAtParts, type SchemaTools } from '../openapi/schema/walk';

/**
 * Turns Ajv's list of failures into the one message OpenAI would give, naming the field the way
 * the API does (`messages[0].role`). Unions make Ajv report every branch's complaint; a complaint
 * that another branch answers (an enum value some branch allows) is noise and is dropped.
 */

export interface ValidationProblem {
  message: string;
  param: string | null;
  /** Null where the API sends none (`Unrecognized request argument supplied`). */
  code: string | null;
}

export function paramName(instancePath: string, prefix?: string): string | null {
  const parts = pointerParts(instancePath);
  let out = prefix ?? '';
  for (const part of parts) {
    if (/^\d+$/.test(part) && out !== '') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? null : out;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

function expectedName(type: string): string {
  switch (type) {
    case 'number':
      return 'a decimal';
    case 'integer':
      return 'an integer';
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    case 'null':
      return 'null';
    default:
      return `a ${type}`;
  }
}

const valueAt = (root: unknown, instancePath: string): unknown => valueAtParts(root, pointerParts(instancePath));

const quoteList = (values: unknown[]) => {
  const quoted = values.map((v) => `'${typeof v === 'string' ? v : JSON.stringify(v)}'`);
  if (quoted.length <= 1) return quoted.join('');
  if (quoted.length === 2) return `${quoted[0]} and ${quoted[1]}`;
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
};

const depth = (path: string) => (path === '' ? 0 : path.split('/').length - 1);

const KEYWORD_RANK: Record<string, number> = { required: 0, type: 1, enum: 2, const: 2 };

const UNION = new Set(['anyOf', 'oneOf']);

const errorDepth = (e: ErrorObject) => depth(e.instancePath) + (e.keyword === 'required' ? 1 : 0);

function allowedValues(e: ErrorObject): unknown[] {
  if (e.keyword === 'enum') return (e.params as { allowedValues: unknown[] }).allowedValues ?? [];
  if (e.keyword === 'const') return [(e.params as { allowedValue: unknown }).allowedValue];
  return [];
}

function typesOf(e: ErrorObject): string[] {
  const t = (e.params as { type: string | string[] }).type;
  return Array.isArray(t) ? t : String(t).split(',');
}

/**
 * Ajv lists every branch's complaints of a failed union together. To say what a person should
 * fix, find the branch the value was meant for (the one whose tag, such as `role` or `type`,
 * it matches, and then the one with the fewest complaints) and describe that branch's failure.
 */
function explainUnion(union: ErrorObject, data: unknown, tools: SchemaTools, prefix: string | undefined): ValidationProblem | undefined {
  const branches = union.schema;
  if (!Array.isArray(branches) || branches.length === 0) return undefined;
  const value = valueAt(data, union.instancePath);
  const base = union.instancePath;
  const results = branches.map((branch) => {
    if (typeof branch !== 'object' || branch === null) return [] as ErrorObject[];
    const validate = tools.compile(branch);
    if (validate(value)) return [] as ErrorObject[];
    return takeErrors(validate).map((e) => ({ ...e, instancePath: base + e.instancePath }));
  });
  if (results.some((r) => r.length === 0)) return undefined;

  const myDepth = depth(base);
  // A tag mismatch: an enum or const on a direct property, failed, whose value another branch allows.
  const tagAllowed = new Map<string, unknown[]>();
  for (const errors of results) {
    for (const e of errors) {
      if ((e.keyword === 'enum' || e.keyword === 'const') && depth(e.instancePath) === myDepth + 1) {
        tagAllowed.set(e.instancePath, [...(tagAllowed.get(e.instancePath) ?? []), ...allowedValues(e)]);
      }
    }
  }
  const isTagMismatch = (e: ErrorObject) => (e.keyword === 'enum' || e.keyword === 'const') && depth(e.instancePath) === myDepth + 1;
  const wholeTypeMismatch = (errors: ErrorObject[]) => errors.some((e) => e.keyword === 'type' && e.instancePath === base);

  // Every branch rejects the value's whole type: say which types would do.
  if (results.every(wholeTypeMismatch)) {
    const expected = [...new Set(results.flatMap((errors) => errors.filter((e) => e.keyword === 'type' && e.instancePath === base).flatMap(typesOf)))];
    return typeProblem(base, expected, value, prefix);
  }
  // Every branch rejects the same tag: the tag itself is wrong.
  for (const [path, allowed] of tagAllowed) {
    const tagValue = valueAt(data, path);
    if (results.every((errors) => errors.some((e) => isTagMismatch(e) && e.instancePath === path)) && !allowed.includes(tagValue)) {
      return enumProblem(path, allowed, tagValue, prefix);
    }
  }
  // The branch meant: not one whose tag or whole type is wrong; then the one whose tags the value
  // carries; then the one missing the fewest of its own required fields; then the fewest complaints.
  const missingHere = (errors: ErrorObject[]) => errors.filter((e) => e.keyword === 'required' && e.instancePath === base).length;
  const rank = (errors: ErrorObject[], i: number) => [
    wholeTypeMismatch(errors) ? 1 : 0,
    errors.some(isTagMismatch) ? 1 : 0,
    -tagFit(branches[i], value, tools).matches,
    missingHere(errors),
    errors.filter((e) => !UNION.has(e.keyword)).length,
  ];
  return describeErrors(results[bestRanked(results.map(rank))]!, data, prefix, tools);
}

function typeProblem(instancePath: string, types: string[], value: unknown, prefix: string | undefined): ValidationProblem {
  const param = paramName(instancePath, prefix);
  const expected = [...new Set(types)].filter((t) => t !== 'null').map(expectedName);
  const expectedText = expected.length > 1 ? `one of ${expected.join(' or ')}` : expected[0] ?? 'null';
  return {
    message: `Invalid type for '${param ?? 'body'}': expected ${expectedText}, but got ${typeName(value)} instead.`,
    param,
    code: 'invalid_type',
  };
}

/**
 * A user's value as quoted in a message: bounded, because it can be megabytes long or nested
 * deeper than JSON.stringify's stack allows.
 */
function shown(value: unknown, limit = 200): string {
  let text: string;
  if (typeof value === 'string') text = `'${value.length > limit ? value.slice(0, limit) + '…' : value}'`;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = typeName(value);
    }
  }
  return text.length > limit + 2 ? text.slice(0, limit) + '…' : text;
}

function enumProblem(instancePath: string, allowed: unknown[], value: unknown, prefix: string | undefined): ValidationProblem {
  const param = paramName(instancePath, prefix);
  const values = [...new Set(allowed)].filter((v) => v !== null);
  return {
    message: `Invalid value: ${shown(value)}. Supported values are: ${quoteList(values)}.`,
    param,
    code: 'invalid_value',
  };
}

export function describeErrors(errors: readonly ErrorObject[], data: unknown, prefix?: string, tools?: SchemaTools): ValidationProblem {
  if (errors.length === 0) return { message: 'The request is not valid.', param: null, code: 'invalid_request' };
  // The outermost mistake is the one the user made: a wrong type for `messages` explains every
  // complaint below it. Unions at the same place come first, as their branches' complaints are
  // only candidates.
  const shallowest = Math.min(...errors.map(errorDepth));
  const atTop = errors.filter((e) => errorDepth(e) === shallowest || (UNION.has(e.keyword) && depth(e.instancePath) === shallowest));
  const unions = errors.filter((e) => UNION.has(e.keyword) && depth(e.instancePath) <= shallowest);
  if (unions.length > 0 && tools) {
    // The last one listed at the shallowest place is the outermost (Ajv reports inner ones first).
    const union = unions.filter((e) => depth(e.instancePath) === Math.min(...unions.map((u) => depth(u.instancePath)))).pop()!;
    const explained = explainUnion(union, data, tools, prefix);
    if (explained) return explained;
  }
  const concrete = atTop.filter((e) => !UNION.has(e.keyword));
  const best = [...(concrete.length > 0 ? concrete : atTop)].sort((a, b) => (KEYWORD_RANK[a.keyword] ?? 9) - (KEYWORD_RANK[b.keyword] ?? 9))[0]!;
  const value = valueAt(data, best.instancePath);
  switch (best.keyword) {
    case 'required': {
      const missing = (best.params as { missingProperty: string }).missingProperty;
      const param = paramName(`${best.instancePath}/${missing}`, prefix);
      return { message: `Missing required parameter: '${param}'.`, param, code: 'missing_required_parameter' };
    }
    case 'type': {
      const types = errors.filter((e) => e.keyword === 'type' && e.instancePath === best.instancePath).flatMap(typesOf);
      return typeProblem(best.instancePath, types, value, prefix);
    }
    case 'enum':
    case 'const': {
      const allowed = errors.filter((e) => e.instancePath === best.instancePath).flatMap(allowedValues);
      return enumProblem(best.instancePath, allowed, value, prefix);
    }
    case 'additionalProperties': {
      const extra = (best.params as { additionalProperty: string }).additionalProperty;
      const param = paramName(`${best.instancePath}/${extra}`, prefix);
      return { message: `Unrecognized request argument supplied: ${param}`, param, code: 'unknown_parameter' };
    }
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum':
      return rangeProblem(best, value, prefix);
    case 'maxLength':
    case 'minLength':
    case 'maxItems':
    case 'minItems':
      return lengthProblem(best, value, prefix);
    default: {
      const param = paramName(best.instancePath, prefix);
      const where = param ? `'${param}'` : 'the request body';
      return { message: `Invalid value for ${where}: ${best.message ?? 'it does not match the schema'}.`, param, code: 'invalid_value' };
    }
  }
}

const COMPARISON: Record<string, string> = { maximum: '<=', minimum: '>=', exclusiveMaximum: '<', exclusiveMinimum: '>' };

/** OpenAI's wording: "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 5 instead." */
function rangeProblem(error: ErrorObject, value: unknown, prefix: string | undefined): ValidationProblem {
  const param = paramName(error.instancePath, prefix);
  const parent = error.parentSchema;
  const types = isSchema(parent) ? [parent.type].flat() : [];
  const kind = types.includes('integer') && !types.includes('number') ? 'integer' : 'decimal';
  const above = error.keyword.includes('aximum');
  const limit = (error.params as { limit: number }).limit;
  return {
    message: `Invalid '${param ?? 'body'}': ${kind} ${above ? 'above maximum' : 'below minimum'} value. Expected a value ${COMPARISON[error.keyword]} ${limit}, but got ${JSON.stringify(value)} instead.`,
    param,
    code: `${kind}_${above ? 'above_max' : 'below_min'}_value`,
  };
}

/** OpenAI's wording: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead." */
function lengthProblem(error: ErrorObject, value: unknown, prefix: string | undefined): ValidationProblem {
  const param = paramName(error.instancePath, prefix);
  const noun = error.keyword.endsWith('Items') ? 'array' : 'string';
  const article = noun === 'array' ? 'an' : 'a';
  const above = error.keyword.startsWith('max');
  const limit = (error.params as { limit: number }).limit;
  const length = Array.isArray(value) || typeof value === 'string' ? value.length : 0;
  if (!above && length === 0) {
    return {
      message: `Invalid '${param ?? 'body'}': empty ${noun}. Expected ${article} ${noun} with minimum length ${limit}, but got an empty ${noun} instead.`,
      param,
      code: `empty_${noun}`,
    };
  }
  return {
    message: `Invalid '${param ?? 'body'}': ${noun} too ${above ? 'long' : 'short'}. Expected ${article} ${noun} with ${above ? 'maximum' : 'minimum'} length ${limit}, but got ${article} ${noun} with length ${length} instead.`,
    param,
    code: `${noun}_${above ? 'above_max' : 'below_min'}_length`,
  };
}

/**
 * A plausible value for a JSON Schema the user sent: a tool's `parameters` (the arguments of a
 * tool call) or a structured-output schema (the message text). Every declared property is
 * filled, as strict mode requires; local `$ref`s (`#/$defs/...`) are followed.
 *
 * Generation has a budget, as a model's output does: what is built is counted in characters of
 * its JSON text, and building stops once the budget is spent (the result is then incomplete, and
 * its text is cut at the budget by the caller, with `finish_reason: "length"`, as the API cuts a
 * structured answer at `max_tokens`). A schema asking for `minItems: 1000` three levels deep
 * costs no more than the budget.
 */

export interface Sample {
  value: unknown;
  /** False when the budget ran out before the schema was satisfied: the text is to be cut. */
  complete: boolean;
}

/** Characters of JSON text, the most a sample may build when the caller gives no budget. */
export const DEFAULT_SAMPLE_BUDGET = 64 * 1024;

// What is charged is never less than what the value adds to its JSON text (escapes included), so
// the text of a complete sample fits the budget and an incomplete one overruns it by one value at most.
interface Walk {
  root: unknown;
  /** Characters left; below zero once spent. */
  left: number;
}

const MAX_DEPTH = 10;

export function sampleJson(schema: unknown, budget = DEFAULT_SAMPLE_BUDGET): Sample {
  const walk: Walk = { root: schema, left: Math.max(0, budget) };
  const value = sample(schema, walk, undefined, 0);
  return { value, complete: walk.left >= 0 };
}

/** Charges what a value given by the request (`const`, `enum`, `default`) adds to the text. */
function given(value: unknown, walk: Walk): unknown {
  let size: number;
  try {
    size = JSON.stringify(value)?.length ?? 4;
  } catch {
    size = 4;
  }
  walk.left -= size;
  return value;
}

function sample(schema: unknown, walk: Walk, name: string | undefined, depth: number): unknown {
  if (depth > MAX_DEPTH || typeof schema !== 'object' || schema === null) return (walk.left -= 4), null;
  let s = schema as Record<string, any>;
  if (typeof s.$ref === 'string') {
    const target = resolveLocal(s.$ref, walk.root);
    return target === undefined ? ((walk.left -= 4), null) : sample(target, walk, name, depth + 1);
  }
  if ('const' in s) return given(s.const, walk);
  if (Array.isArray(s.enum) && s.enum.length > 0) return given(s.enum[0], walk);
  if ('default' in s) return given(s.default, walk);
  if (Array.isArray(s.examples) && s.examples.length > 0) return given(s.examples[0], walk);
  const union = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (union && union.length > 0) {
    const branch = union.find((b: any) => !(b && b.type === 'null')) ?? union[0];
    return sample(branch, walk, name, depth + 1);
  }
  if (Array.isArray(s.allOf)) {
    s = { ...s };
    for (const part of s.allOf) {
      const p = (typeof part?.$ref === 'string' ? resolveLocal(part.$ref, walk.root) : part) as Record<string, any> | undefined;
      if (p?.properties) s.properties = { ...p.properties, ...s.properties };
      if (p?.type && !s.type) s.type = p.type;
    }
  }
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : s.properties ? ['object'] : s.items ? ['array'] : ['string'];
  const type = types.find((t) => t !== 'null') ?? 'null';
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      walk.left -= 2;
      const properties = typeof s.properties === 'object' && s.properties !== null ? (s.properties as Record<string, unknown>) : {};
      for (const key in properties) {
        if (walk.left < 0) break;
        if (!Object.hasOwn(properties, key) || key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
        // "key": and a comma.
        walk.left -= JSON.stringify(key).length + 2;
        out[key] = sample(properties[key], walk, key, depth + 1);
      }
      return out;
    }
    case 'array': {
      const min = typeof s.minItems === 'number' ? s.minItems : 1;
      const max = typeof s.maxItems === 'number' ? s.maxItems : Math.max(min, 1);
      const count = Math.min(Math.max(min, 1), max);
      const out: unknown[] = [];
      walk.left -= 2;
      for (let i = 0; i < count && walk.left >= 0; i++) {
        walk.left -= 1;
        out.push(sample(s.items ?? {}, walk, name, depth + 1));
      }
      return out;
    }
    case 'integer': {
      const value = typeof s.minimum === 'number' && Number.isFinite(s.minimum) ? Math.ceil(s.minimum) : 1;
      walk.left -= String(value).length;
      return value;
    }
    case 'number': {
      const value = typeof s.minimum === 'number' && Number.isFinite(s.minimum) ? s.minimum : 1;
      walk.left -= String(value).length;
      return value;
    }
    case 'boolean':
      walk.left -= 4;
      return true;
    case 'null':
      walk.left -= 4;
      return null;
    default: {
      const text = sampleString(s, name, Math.max(0, walk.left));
      walk.left -= JSON.stringify(text).length;
      return text;
    }
  }
}

/** A string for the schema, no longer than `room` plus one (so that an overrun shows). */
function sampleString(s: Record<string, any>, name: string | undefined, room: number): string {
  switch (s.format) {
    case 'date-time':
      return '2025-01-01T00:00:00Z';
    case 'date':
      return '2025-01-01';
    case 'time':
      return '00:00:00';
    case 'email':
      return 'user@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com';
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
  }
  let text = name ? `example ${name}` : 'example';
  if (typeof s.maxLength === 'number') text = text.slice(0, Math.max(0, s.maxLength));
  if (typeof s.minLength === 'number' && text.length < s.minLength) text = text.padEnd(Math.min(s.minLength, room + 1), 'x');
  return text;
}

function resolveLocal(ref: string, root: unknown): unknown {
  if (!ref.startsWith('#')) return undefined;
  let parts: string[];
  try {
    parts = ref.slice(1).split('/').filter(Boolean).map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
  } catch {
    // A malformed escape (`#/$defs/%`) points nowhere.
    return undefined;
  }
  let node = root;
  for (const part of parts) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

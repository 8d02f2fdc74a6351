/**
 * Small read-only helpers over the prepared schemas: refs point into an operation's
 * `__bundled__` components (`#/__bundled__/Name/...`).
 */

export type Schema = Record<string, any>;
export type Bundle = Record<string, unknown>;

const BUNDLE_REF = '#/__bundled__/';

/** Follows `$ref`s (a few hops) to the schema they name; undefined when it cannot. */
export function resolve(schema: unknown, bundle: Bundle): Schema | undefined {
  let current = schema;
  for (let hops = 0; hops < 16; hops++) {
    if (typeof current !== 'object' || current === null) return undefined;
    const ref = (current as Schema).$ref;
    if (typeof ref !== 'string') return current as Schema;
    if (!ref.startsWith(BUNDLE_REF)) return undefined;
    current = ref
      .slice(BUNDLE_REF.length)
      .split('/')
      .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Schema)[part] : undefined), bundle);
  }
  return undefined;
}

/** The schema's branches when it is a union. */
export function branches(schema: Schema): unknown[] | undefined {
  return Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
}

function typesOf(schema: Schema): string[] | undefined {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type as string[];
  return undefined;
}

/** Whether `null` is a valid value of the schema, as far as can be told without Ajv. */
export function allowsNull(schema: unknown, bundle: Bundle, depth = 0): boolean {
  const s = resolve(schema, bundle);
  if (!s || depth > 8) return false;
  if (s.nullable === true) return true;
  if (s.const === null) return true;
  if (Array.isArray(s.enum)) return s.enum.includes(null);
  const types = typesOf(s);
  if (types) return types.includes('null');
  const union = branches(s);
  if (union) return union.some((branch) => allowsNull(branch, bundle, depth + 1));
  return false;
}

/**
 * The properties an object schema declares, through `$ref`s and `allOf` (top level only, which is
 * how the spec composes its objects: `allOf: [ModelResponseProperties, ResponseProperties, {...}]`).
 * Undefined for unions, whose fields depend on the branch.
 */
export function objectProperties(schema: unknown, bundle: Bundle, depth = 0): Map<string, unknown> | undefined {
  const s = resolve(schema, bundle);
  if (!s || depth > 8 || branches(s)) return undefined;
  const out = new Map<string, unknown>();
  if (Array.isArray(s.allOf)) {
    for (const part of s.allOf) {
      const props = objectProperties(part, bundle, depth + 1);
      if (!props) return undefined;
      for (const [name, value] of props) if (!out.has(name)) out.set(name, value);
    }
  }
  if (s.properties && typeof s.properties === 'object') {
    for (const [name, value] of Object.entries(s.properties as Schema)) out.set(name, value);
  }
  return out;
}

// Values that read as a finished, healthy object when a status has to be picked from an enum.
const PREFERRED = ['completed', 'processed', 'active', 'succeeded', 'success', 'ok', 'assistant', 'stop'];

/**
 * The smallest plausible value of a schema: null where allowed, the const, the first enum value
 * (a "completed"-like one when offered), an empty string or array, zero, or an object with its
 * required properties. Used to fill what a documented example lacks and to answer tools and
 * structured outputs; the result is checked by Ajv where validity matters.
 */
export function minimalValue(schema: unknown, bundle: Bundle, options: { preferNull?: boolean; name?: string } = {}, depth = 0): unknown {
  const s = resolve(schema, bundle);
  if (!s || depth > 12) return null;
  const preferNull = options.preferNull ?? true;
  if (preferNull && allowsNull(s, bundle)) return null;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return PREFERRED.find((v) => s.enum.includes(v)) ?? s.enum.find((v: unknown) => v !== null) ?? s.enum[0];
  if ('default' in s && s.default !== undefined) return s.default;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (Array.isArray(s.allOf) && s.allOf.length > 0 && !s.properties) return minimalValue(s.allOf[0], bundle, options, depth + 1);
  const union = branches(s);
  if (union) {
    const first = union.find((branch) => !allowsNull(branch, bundle)) ?? union[0];
    return minimalValue(first, bundle, { ...options, preferNull }, depth + 1);
  }
  const types = typesOf(s)?.filter((t) => t !== 'null') ?? [];
  const type = types[0] ?? (s.properties ? 'object' : s.items ? 'array' : undefined);
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = objectProperties(s, bundle) ?? new Map();
      for (const name of Array.isArray(s.required) ? (s.required as string[]) : []) {
        out[name] = minimalValue(props.get(name) ?? {}, bundle, { preferNull: true, name }, depth + 1);
      }
      return out;
    }
    case 'array': {
      const count = typeof s.minItems === 'number' ? s.minItems : 0;
      return Array.from({ length: count }, () => minimalValue(s.items ?? {}, bundle, { preferNull: false }, depth + 1));
    }
    case 'string':
      return minimalString(s, options.name);
    case 'integer':
    case 'number': {
      if (options.name && /(^created$|_at$)/.test(options.name)) return Math.floor(Date.now() / 1000);
      const min = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : 0;
      return Math.max(0, min);
    }
    case 'boolean':
      return false;
    default:
      return null;
  }
}

function minimalString(s: Schema, name: string | undefined): string {
  if (s.format === 'date-time') return new Date(0).toISOString();
  if (s.format === 'date') return '1970-01-01';
  if (s.format === 'uri' || s.format === 'url') return 'https://example.com';
  const base = name ? name : 'string';
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  return base.length >= min ? base : base.padEnd(min, 'x');
}

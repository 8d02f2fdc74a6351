/**
 * A plausible value for a JSON Schema the user sent: a tool's `parameters` (the arguments of a
 * tool call) or a structured-output schema (the message text). Every declared property is
 * filled, as strict mode requires; local `$ref`s (`#/$defs/...`) are followed.
 */
export function sampleJson(schema: unknown, root: unknown = schema, name?: string, depth = 0): unknown {
  if (depth > 10 || typeof schema !== 'object' || schema === null) return null;
  let s = schema as Record<string, any>;
  if (typeof s.$ref === 'string') {
    const target = resolveLocal(s.$ref, root);
    return target === undefined ? null : sampleJson(target, root, name, depth + 1);
  }
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if ('default' in s) return s.default;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  const union = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (union && union.length > 0) {
    const branch = union.find((b: any) => !(b && b.type === 'null')) ?? union[0];
    return sampleJson(branch, root, name, depth + 1);
  }
  if (Array.isArray(s.allOf)) {
    s = { ...s };
    for (const part of s.allOf) {
      const p = (typeof part?.$ref === 'string' ? resolveLocal(part.$ref, root) : part) as Record<string, any> | undefined;
      if (p?.properties) s.properties = { ...p.properties, ...s.properties };
      if (p?.type && !s.type) s.type = p.type;
    }
  }
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : s.properties ? ['object'] : s.items ? ['array'] : ['string'];
  const type = types.find((t) => t !== 'null') ?? 'null';
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) {
        if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
        out[key] = sampleJson(value, root, key, depth + 1);
      }
      return out;
    }
    case 'array': {
      const min = typeof s.minItems === 'number' ? s.minItems : 1;
      const max = typeof s.maxItems === 'number' ? s.maxItems : Math.max(min, 1);
      const count = Math.min(Math.max(min, 1), max);
      return Array.from({ length: count }, () => sampleJson(s.items ?? {}, root, name, depth + 1));
    }
    case 'integer':
      return typeof s.minimum === 'number' ? Math.ceil(s.minimum) : 1;
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return sampleString(s, name);
  }
}

function sampleString(s: Record<string, any>, name: string | undefined): string {
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
  if (typeof s.maxLength === 'number') text = text.slice(0, s.maxLength);
  if (typeof s.minLength === 'number' && text.length < s.minLength) text = text.padEnd(s.minLength, 'x');
  return text;
}

function resolveLocal(ref: string, root: unknown): unknown {
  if (!ref.startsWith('#')) return undefined;
  const parts = ref.slice(1).split('/').filter(Boolean).map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = root;
  for (const part of parts) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * Repairs the places where the OpenAI spec and JSON Schema validators disagree, so that every
 * request schema compiles and what the official SDK sends is accepted
 * (see shared/notes/prism-on-the-openai-spec.md, items 1-4).
 *
 * It mutates the freshly parsed document it is given: the document is ours alone at this point
 * and copying 3 MB of YAML would only cost start-up time.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Bump when what `normalizeSpec` produces changes: it is part of the prepared-spec cache key. */
export const NORMALIZE_VERSION = 2;

export interface NormalizeReport {
  nullable: number;
  recursiveRefs: number;
  duplicateRequired: number;
  oneOfToAnyOf: number;
  exclusiveBounds: number;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keys that only describe a schema; they stay on the outside when a schema is wrapped. */
const ANNOTATIONS = new Set(['title', 'description', 'default', 'example', 'examples', 'deprecated', 'readOnly', 'writeOnly']);

/**
 * OpenAPI 3.0's `nullable: true` means nothing to a 2020-12 validator; without `type` beside it Ajv
 * refuses the whole schema ("nullable cannot be used without type") and Prism then skips validation.
 */
function fixNullable(schema: JsonObject, report: NormalizeReport): void {
  if (!('nullable' in schema)) return;
  const nullable = schema.nullable === true;
  delete schema.nullable;
  if (!nullable) return;
  report.nullable++;
  const type = schema.type;
  if (typeof type === 'string') {
    schema.type = type === 'null' ? type : [type, 'null'];
  } else if (Array.isArray(type)) {
    if (!type.includes('null')) type.push('null');
  } else {
    const inner: JsonObject = {};
    for (const key of Object.keys(schema)) {
      if (ANNOTATIONS.has(key)) continue;
      inner[key] = schema[key];
      delete schema[key];
    }
    schema.anyOf = [inner, { type: 'null' }];
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum.push(null);
}

/**
 * OpenAPI 3.0 wrote `minimum: 0, exclusiveMinimum: true`; 2020-12 writes `exclusiveMinimum: 0`.
 * Ajv refuses the boolean form ("exclusiveMinimum value must be number"), which takes down every
 * fine-tuning operation's validator.
 */
function fixExclusiveBounds(schema: JsonObject, report: NormalizeReport): void {
  for (const [exclusive, inclusive] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    const flag = schema[exclusive];
    if (typeof flag !== 'boolean') continue;
    report.exclusiveBounds++;
    delete schema[exclusive];
    if (flag && typeof schema[inclusive] === 'number') {
      schema[exclusive] = schema[inclusive];
      delete schema[inclusive];
    }
  }
}

const NAMED_SCHEMAS = new Set(['properties', 'patternProperties', '$defs', 'definitions']);

function walk(node: Json, component: string | undefined, report: NormalizeReport): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, component, report);
    return;
  }
  if (!isObject(node)) return;

  fixNullable(node, report);
  fixExclusiveBounds(node, report);

  // `$recursiveRef: "#"` (draft 2019-09) points at the component it sits in; draft-07 readers turn
  // it into `{}`, which makes `oneOf: [ComparisonFilter, {}]` reject every filter.
  if (node.$recursiveRef === '#' && component) {
    delete node.$recursiveRef;
    node.$ref = `#/components/schemas/${component}`;
    report.recursiveRefs++;
  }
  delete node.$recursiveAnchor;

  if (Array.isArray(node.required)) {
    const unique = [...new Set(node.required)];
    if (unique.length !== node.required.length) {
      node.required = unique;
      report.duplicateRequired++;
    }
  }

  // The API parses unions as "first branch that fits"; JSON Schema's `oneOf` demands exactly one,
  // which rejects ordinary SDK input wherever branches overlap (EasyInputMessage vs InputMessage,
  // discriminators on optional properties). `anyOf` is what the API really accepts.
  if (Array.isArray(node.oneOf) && !('anyOf' in node)) {
    node.anyOf = node.oneOf;
    delete node.oneOf;
    report.oneOfToAnyOf++;
  }

  for (const key of Object.keys(node)) {
    // Under these keys the names are the user's (a property may well be called `example`).
    if (NAMED_SCHEMAS.has(key) && isObject(node[key])) {
      for (const child of Object.values(node[key] as JsonObject)) walk(child, component, report);
      continue;
    }
    // Examples and vendor extensions are data, not schemas: leave their contents as written.
    if (key === 'example' || key === 'examples' || key.startsWith('x-') || key === 'enum' || key === 'const') continue;
    walk(node[key], component, report);
  }
}

export function normalizeSpec(document: JsonObject): NormalizeReport {
  const report: NormalizeReport = { nullable: 0, recursiveRefs: 0, duplicateRequired: 0, oneOfToAnyOf: 0, exclusiveBounds: 0 };
  const components = isObject(document.components) ? document.components : {};
  const schemas = isObject(components.schemas) ? components.schemas : {};
  for (const [name, schema] of Object.entries(schemas)) walk(schema, name, report);
  for (const [key, value] of Object.entries(components)) {
    if (key !== 'schemas') walk(value, undefined, report);
  }
  walk(document.paths ?? null, undefined, report);
  walk(document.webhooks ?? null, undefined, report);
  return report;
}

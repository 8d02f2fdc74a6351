import type { IHttpOperation } from '@stoplight/types';
import { normalizeSpec, type NormalizeReport } from './normalize';
import { chooseDefaultBodies, type DefaultBody, type DefaultBodiesReport } from './default-bodies';
import type { PreparedOperation } from './operation';
import { BUNDLE_REF } from './schema/walk';
import { realtimeEventSchemas, type RealtimeEventSchemas } from '../realtime/spec';

export type { PreparedOperation };

export interface PreparedSpec {
  sha256: string;
  title: string;
  version: string;
  operations: PreparedOperation[];
  normalized: NormalizeReport;
  /**
   * By operation iid: the body its default success answer starts from, when it is not Prism's
   * (a documented example, possibly repaired, or Prism's body repaired). Chosen here, with Ajv,
   * so that a start from the cache compiles nothing.
   */
  defaultBodies: Record<string, DefaultBody>;
  defaultBodiesReport: DefaultBodiesReport;
  /** The Realtime API's client events, which no operation reaches (src/realtime/spec.ts). */
  realtimeEvents?: RealtimeEventSchemas;
}

/** A spec that cannot be had or read; its message is one line for the user. */
export class SpecError extends Error {}

/**
 * Turns the spec's text into Prism operations.
 *
 * No whole-document dereference: http-spec reads local `$ref`s as they are, and each operation
 * gets the component schemas it reaches in `__bundled__` (the layout Prism's validator and
 * mocker expect). That skips the dereference and `decycle` passes that cost Prism's own loader
 * about 11 of its 13 seconds on this spec.
 */
export function prepareSpec(text: string, sha256: string): PreparedSpec {
  // Required here: a start from the cache never prepares, and need not hold these (http-spec
  // brings lodash and @stoplight/json, about 2.5 MiB of heap).
  const { load: parseYaml, CORE_SCHEMA } = require('js-yaml') as typeof import('js-yaml');
  const { transformOas3Operations } = require('@stoplight/http-spec/oas3/operation') as typeof import('@stoplight/http-spec/oas3/operation');
  let document: unknown;
  try {
    // The core schema keeps dates and the like as strings, as JSON would.
    document = parseYaml(text, { schema: CORE_SCHEMA });
  } catch (error) {
    throw new SpecError(`is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!document || typeof document !== 'object' || !('openapi' in document) || !('paths' in document)) {
    throw new SpecError('is not an OpenAPI 3 document (no "openapi" and "paths" keys)');
  }
  const doc = document as Record<string, any>;
  const normalized = normalizeSpec(doc);
  const transformed = transformOas3Operations(doc as any) as IHttpOperation[];

  // Unique bundle keys: the default provider names keys after the component and runs out of
  // suffixes ("anyOf_1_2 ... already taken") on this spec's nested anonymous schemas.
  const operations = bundleOperations(transformed as PreparedOperation[], doc.components?.schemas ?? {});
  const defaults = chooseDefaultBodies(operations);
  const realtimeEvents = realtimeEventSchemas(doc.components?.schemas ?? {});

  return {
    sha256,
    title: String(doc.info?.title ?? 'OpenAPI'),
    version: String(doc.info?.version ?? 'unknown'),
    operations,
    normalized,
    defaultBodies: defaults.bodies,
    defaultBodiesReport: defaults.report,
    realtimeEvents,
  };
}

const COMPONENT_REF = '#/components/schemas/';

/**
 * Points every component `$ref` at `#/__bundled__/` and gives each operation the components it
 * reaches. Component objects are shared between operations, not copied: `@stoplight/json`'s
 * `bundleTarget` either clones the 3 MB document per operation or, without cloning, rewrites the
 * shared refs for the first operation and leaves the later ones dangling.
 */
export function bundleOperations(operations: PreparedOperation[], components: Record<string, unknown>): PreparedOperation[] {
  const directRefs = new Map<object, Set<string>>();
  let visited = new WeakSet<object>();

  // Rewrites refs in place (idempotent, as subtrees are shared) and notes the names they reach.
  const rewrite = (node: unknown, found: Set<string>): void => {
    if (typeof node !== 'object' || node === null || visited.has(node)) return;
    visited.add(node);
    if (Array.isArray(node)) {
      for (const item of node) rewrite(item, found);
      return;
    }
    const record = node as Record<string, unknown>;
    const ref = record.$ref;
    if (typeof ref === 'string') {
      if (ref.startsWith(COMPONENT_REF)) {
        const name = decodeURIComponent(ref.slice(COMPONENT_REF.length).split('/')[0]!);
        record.$ref = BUNDLE_REF + ref.slice(COMPONENT_REF.length);
        found.add(name);
      } else if (ref.startsWith(BUNDLE_REF)) {
        found.add(decodeURIComponent(ref.slice(BUNDLE_REF.length).split('/')[0]!));
      }
    }
    for (const [key, value] of Object.entries(record)) {
      // Examples and extensions are data; a `$ref` inside them is not a schema reference.
      if (key === 'examples' || key === 'x-oaiMeta') continue;
      rewrite(value, found);
    }
  };

  for (const [name, schema] of Object.entries(components)) {
    if (typeof schema !== 'object' || schema === null) continue;
    const found = new Set<string>();
    visited = new WeakSet();
    rewrite(schema, found);
    directRefs.set(schema, found);
    void name;
  }

  const closure = (start: Set<string>): Set<string> => {
    const all = new Set<string>();
    const queue = [...start];
    while (queue.length > 0) {
      const name = queue.pop()!;
      if (all.has(name)) continue;
      all.add(name);
      const schema = components[name];
      const next = typeof schema === 'object' && schema !== null ? directRefs.get(schema) : undefined;
      if (next) for (const n of next) if (!all.has(n)) queue.push(n);
    }
    return all;
  };

  return operations.map((operation) => {
    const found = new Set<string>();
    const { extensions, ...rest } = operation as PreparedOperation & { extensions?: unknown };
    visited = new WeakSet();
    rewrite(rest, found);
    const names = closure(found);
    const bundled: Record<string, unknown> = {};
    for (const name of [...names].sort()) bundled[name] = components[name];
    return { ...operation, extensions, __bundled__: bundled } as PreparedOperation;
  });
}

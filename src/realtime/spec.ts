import { BUNDLE_REF } from '../openapi/schema/walk';

/**
 * The spec's Realtime client events (`RealtimeClientEvent*`): no operation reaches them, so the
 * prepared spec keeps them apart, with the components they need, for the socket to check each
 * event against its schema.
 */
export interface RealtimeEventSchemas {
  /** Event type (`session.update`) to its component's name. */
  byType: Record<string, string>;
  /** The components those schemas reach, refs pointing at `#/__bundled__/` as operations' do. */
  __bundled__: Record<string, unknown>;
}

const PREFIX = 'RealtimeClientEvent';

function typeOf(schema: unknown): string | undefined {
  const type = (schema as { properties?: { type?: { enum?: unknown[]; const?: unknown } } })?.properties?.type;
  const value = type?.const ?? type?.enum?.[0];
  return typeof value === 'string' ? value : undefined;
}

/** Run after the component refs were rewritten to `#/__bundled__/` (prepare.ts's bundleOperations). */
export function realtimeEventSchemas(components: Record<string, unknown>): RealtimeEventSchemas {
  const byType: Record<string, string> = {};
  for (const [name, schema] of Object.entries(components)) {
    if (!name.startsWith(PREFIX) || name === PREFIX) continue;
    const type = typeOf(schema);
    // The beta events of the same names stay out: the GA schema of a type wins.
    if (type && !(type in byType && name.includes('Beta'))) byType[type] = name;
  }
  const bundled: Record<string, unknown> = {};
  const queue = Object.values(byType);
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (name in bundled || !(name in components)) continue;
    bundled[name] = components[name];
    collectRefs(components[name], (ref) => queue.push(ref));
  }
  return { byType, __bundled__: bundled };
}

function collectRefs(node: unknown, found: (name: string) => void, seen = new Set<object>()): void {
  if (typeof node !== 'object' || node === null || seen.has(node)) return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, found, seen);
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith(BUNDLE_REF)) found(decodeURIComponent(value.slice(BUNDLE_REF.length).split('/')[0]!));
    else if (key !== 'examples' && key !== 'x-oaiMeta') collectRefs(value, found, seen);
  }
}

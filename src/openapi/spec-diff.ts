import { createHash } from 'node:crypto';

/**
 * What changed between two versions of the spec, per operation: added, removed, and whether the
 * request or the success response schemas changed. Words alone (descriptions, titles, examples,
 * `x-` extensions) do not count: the spec rewords itself often, and the table is for what a
 * client or the mock would notice.
 */

export interface OperationChange {
  /** `POST /chat/completions`. */
  key: string;
  operationId?: string;
  change: 'added' | 'removed' | 'changed';
  request?: boolean;
  response?: boolean;
}

export interface SpecDiff {
  before: number;
  after: number;
  changes: OperationChange[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const WORDS = new Set(['description', 'title', 'summary', 'example', 'examples', 'deprecated_message', 'externalDocs']);
const COMPONENT_REF = '#/components/schemas/';

type Doc = Record<string, any>;

interface Digest {
  operationId?: string;
  request: string;
  response: string;
}

/** Keys whose children are names chosen by the schema (a property called `description` is a field, not words). */
const NAMED_CHILDREN = new Set(['properties', 'patternProperties', '$defs', 'definitions']);

/** A schema's own content, without words, keys sorted, with its `$ref`s kept as names (collected in `refs`). */
function ownText(node: unknown, refs: Set<string>): string {
  const canon = (value: unknown, named: boolean): unknown => {
    if (Array.isArray(value)) return value.map((item) => canon(item, false));
    if (!value || typeof value !== 'object') return value;
    const record = value as Record<string, unknown>;
    if (!named && typeof record.$ref === 'string' && record.$ref.startsWith(COMPONENT_REF)) {
      refs.add(decodeURIComponent(record.$ref.slice(COMPONENT_REF.length).split('/')[0]!));
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) {
      if (!named && (WORDS.has(key) || key.startsWith('x-'))) continue;
      out[key] = canon(record[key], !named && NAMED_CHILDREN.has(key));
    }
    return out;
  };
  return JSON.stringify(canon(node, false)) ?? 'null';
}

const sha = (text: string) => createHash('sha1').update(text).digest('hex');

/** Digests of each operation's request and success-response schemas, with every component they reach. */
function digests(doc: Doc): Map<string, Digest> {
  const components: Record<string, unknown> = doc.components?.schemas ?? {};
  const own = new Map<string, { hash: string; refs: Set<string> }>();
  const componentOwn = (name: string) => {
    let entry = own.get(name);
    if (!entry) {
      const refs = new Set<string>();
      entry = { hash: sha(ownText(components[name] ?? null, refs)), refs };
      own.set(name, entry);
    }
    return entry;
  };
  // Cycles are fine: a schema's digest is its own text plus the own texts of everything it reaches.
  const digestOf = (schemas: unknown[]): string => {
    const refs = new Set<string>();
    const parts = [ownText(schemas, refs)];
    const seen = new Set<string>();
    const queue = [...refs];
    while (queue.length > 0) {
      const name = queue.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const entry = componentOwn(name);
      for (const next of entry.refs) if (!seen.has(next)) queue.push(next);
    }
    for (const name of [...seen].sort()) parts.push(`${name}:${componentOwn(name).hash}`);
    return sha(parts.join('\n'));
  };

  const result = new Map<string, Digest>();
  for (const [path, item] of Object.entries<Doc>(doc.paths ?? {})) {
    if (!item || typeof item !== 'object') continue;
    for (const method of METHODS) {
      const operation = item[method] as Doc | undefined;
      if (!operation) continue;
      const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])];
      const requestBodies = Object.values<Doc>(operation.requestBody?.content ?? {}).map((c) => c?.schema);
      const successes = Object.entries<Doc>(operation.responses ?? {})
        .filter(([status]) => /^2/.test(status))
        .flatMap(([, response]) => Object.values<Doc>(response?.content ?? {}).map((c) => c?.schema));
      result.set(`${method.toUpperCase()} ${path}`, {
        operationId: operation.operationId,
        request: digestOf([parameters, requestBodies]),
        response: digestOf(successes),
      });
    }
  }
  return result;
}

export function diffSpecs(before: Doc | undefined, after: Doc): SpecDiff {
  const old = before ? digests(before) : new Map<string, Digest>();
  const now = digests(after);
  const changes: OperationChange[] = [];
  for (const [key, digest] of now) {
    const was = old.get(key);
    if (!was) changes.push({ key, operationId: digest.operationId, change: 'added' });
    else if (was.request !== digest.request || was.response !== digest.response) {
      changes.push({ key, operationId: digest.operationId, change: 'changed', request: was.request !== digest.request, response: was.response !== digest.response });
    }
  }
  for (const [key, digest] of old) if (!now.has(key)) changes.push({ key, operationId: digest.operationId, change: 'removed' });
  const order = { added: 0, removed: 1, changed: 2 };
  changes.sort((a, b) => order[a.change] - order[b.change] || a.key.localeCompare(b.key));
  return { before: old.size, after: now.size, changes };
}

/** The short table `spec update` prints; at most `limit` rows, then how many more. */
export function formatDiff(diff: SpecDiff, limit = 40): string[] {
  const counts = (kind: OperationChange['change']) => diff.changes.filter((c) => c.change === kind).length;
  const lines = [`operations: ${diff.before} -> ${diff.after} (${counts('added')} added, ${counts('removed')} removed, ${counts('changed')} with changed schemas)`];
  if (diff.changes.length === 0) return lines;
  const rows = diff.changes.slice(0, limit).map((c) => [
    c.change,
    c.operationId ? `${c.key} (${c.operationId})` : c.key,
    c.change === 'changed' ? (c.request ? 'changed' : '-') : '',
    c.change === 'changed' ? (c.response ? 'changed' : '-') : '',
  ]);
  const header = ['', 'operation', 'request', 'response'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => '  ' + cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  lines.push(line(header), ...rows.map(line));
  if (diff.changes.length > limit) lines.push(`  ... and ${diff.changes.length - limit} more`);
  return lines;
}

import type { PreparedOperation } from '../openapi/prepare';

/**
 * Finds the operations an override's key names: an operationId, `"METHOD /path"` (with or without
 * `/v1`, parameter names free), or `"*"`. A key that names nothing is a mistake the user should
 * hear about when the override loads, with the nearest name there is.
 */

const ROUTE = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\/\S*)$/i;

/** `/v1/files/{id}/content?beta=true` -> `/files/{}/content`: the shape a route key is compared by. */
function routeShape(path: string): string {
  const bare = path.split('?')[0]!.replace(/^\/v1(?=\/|$)/, '').replace(/\/+$/, '');
  return (bare || '/').replace(/\{[^}]*\}/g, '{}');
}

export interface OperationIndex {
  /** The operationIds the key names; `'*'` for all; undefined when it names nothing. */
  resolve(key: string): ReadonlySet<string> | '*' | undefined;
  /** The known key closest to a mistaken one, for "did you mean". */
  nearest(key: string): string | undefined;
}

export function indexOperations(operations: readonly PreparedOperation[]): OperationIndex {
  const ids = new Set(operations.map((o) => o.iid));
  const routes = new Map<string, Set<string>>();
  const routeNames = new Set<string>();
  for (const operation of operations) {
    const method = operation.method.toUpperCase();
    const key = `${method} ${routeShape(operation.path)}`;
    routeNames.add(`${method} ${operation.path.split('?')[0]}`);
    let set = routes.get(key);
    if (!set) routes.set(key, (set = new Set()));
    set.add(operation.iid);
  }
  return {
    resolve(key) {
      const trimmed = key.trim();
      if (trimmed === '*') return '*';
      const route = ROUTE.exec(trimmed);
      if (route) return routes.get(`${route[1]!.toUpperCase()} ${routeShape(route[2]!)}`);
      return ids.has(trimmed) ? new Set([trimmed]) : undefined;
    },
    nearest(key) {
      const candidates = ROUTE.test(key.trim()) ? routeNames : ids;
      let best: string | undefined;
      let bestDistance = Infinity;
      for (const candidate of candidates) {
        const distance = editDistance(key.trim().toLowerCase(), candidate.toLowerCase());
        if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
      }
      return bestDistance <= Math.max(3, Math.floor(key.length / 3)) ? best : undefined;
    },
  };
}

/** Levenshtein distance, two rows. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

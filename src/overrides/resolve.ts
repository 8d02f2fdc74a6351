import { nearest } from '../util/nearest';
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
      return nearest(key, ROUTE.test(key.trim()) ? routeNames : ids);
    },
  };
}

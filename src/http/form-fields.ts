/**
 * Assembles `key[sub][]=value` pairs (the SDK's query and form-field format) into objects and
 * arrays, without ever writing a key that could reach an object's prototype.
 */

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

type Tree = Record<string, unknown>;

function splitKey(key: string): string[] | undefined {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) return [key];
  const parts = [match[1]!];
  for (const m of match[2]!.matchAll(/\[([^[\]]*)\]/g)) parts.push(m[1]!);
  return parts;
}

export function assembleFields(pairs: Iterable<[string, unknown]>): Record<string, unknown> {
  const root: Tree = {};
  for (const [rawKey, value] of pairs) {
    const parts = splitKey(rawKey)!;
    if (parts.some((p) => UNSAFE_KEYS.has(p))) continue;
    let node: Tree | unknown[] = root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const last = i === parts.length - 1;
      const nextIsArray = !last && parts[i + 1] === '';
      if (Array.isArray(node)) {
        if (last) {
          node.push(value);
          break;
        }
        const child: Tree | unknown[] = nextIsArray ? [] : {};
        node.push(child);
        node = child;
        continue;
      }
      if (part === '') continue;
      if (last) {
        const existing = node[part];
        if (existing === undefined) node[part] = value;
        else if (Array.isArray(existing)) existing.push(value);
        else node[part] = [existing, value];
        break;
      }
      let child = node[part];
      if (typeof child !== 'object' || child === null) {
        child = nextIsArray ? [] : {};
        node[part] = child;
      }
      node = child as Tree | unknown[];
    }
  }
  return root;
}

export function parseQuery(search: URLSearchParams): Record<string, unknown> {
  return assembleFields(search.entries());
}

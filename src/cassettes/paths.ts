/** `a.b.0.c` paths; `*` stands for any key or index. */
export function splitPath(path: string): string[] {
  return path.split('.').filter(Boolean);
}

/** Calls `at` on every value a path names (the parent and the last segment), creating nothing. */
export function visitPath(root: unknown, segments: readonly string[], at: (parent: Record<string, unknown>, key: string) => void): void {
  if (typeof root !== 'object' || root === null || segments.length === 0) return;
  const [head, ...rest] = segments;
  const keys = head === '*' ? Object.keys(root) : [head!];
  for (const key of keys) {
    if (!(key in root)) continue;
    if (rest.length === 0) at(root as Record<string, unknown>, key);
    else visitPath((root as Record<string, unknown>)[key], rest, at);
  }
}

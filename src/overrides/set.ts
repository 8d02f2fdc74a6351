import type { PreparedOperation } from '../openapi/prepare';
import { ConfigError } from '../config/errors';
import { indexOperations } from './resolve';
import type { AnyOverride } from './types';

/** An override with where it came from, for log lines and error messages. */
export interface LoadedOverride {
  override: AnyOverride;
  /** e.g. `overrides/hello.ts` or `mock.config.ts: overrides[1]`, plus the override's name. */
  label: string;
}

export interface CompiledOverride {
  label: string;
  match?: (request: unknown) => boolean | Promise<boolean>;
  response: AnyOverride['response'];
}

/** The overrides in force, ready to be looked up per operation. Never changed once built. */
export interface OverrideSet {
  readonly size: number;
  forOperation(operationId: string): readonly CompiledOverride[];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Checks every override and finds its operations; throws a `ConfigError` naming the first bad one. */
export function compileOverrides(loaded: readonly LoadedOverride[], operations: readonly PreparedOperation[]): OverrideSet {
  const index = indexOperations(operations);
  const entries: { compiled: CompiledOverride; ids: ReadonlySet<string> | '*' }[] = [];
  for (const { override, label } of loaded) {
    if (typeof override !== 'object' || override === null) {
      throw new ConfigError(`${label}: an override must be an object { operation, response }, got ${describe(override)}`);
    }
    const { operation, match, response } = override;
    if (typeof operation !== 'string' || operation.trim() === '') {
      throw new ConfigError(`${label}: "operation" must name an operation (an operationId like "createChatCompletion", or "POST /chat/completions"), got ${describe(operation)}`);
    }
    if (match !== undefined && typeof match !== 'function') throw new ConfigError(`${label}: "match" must be a function of the request, got ${describe(match)}`);
    if (typeof response !== 'function' && (typeof response !== 'object' || response === null || Array.isArray(response))) {
      throw new ConfigError(`${label}: "response" must be a function or a replacement { status, headers, body }, got ${describe(response)}`);
    }
    const ids = index.resolve(operation);
    if (!ids || (ids !== '*' && ids.size === 0)) {
      const nearest = index.nearest(operation);
      throw new ConfigError(`${label}: the spec has no operation "${operation}"${nearest ? ` (did you mean "${nearest}"?)` : ''}`);
    }
    entries.push({ compiled: { label, match: match as CompiledOverride['match'], response }, ids });
  }

  const perOperation = new Map<string, readonly CompiledOverride[]>();
  return {
    size: entries.length,
    forOperation(operationId) {
      let list = perOperation.get(operationId);
      if (!list) {
        list = entries.filter((e) => e.ids === '*' || e.ids.has(operationId)).map((e) => e.compiled);
        perOperation.set(operationId, list);
      }
      return list;
    },
  };
}

export const EMPTY_SET: OverrideSet = { size: 0, forOperation: () => [] };

/** Overrides given in code, labelled for log lines like those from files. */
export function labelled(overrides: readonly AnyOverride[] | undefined, origin = 'overrides'): LoadedOverride[] {
  return (overrides ?? []).map((override, i) => ({
    override,
    label: `${origin}[${i}]${typeof override?.name === 'string' && override.name ? ` (${override.name})` : ''}`,
  }));
}

import { distributionProblem } from './distribution';
import { PROFILES } from './profiles';
import type { LatencyModel, LatencyTable } from './table';

export type { LatencyModel, LatencyTable };

/** The `latency` option: a profile name (`fast`, `realistic`) or a table. */
export type LatencyConfig = string | LatencyTable;

const FIELDS = ['ttftMs', 'interTokenMs', 'tokensPerSecond', 'totalMs'] as const;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const PROFILE_NAMES = (): string[] => Object.keys(PROFILES);

function modelProblem(value: unknown, where: string): string | undefined {
  if (!isRecord(value)) return `${where} must be an object { ttftMs, interTokenMs, tokensPerSecond, totalMs }`;
  for (const [key, field] of Object.entries(value)) {
    if (!(FIELDS as readonly string[]).includes(key)) return `${where} has an unknown key "${key}" (known: ${FIELDS.join(', ')})`;
    const problem = distributionProblem(field);
    if (problem) return `${where}.${key} ${problem}`;
    if (key === 'tokensPerSecond' && typeof field === 'number' && field <= 0) return `${where}.tokensPerSecond must be above 0`;
  }
  return undefined;
}

/** Why a `latency` value is wrong, or undefined. */
export function latencyProblem(value: unknown): string | undefined {
  if (typeof value === 'string') return value in PROFILES ? undefined : `unknown latency profile "${value}" (known: ${PROFILE_NAMES().join(', ')})`;
  if (!isRecord(value)) return 'must be a profile name or a table { profile, default, operations, models }';
  for (const [key, part] of Object.entries(value)) {
    if (key === 'profile') {
      if (typeof part !== 'string' || !(part in PROFILES)) return `latency.profile must be one of ${PROFILE_NAMES().join(', ')}`;
    } else if (key === 'default') {
      const problem = modelProblem(part, 'latency.default');
      if (problem) return problem;
    } else if (key === 'operations' || key === 'models') {
      if (!isRecord(part)) return `latency.${key} must be an object`;
      for (const [name, model] of Object.entries(part)) {
        const problem = modelProblem(model, `latency.${key}["${name}"]`);
        if (problem) return problem;
      }
    } else return `latency has an unknown key "${key}" (known: profile, default, operations, models)`;
  }
  return undefined;
}

/** A checked config as one flat table (a profile name, or a table on top of its profile). */
export function tableOf(config: LatencyConfig | undefined): LatencyTable | undefined {
  if (config === undefined) return undefined;
  if (typeof config === 'string') return PROFILES[config];
  const base = config.profile ? PROFILES[config.profile] : undefined;
  if (!base) return config;
  return {
    default: { ...base.default, ...config.default },
    operations: mergeEach(base.operations, config.operations),
    models: mergeEach(base.models, config.models),
  };
}

function mergeEach(base: Record<string, LatencyModel> = {}, over: Record<string, LatencyModel> = {}): Record<string, LatencyModel> {
  const merged: Record<string, LatencyModel> = { ...base };
  for (const [name, model] of Object.entries(over)) merged[name] = { ...base[name], ...model };
  return merged;
}

/** A table that delays nothing (the `fast` profile) needs no step at all. */
export function isEmptyTable(table: LatencyTable | undefined): boolean {
  if (!table) return true;
  const empty = (model: LatencyModel | undefined) => !model || FIELDS.every((f) => model[f] === undefined);
  return empty(table.default) && Object.values(table.operations ?? {}).every(empty) && Object.values(table.models ?? {}).every(empty);
}

function modelEntry(models: Record<string, LatencyModel> | undefined, model: string | undefined): LatencyModel | undefined {
  if (!models || !model) return undefined;
  if (models[model]) return models[model];
  // A fine-tune (`ft:gpt-4o-mini:org::id`) runs at its base model's speed.
  const id = model.startsWith('ft:') ? model.slice(3) : model;
  let best: string | undefined;
  for (const key of Object.keys(models)) if (id.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  return best === undefined ? undefined : models[best];
}

/** The model of one answer: default, then its operation's, then its model's, field by field. */
export function modelFor(table: LatencyTable, operationId: string, model: string | undefined): LatencyModel {
  return { ...table.default, ...table.operations?.[operationId], ...modelEntry(table.models, model) };
}

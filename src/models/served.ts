import { MODELS } from './catalogue';
import { sharedText } from '../pipeline/text-answer';

/**
 * The models one server answers for: the built-in catalogue, or the config's `models` in its
 * place or on top of it. Deleting a fine-tune removes it for the rest of the server's life, as the
 * API forgets a deleted model.
 */

/** A model as `GET /v1/models` lists it. */
export interface ServedModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  shutdown_date?: string | null;
}

/** A config entry: an id alone, or the fields to answer. */
export type ModelEntry = string | { id: string; owned_by?: string; created?: number; shutdown_date?: string | null };

/** `models: [...]` replaces the catalogue; `models: { extend, remove }` changes the built-in one. */
export type ModelsConfig = readonly ModelEntry[] | { extend?: readonly ModelEntry[]; remove?: readonly string[] };

/** Whose models cannot be deleted: OpenAI's own `owned_by` values. */
const OPENAI_OWNERS = new Set(['system', 'openai', 'openai-internal']);
/** For a configured model of the user's own: the owner the API shows for an organisation's fine-tunes. */
const DEFAULT_OWNER = 'organization-owner';
/** 2025-01-01T00:00:00Z: a configured model's `created`, fixed so that answers stay the same run to run. */
const DEFAULT_CREATED = 1735689600;
// `gpt-4o-2024-08-06`, `gpt-4-0613`: dated snapshots the API lists beside their family.
const SNAPSHOT = /^(.+)-(\d{4}-\d{2}-\d{2}|\d{4})$/;
// `ft:gpt-4o-mini:acemeco:suffix:abc123`: a fine-tune of a base model (org and suffix may be empty).
const FINE_TUNE = /^ft:([^:]+):[^:]*:[^:]*:[^:]+$/;

const isEntry = (value: unknown): boolean => {
  if (typeof value === 'string') return value !== '';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { id, owned_by, created, shutdown_date, ...rest } = value as Record<string, unknown>;
  return (
    Object.keys(rest).length === 0 &&
    typeof id === 'string' && id !== '' &&
    (owned_by === undefined || typeof owned_by === 'string') &&
    (created === undefined || (Number.isInteger(created) && (created as number) >= 0)) &&
    (shutdown_date === undefined || shutdown_date === null || typeof shutdown_date === 'string')
  );
};

/** Checks a config's `models` value (the options table's check). */
export function isModelsConfig(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isEntry);
  if (typeof value !== 'object' || value === null) return false;
  const { extend, remove, ...rest } = value as Record<string, unknown>;
  return (
    Object.keys(rest).length === 0 &&
    (extend === undefined || (Array.isArray(extend) && extend.every(isEntry))) &&
    (remove === undefined || (Array.isArray(remove) && remove.every((id) => typeof id === 'string')))
  );
}

export const BUILT_IN: readonly ServedModel[] = MODELS.map(({ id, created, owned_by }) => ({ id, object: 'model', created, owned_by }));

export type DeleteOutcome = 'deleted' | 'not_found' | 'not_owned';

export class ModelCatalogue {
  private readonly byId: Map<string, ServedModel>;
  private readonly deleted = new Set<string>();
  /** The list's JSON, until the catalogue changes (see `listJson`). */
  private listed: Buffer | undefined;

  /**
   * `anyFineTune`: a fine-tune of one of the catalogue's models (`ft:gpt-4o-mini:org::id`) exists
   * without being listed, as the organisation's own, until deleted; so code that manages
   * fine-tunes runs without configuring each. Off for `--strict-models`, where only listed ones do.
   */
  constructor(models: readonly ServedModel[], private readonly anyFineTune = false) {
    this.byId = new Map(models.map((m) => [m.id, m]));
  }

  list(): ServedModel[] {
    return [...this.byId.values()];
  }

  /**
   * `{"object":"list","data":[...]}` as sent, serialised once per change: the list is some 5 KB,
   * and serialising it took a quarter of the time of answering `GET /models`.
   */
  listJson(): Buffer {
    return (this.listed ??= sharedText(Buffer.from(JSON.stringify({ object: 'list', data: this.list() }))));
  }

  /** The entry, or for a dated snapshot of one of OpenAI's models, the snapshot with its family's owner and date. */
  get(id: string): ServedModel | undefined {
    const exact = this.byId.get(id);
    if (exact) return exact;
    const snapshot = SNAPSHOT.exec(id);
    const family = snapshot ? this.byId.get(snapshot[1]!) : undefined;
    if (family && OPENAI_OWNERS.has(family.owned_by)) return { ...family, id };
    const fineTune = this.anyFineTune && !this.deleted.has(id) ? FINE_TUNE.exec(id) : null;
    if (fineTune && this.get(fineTune[1]!)) return { id, object: 'model', created: DEFAULT_CREATED, owned_by: DEFAULT_OWNER };
    return undefined;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Only the organisation's own models (fine-tunes) can be deleted; OpenAI's cannot. */
  delete(id: string): DeleteOutcome {
    const model = this.get(id);
    if (!model) return 'not_found';
    if (OPENAI_OWNERS.has(model.owned_by)) return 'not_owned';
    this.byId.delete(id);
    this.deleted.add(id);
    this.listed = undefined;
    return 'deleted';
  }
}

function served(entry: ModelEntry, base?: ServedModel): ServedModel {
  const given = typeof entry === 'string' ? { id: entry } : entry;
  const model: ServedModel = {
    id: given.id,
    object: 'model',
    created: given.created ?? base?.created ?? DEFAULT_CREATED,
    owned_by: given.owned_by ?? base?.owned_by ?? DEFAULT_OWNER,
  };
  const shutdown = given.shutdown_date !== undefined ? given.shutdown_date : base?.shutdown_date;
  if (shutdown !== undefined) model.shutdown_date = shutdown;
  return model;
}

/**
 * The catalogue a server starts with. An entry naming a built-in model keeps that model's fields
 * unless it gives its own, in both forms, so `models: ['gpt-4o']` answers gpt-4o's real `created`.
 */
export function buildCatalogue(config?: ModelsConfig, options: { anyFineTune?: boolean } = {}): ModelCatalogue {
  const builtIn = new Map(BUILT_IN.map((m) => [m.id, m]));
  const idOf = (entry: ModelEntry) => (typeof entry === 'string' ? entry : entry.id);
  const { anyFineTune } = options;
  if (config === undefined) return new ModelCatalogue(BUILT_IN, anyFineTune);
  if (Array.isArray(config)) return new ModelCatalogue((config as readonly ModelEntry[]).map((e) => served(e, builtIn.get(idOf(e)))), anyFineTune);
  const { extend = [], remove = [] } = config as { extend?: readonly ModelEntry[]; remove?: readonly string[] };
  const models = new Map(builtIn);
  for (const id of remove) models.delete(id);
  for (const entry of extend) models.set(idOf(entry), served(entry, builtIn.get(idOf(entry))));
  return new ModelCatalogue([...models.values()], anyFineTune);
}

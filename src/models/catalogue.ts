/**
 * OpenAI's public models as `GET /v1/models` lists them (`id`, `created`, `owned_by` as the API
 * gives them), with the limits the mock enforces: the context window, the most output tokens a
 * response may have, and the size of an embedding. Dated snapshots and fine-tunes take their
 * family's limits (`gpt-4o-2024-08-06` is a `gpt-4o`); other names get `DEFAULT_LIMITS`.
 */

export type ModelKind =
  | 'chat'
  | 'reasoning'
  | 'completion'
  | 'embedding'
  | 'image'
  | 'speech'
  | 'transcription'
  | 'moderation'
  | 'realtime';

export interface ModelLimits {
  /** Tokens of input plus output the model takes in one request. */
  contextWindow: number;
  /** The most tokens one answer (one choice) may have. */
  maxOutputTokens: number;
  /** Embedding models: the size of a vector, and the largest `dimensions` accepted. */
  embeddingDimensions?: number;
  /** Embedding models: whether `dimensions` may be given at all (not for `text-embedding-ada-002`). */
  dimensionsConfigurable?: boolean;
}

export interface CatalogueModel extends ModelLimits {
  id: string;
  object: 'model';
  /** Unix seconds, as the API reports it. */
  created: number;
  owned_by: string;
  kind: ModelKind;
}

export interface ModelLookup {
  /** The catalogue entry whose limits apply (the family's for a snapshot, a default otherwise). */
  model: CatalogueModel;
  /** `exact`: the id is in the catalogue; `family`: a snapshot or fine-tune of one; `default`: unknown. */
  match: 'exact' | 'family' | 'default';
}

/** For a model the catalogue does not know: a current chat model's limits (GPT-4o's). */
export const DEFAULT_LIMITS: Readonly<ModelLimits> = Object.freeze({ contextWindow: 128_000, maxOutputTokens: 16_384 });

type Row = [id: string, created: number, owned_by: string, kind: ModelKind, contextWindow: number, maxOutputTokens: number, dimensions?: number];

// Limits from OpenAI's model pages; media models (images, speech) have no token budget worth the
// name, so their rows carry the text limits of their prompt.
const ROWS: Row[] = [
  ['gpt-5', 1754425777, 'system', 'reasoning', 400_000, 128_000],
  ['gpt-5-mini', 1754425928, 'system', 'reasoning', 400_000, 128_000],
  ['gpt-5-nano', 1754426384, 'system', 'reasoning', 400_000, 128_000],
  ['gpt-5-pro', 1759469822, 'system', 'reasoning', 400_000, 272_000],
  ['gpt-5-codex', 1757527818, 'system', 'reasoning', 400_000, 128_000],
  ['gpt-5-chat-latest', 1754073306, 'system', 'chat', 128_000, 16_384],
  ['gpt-5-search-api', 1759514629, 'system', 'chat', 128_000, 16_384],
  ['gpt-4.1', 1744316542, 'system', 'chat', 1_047_576, 32_768],
  ['gpt-4.1-mini', 1744318173, 'system', 'chat', 1_047_576, 32_768],
  ['gpt-4.1-nano', 1744321707, 'system', 'chat', 1_047_576, 32_768],
  ['gpt-4o', 1715367049, 'system', 'chat', 128_000, 16_384],
  ['gpt-4o-mini', 1721172741, 'system', 'chat', 128_000, 16_384],
  ['chatgpt-4o-latest', 1723515131, 'system', 'chat', 128_000, 16_384],
  ['gpt-4o-audio-preview', 1727460443, 'system', 'chat', 128_000, 16_384],
  ['gpt-4o-mini-audio-preview', 1734387424, 'system', 'chat', 128_000, 16_384],
  ['gpt-4o-search-preview', 1741388720, 'system', 'chat', 128_000, 16_384],
  ['gpt-4o-mini-search-preview', 1741391161, 'system', 'chat', 128_000, 16_384],
  ['gpt-audio', 1756339249, 'system', 'chat', 128_000, 16_384],
  ['gpt-audio-mini', 1759512027, 'system', 'chat', 128_000, 16_384],
  ['gpt-4.5-preview', 1740623059, 'system', 'chat', 128_000, 16_384],
  ['gpt-4-turbo', 1712361441, 'system', 'chat', 128_000, 4_096],
  ['gpt-4-turbo-preview', 1706037777, 'system', 'chat', 128_000, 4_096],
  ['gpt-4', 1687882411, 'openai', 'chat', 8_192, 8_192],
  ['gpt-3.5-turbo', 1677610602, 'openai', 'chat', 16_385, 4_096],
  ['gpt-3.5-turbo-16k', 1683758102, 'openai-internal', 'chat', 16_385, 4_096],
  ['o1', 1734375816, 'system', 'reasoning', 200_000, 100_000],
  ['o1-mini', 1725649008, 'system', 'reasoning', 128_000, 65_536],
  ['o1-pro', 1742251791, 'system', 'reasoning', 200_000, 100_000],
  ['o3', 1744225308, 'system', 'reasoning', 200_000, 100_000],
  ['o3-mini', 1737146383, 'system', 'reasoning', 200_000, 100_000],
  ['o3-pro', 1748475349, 'system', 'reasoning', 200_000, 100_000],
  ['o3-deep-research', 1749840121, 'system', 'reasoning', 200_000, 100_000],
  ['o4-mini', 1744225351, 'system', 'reasoning', 200_000, 100_000],
  ['o4-mini-deep-research', 1749685485, 'system', 'reasoning', 200_000, 100_000],
  ['codex-mini-latest', 1746673257, 'system', 'reasoning', 200_000, 100_000],
  ['computer-use-preview', 1734655677, 'system', 'chat', 8_192, 1_024],
  ['gpt-3.5-turbo-instruct', 1692901427, 'system', 'completion', 4_096, 4_096],
  ['davinci-002', 1692634301, 'system', 'completion', 16_384, 16_384],
  ['babbage-002', 1692634615, 'system', 'completion', 16_384, 16_384],
  ['text-embedding-3-small', 1705948997, 'system', 'embedding', 8_192, 0, 1_536],
  ['text-embedding-3-large', 1705953180, 'system', 'embedding', 8_192, 0, 3_072],
  ['text-embedding-ada-002', 1671217299, 'openai-internal', 'embedding', 8_192, 0, 1_536],
  ['dall-e-2', 1698798177, 'system', 'image', 1_000, 0],
  ['dall-e-3', 1698785189, 'system', 'image', 4_000, 0],
  ['gpt-image-1', 1745517030, 'system', 'image', 32_000, 0],
  ['gpt-image-1-mini', 1758845821, 'system', 'image', 32_000, 0],
  ['whisper-1', 1677532384, 'openai-internal', 'transcription', 448, 448],
  ['gpt-4o-transcribe', 1742068463, 'system', 'transcription', 16_000, 2_000],
  ['gpt-4o-mini-transcribe', 1742068596, 'system', 'transcription', 16_000, 2_000],
  ['gpt-4o-transcribe-diarize', 1750798887, 'system', 'transcription', 16_000, 2_000],
  ['tts-1', 1681940951, 'openai-internal', 'speech', 4_096, 0],
  ['tts-1-hd', 1699046015, 'system', 'speech', 4_096, 0],
  ['gpt-4o-mini-tts', 1742403959, 'system', 'speech', 2_000, 0],
  ['omni-moderation-latest', 1731689265, 'system', 'moderation', 32_768, 0],
  ['text-moderation-latest', 1687882411, 'openai-internal', 'moderation', 32_768, 0],
  ['gpt-4o-realtime-preview', 1727659998, 'system', 'realtime', 128_000, 4_096],
  ['gpt-4o-mini-realtime-preview', 1734387380, 'system', 'realtime', 128_000, 4_096],
  ['gpt-realtime', 1756271701, 'system', 'realtime', 32_000, 4_096],
  ['gpt-realtime-mini', 1759517133, 'system', 'realtime', 32_000, 4_096],
];

function entry([id, created, owned_by, kind, contextWindow, maxOutputTokens, dimensions]: Row): CatalogueModel {
  const model: CatalogueModel = { id, object: 'model', created, owned_by, kind, contextWindow, maxOutputTokens };
  if (dimensions !== undefined) {
    model.embeddingDimensions = dimensions;
    model.dimensionsConfigurable = id.startsWith('text-embedding-3');
  }
  return Object.freeze(model);
}

/** Every model of the catalogue, newest families first. */
export const MODELS: readonly CatalogueModel[] = Object.freeze(ROWS.map(entry));

const BY_ID = new Map(MODELS.map((m) => [m.id, m]));
// Longest first, so that `gpt-4o-mini-2024-07-18` is a `gpt-4o-mini` before it is a `gpt-4o`.
const FAMILIES = [...MODELS].sort((a, b) => b.id.length - a.id.length);

const DEFAULT_MODEL: CatalogueModel = Object.freeze({
  id: 'default',
  object: 'model',
  created: 1715367049,
  owned_by: 'system',
  kind: 'chat',
  ...DEFAULT_LIMITS,
});

// Unknown names come from requests: the memo is bounded so that random names cannot grow it.
const memo = new Map<string, ModelLookup>();
const MEMO_SIZE = 512;

/**
 * The catalogue entry for a model id: the exact one, else the family of a snapshot
 * (`gpt-4o-2024-08-06`) or a fine-tune (`ft:gpt-4o-mini:org::id`), else a default with
 * `DEFAULT_LIMITS`. Cheap: a map hit for known ids, memoised for the rest.
 */
export function lookupModel(id: string): ModelLookup {
  const exact = BY_ID.get(id);
  if (exact) return { model: exact, match: 'exact' };
  const known = memo.get(id);
  if (known) return known;
  const base = id.startsWith('ft:') ? id.slice(3).split(':')[0]! : id;
  const family = BY_ID.get(base) ?? FAMILIES.find((m) => base.startsWith(`${m.id}-`));
  const found: ModelLookup = family ? { model: family, match: 'family' } : { model: DEFAULT_MODEL, match: 'default' };
  if (memo.size >= MEMO_SIZE) memo.clear();
  memo.set(id, found);
  return found;
}

/** The limits that apply to a model id (a request's `model`, which may be anything). */
export function modelLimits(id: unknown): ModelLimits {
  return typeof id === 'string' ? lookupModel(id).model : DEFAULT_LIMITS;
}

/**
 * Vector store search without embeddings: files are cut into chunks as the static chunking
 * strategy says (`max_chunk_size_tokens`, `chunk_overlap_tokens`; a token is approximated by a
 * word here), and chunks are ranked lexically:
 *
 *   score = (query terms found in the chunk / distinct query terms) * 0.8
 *         + (share of the chunk's words that are query terms, capped at 1) * 0.2
 *
 * Terms are lower-cased runs of letters and digits. A chunk with no query term scores 0 and is
 * not returned; ties keep file order, then chunk order. Scores stay within 0..1 as the API's do,
 * so `ranking_options.score_threshold` means what it says.
 */

export interface Chunking {
  max: number;
  overlap: number;
}

/** The API's default: `auto` is 800 tokens with 400 of overlap. */
export const DEFAULT_CHUNKING: Chunking = { max: 800, overlap: 400 };

export function chunkingOf(strategy: unknown): Chunking {
  const s = strategy as { type?: string; static?: { max_chunk_size_tokens?: number; chunk_overlap_tokens?: number } } | undefined;
  if (s?.type !== 'static' || !s.static) return DEFAULT_CHUNKING;
  const max = Math.max(1, s.static.max_chunk_size_tokens ?? DEFAULT_CHUNKING.max);
  const overlap = Math.min(Math.max(0, s.static.chunk_overlap_tokens ?? 0), Math.floor(max / 2));
  return { max, overlap };
}

/** The chunking strategy as a vector store file reports it. */
export function chunkingResponse(chunking: Chunking) {
  return { type: 'static', static: { max_chunk_size_tokens: chunking.max, chunk_overlap_tokens: chunking.overlap } };
}

export function chunk(text: string, chunking: Chunking): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const chunks: string[] = [];
  const stride = Math.max(1, chunking.max - chunking.overlap);
  for (let start = 0; start < words.length; start += stride) {
    chunks.push(words.slice(start, start + chunking.max).join(' '));
    if (start + chunking.max >= words.length) break;
  }
  return chunks;
}

export const terms = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

export function score(query: readonly string[], chunkText: string): number {
  const wanted = new Set(query.flatMap(terms));
  if (wanted.size === 0) return 0;
  const words = terms(chunkText);
  if (words.length === 0) return 0;
  const present = new Set(words.filter((w) => wanted.has(w)));
  if (present.size === 0) return 0;
  const density = Math.min(1, words.filter((w) => wanted.has(w)).length / words.length);
  return Math.round(((present.size / wanted.size) * 0.8 + density * 0.2) * 1e6) / 1e6;
}

type Attributes = Record<string, string | number | boolean> | null | undefined;

/** The API's attribute filters: comparisons (`eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `in`, `nin`) and `and`/`or` of them. */
export function matchesFilter(filter: unknown, attributes: Attributes): boolean {
  if (!filter || typeof filter !== 'object') return true;
  const f = filter as { type?: string; key?: string; value?: unknown; filters?: unknown[] };
  if (f.type === 'and') return (f.filters ?? []).every((x) => matchesFilter(x, attributes));
  if (f.type === 'or') return (f.filters ?? []).some((x) => matchesFilter(x, attributes));
  const actual = f.key === undefined ? undefined : attributes?.[f.key];
  const value = f.value;
  switch (f.type ?? 'eq') {
    case 'eq':
      return actual === value;
    case 'ne':
      return actual !== value;
    case 'gt':
      return actual !== undefined && (actual as number) > (value as number);
    case 'gte':
      return actual !== undefined && (actual as number) >= (value as number);
    case 'lt':
      return actual !== undefined && (actual as number) < (value as number);
    case 'lte':
      return actual !== undefined && (actual as number) <= (value as number);
    case 'in':
      return Array.isArray(value) && value.includes(actual);
    case 'nin':
      return Array.isArray(value) && !value.includes(actual);
    default:
      return false;
  }
}

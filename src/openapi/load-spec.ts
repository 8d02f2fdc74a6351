import { readSpecSource, SPEC_HINT, type SpecSource } from './read-source';
import { prepareSpec, SpecError, type PreparedSpec } from './prepare';
import { cacheKey, readCache, writeCache } from './cache';
import type { SpecLocation } from './locate';

export interface LoadedSpec {
  spec: PreparedSpec;
  fromCache: boolean;
  cacheError?: string;
}

/**
 * prepareSpec sees only the text, and says what is wrong with it ("is not valid YAML ..."): the
 * user also needs to know which file, who named it, and what to do.
 */
function prepareFrom(source: SpecSource, location: SpecLocation): PreparedSpec {
  try {
    return prepareSpec(source.text, source.sha256);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    throw new SpecError(`the spec at ${location.source} (${location.origin}) ${error.message}. Fix the file, or use another. ${SPEC_HINT}`);
  }
}

/** Reads the spec, then takes its prepared form from the cache or prepares and stores it. */
export async function loadSpec(location: SpecLocation, cache: { dir: string | false }): Promise<LoadedSpec> {
  const source = await readSpecSource(location);
  const key = cacheKey(source.sha256);
  if (cache.dir) {
    const cached = await readCache(cache.dir, key);
    if (cached && cached.sha256 === source.sha256) return { spec: cached, fromCache: true };
  }
  const spec = prepareFrom(source, location);
  let cacheError: string | undefined;
  if (cache.dir) {
    try {
      await writeCache(cache.dir, key, spec);
    } catch (error) {
      // A read-only cache folder costs speed, not correctness.
      cacheError = (error as Error).message;
    }
  }
  return { spec, fromCache: false, cacheError };
}

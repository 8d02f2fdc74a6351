import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SpecError } from './prepare';
import type { SpecLocation } from './locate';

export interface SpecSource {
  text: string;
  sha256: string;
}

/** What to do when the spec cannot be had: every way to name another, and how to fill the default. */
export const SPEC_HINT =
  'Pass --spec PATH|URL, set "spec" in the config or OPENAI_MOCK_SPEC, or run `npm run fetch-spec` to fill the default spec/openapi.yaml.';

export async function readSpecSource(location: SpecLocation): Promise<SpecSource> {
  let bytes: Buffer;
  if (/^https?:\/\//i.test(location.source)) {
    let response: Response;
    try {
      response = await fetch(location.source, { signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new SpecError(`cannot download the spec from ${location.source} (${location.origin}): ${(error as Error).message}. ${SPEC_HINT}`);
    }
    if (!response.ok) throw new SpecError(`cannot download the spec from ${location.source} (${location.origin}): HTTP ${response.status}. ${SPEC_HINT}`);
    bytes = Buffer.from(await response.arrayBuffer());
  } else {
    try {
      bytes = await readFile(location.source);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
      throw new SpecError(`cannot read the spec at ${location.source} (${location.origin}): ${why}. ${SPEC_HINT}`);
    }
  }
  return { text: bytes.toString('utf8'), sha256: createHash('sha256').update(bytes).digest('hex') };
}

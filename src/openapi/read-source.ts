import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SpecError } from './prepare';
import { PACKAGE_ROOT, type SpecLocation } from './locate';
import { installation, specHint } from './where';

export interface SpecSource {
  /** Decoded when read: a start from the cache needs only the digest, not 6 MB of two-byte string. */
  readonly text: string;
  sha256: string;
}

/** What to do when the spec cannot be had, for where this copy of openai-mock lives. */
export const SPEC_HINT = specHint();

interface FetchSpecScript {
  fetchSpec(options: { say?: (line: string) => void; progress?: (received: number, total?: number) => void }): Promise<{ ok: boolean; how?: string; why?: string }>;
}

/**
 * In a checkout whose download failed at `npm install`, the first start tries again, saying so:
 * 3 MB can take a while, and a silent pause would look like a hang.
 */
async function retryPinnedDownload(): Promise<boolean> {
  const script = path.join(PACKAGE_ROOT, 'scripts', 'fetch-spec.js');
  const { fetchSpec } = require(script) as FetchSpecScript;
  const tty = process.stderr.isTTY;
  const say = (line: string) => process.stderr.write(`openai-mock: ${line}\n`);
  say('spec/openapi.yaml is missing (its download at npm install failed?); trying again');
  let shown = -1;
  const result = await fetchSpec({
    say,
    progress: (received, total) => {
      // One line that grows in a terminal; a line per megabyte in a log.
      const mb = Math.floor(received / 1e6);
      if (!tty && mb === shown) return;
      shown = mb;
      const text = `downloading the spec: ${(received / 1e6).toFixed(1)}${total ? ` of ${(total / 1e6).toFixed(1)}` : ''} MB`;
      process.stderr.write(tty ? `\r${text}` : `${text}\n`);
    },
  });
  if (tty && shown >= 0) process.stderr.write('\n');
  say(result.ok ? result.how! : `${result.why}`);
  return result.ok;
}

export async function readSpecSource(location: SpecLocation, retried = false): Promise<SpecSource> {
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
      if (!retried && location.origin === 'default' && (error as NodeJS.ErrnoException).code === 'ENOENT' && installation() === 'checkout' && (await retryPinnedDownload())) {
        return readSpecSource(location, true);
      }
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
      throw new SpecError(`cannot read the spec at ${location.source} (${location.origin}): ${why}. ${SPEC_HINT}`);
    }
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return {
    sha256,
    get text() {
      return bytes.toString('utf8');
    },
  };
}

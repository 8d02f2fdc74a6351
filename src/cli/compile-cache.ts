import module from 'node:module';
import path from 'node:path';
import { parseCliArgs } from './args';
import { defaultCacheDir } from '../openapi/locate';

/**
 * Imported first by the command: keeps V8's compiled code of the server and its dependencies
 * (Prism, faker, lodash) on disk next to the prepared-spec cache, as compiling them is most of a
 * warm start. `--no-cache` turns it off with the rest; an empty `--cache-dir` is a cold start.
 */
function compileCacheDir(): string | undefined {
  let cacheDir: string | false | undefined;
  try {
    cacheDir = parseCliArgs(process.argv.slice(2)).given.cacheDir;
  } catch {
    return undefined; // the command reports the usage error itself
  }
  if (cacheDir === false) return undefined;
  return path.join(path.resolve(cacheDir || process.env.OPENAI_MOCK_CACHE_DIR || defaultCacheDir()), 'v8-compile');
}

const dir = compileCacheDir();
if (dir && !process.env.NODE_COMPILE_CACHE) {
  try {
    module.enableCompileCache?.(dir);
  } catch {
    // A cache that cannot be written only costs start-up time.
  }
}

import path from 'node:path';
import { resolveSettings, type SettingsInput } from '../settings/resolve';
import { caPath } from '../transport/tls';
import { UsageError } from './args';

/** `openai-mock tls path`: the local CA's certificate file (made if missing), for scripts: `NODE_EXTRA_CA_CERTS=$(openai-mock tls path)`. */
export async function tlsCommand(words: readonly string[], given: SettingsInput): Promise<number> {
  if (words.length !== 1 || words[0] !== 'path') throw new UsageError(`unknown command "${['tls', ...words].join(' ')}"; the tls command is: openai-mock tls path`);
  // The same folders as the server's: the data folder, else the cache (which the config may set).
  const settings = await resolveSettings({ ...given, config: given.config ?? true }, { env: process.env, defaultLogLevel: 'warn', given: 'flag' });
  const file = await caPath({ host: settings.host, fallbackDir: settings.cacheDir ? path.join(settings.cacheDir, 'tls') : undefined });
  process.stdout.write(file + '\n');
  return 0;
}

/** The ready line's list of what is served: `http://127.0.0.1:12111 and https://127.0.0.1:12111 (h2, http/1.1)`. */
export function servedText(urls: readonly string[]): string {
  const tls = urls.some((url) => url.startsWith('https:'));
  return urls.join(' and ') + (tls ? ' (h2, http/1.1)' : '');
}

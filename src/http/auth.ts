import type { IncomingHttpHeaders } from 'node:http';
import { incorrectApiKey, missingApiKey, type ErrorResponse } from './errors';

export { maskApiKey } from './errors';

/**
 * Who may call the mock. By default any credential does, as long as there is one: the official
 * SDKs' generated suites send `Authorization: Bearer My API Key`, spaces and all. With `apiKeys`
 * only those keys do, and any other gets the API's own `invalid_api_key` answer.
 */

export interface AuthOptions {
  /** When given (and not empty), the only keys accepted. */
  apiKeys?: readonly string[];
}

// Everything after the scheme is the key, spaces included; only the edges are trimmed.
const BEARER = /^bearer(?:\s+([\s\S]*))?$/i;
const BASIC = /^basic\s+(\S+)\s*$/i;

/**
 * The key a request carries: the Bearer credential; else, as the API's own 401 message allows, the
 * password of Basic auth with a blank user name; else the `api-key` header that Azure OpenAI
 * clients send. `undefined` when there is none.
 */
export function credentialOf(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization?.trim();
  if (authorization) {
    const bearer = BEARER.exec(authorization);
    if (bearer) return bearer[1]?.trim() || undefined;
    const basic = BASIC.exec(authorization);
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon === 0 && decoded.length > 1) return decoded.slice(1);
    }
  }
  const azure = headers['api-key'];
  const value = (Array.isArray(azure) ? azure[0] : azure)?.trim();
  return value || undefined;
}

/** The 401 to answer, or `undefined` when the request may go on. */
export function checkAuth(headers: IncomingHttpHeaders, options: AuthOptions = {}): ErrorResponse | undefined {
  const key = credentialOf(headers);
  if (key === undefined) return missingApiKey();
  if (options.apiKeys && options.apiKeys.length > 0 && !options.apiKeys.includes(key)) return incorrectApiKey(key);
  return undefined;
}

/** `OPENAI_MOCK_API_KEYS`: keys separated by commas; blanks between commas are ignored. */
export function apiKeysFromEnv(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const keys = value.split(',').map((k) => k.trim()).filter((k) => k !== '');
  return keys.length > 0 ? keys : undefined;
}

import type { JournalEntry, JournalFilter } from './journal';
import type { ScriptInfo } from '../scripts/compile';
import type { ScriptSpec } from '../scripts/spec';
import { pendingMessage, UnusedScriptsError } from './companion';

/**
 * A session of a mock started elsewhere (Jest or Vitest `globalSetup`, another process, the
 * command), over the admin API: scripts in data form, the journal, the same checks. Each worker
 * connects with its own session and gives its clients the session's header (`headers`).
 */

export interface RemoteOptions {
  /** The session this handle scripts and reads; `default` when not given. */
  session?: string;
  /** The server's `--admin-token`, if it has one. */
  adminToken?: string;
}

export interface RemoteSession {
  readonly url: string;
  readonly session: string;
  /** Headers for the SDK client of this session: `new OpenAI({ baseURL, apiKey, defaultHeaders: remote.headers })`. */
  readonly headers: Record<string, string>;
  /** Adds scripts (data form, as fixture files hold them) to this session, in order. */
  script(...scripts: ScriptSpec[]): Promise<ScriptInfo[]>;
  scripts(): Promise<ScriptInfo[]>;
  resetScripts(): Promise<void>;
  /** Rejects, listing them, if any script of the session has uses left. */
  assertAllUsed(): Promise<void>;
  /** The session's journal entries, oldest first (operation as an operationId or `METHOD /path`). */
  requests(filter?: Omit<JournalFilter, 'session'>): Promise<JournalEntry[]>;
  clearJournal(): Promise<void>;
}

export function connectMock(url: string, options: RemoteOptions = {}): RemoteSession {
  const base = url.replace(/\/+$/, '').replace(/\/v1$/, '');
  const session = options.session ?? 'default';
  const headers = { 'x-mock-session': session };
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}/__admin${path}${path.includes('?') ? '&' : '?'}session=${encodeURIComponent(session)}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.adminToken ? { authorization: `Bearer ${options.adminToken}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as { error?: { message: string } } & Record<string, unknown>;
    if (!response.ok) throw new Error(`openai-mock ${method} /__admin${path}: ${answer.error?.message ?? response.status}`);
    return answer;
  };
  const list = async () => (await call('GET', '/scripts')).data as ScriptInfo[];
  return {
    url: base,
    session,
    headers,
    async script(...scripts) {
      return (await call('POST', '/scripts', scripts)).data as ScriptInfo[];
    },
    scripts: list,
    async resetScripts() {
      await call('DELETE', '/scripts');
    },
    async assertAllUsed() {
      const pending = (await list()).filter((s) => s.pending && s.origin !== 'fixture');
      if (pending.length > 0) throw new UnusedScriptsError(pendingMessage(pending));
    },
    async requests(filter = {}) {
      const query = new URLSearchParams();
      if (filter.operation) query.set('operation', filter.operation);
      if (filter.since !== undefined) query.set('since', filter.since instanceof Date ? filter.since.toISOString() : String(filter.since));
      const text = query.toString();
      return (await call('GET', `/journal${text ? `?${text}` : ''}`)).data as JournalEntry[];
    },
    async clearJournal() {
      await call('DELETE', '/journal');
    },
  };
}

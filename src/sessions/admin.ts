import { adminError, type AdminRequest, type AdminRoute } from '../admin/router';
import { ConfigError } from '../config/errors';
import { DEFAULT_SESSION, type ScriptBook } from '../scripts/book';
import type { Script, ScriptOrigin } from '../scripts/compile';
import type { Journal } from './journal';

/**
 * The journal and the scripts over HTTP, for suites in any language:
 *
 *   GET    /__admin/journal?operation=&session=&since=&limit=   entries, oldest first
 *   GET    /__admin/journal/{id}
 *   DELETE /__admin/journal?session=
 *   POST   /__admin/scripts          a script, a list, or { scripts: [...] }; session from ?session=, x-mock-session, or each script's own
 *   GET    /__admin/scripts?session=
 *   DELETE /__admin/scripts?session=
 */

export interface SessionRoutesOptions {
  journal: Journal;
  book: ScriptBook;
  operationTest(key: string | undefined): ((operation: string | null) => boolean) | undefined;
  addSpecs(specs: readonly unknown[], session: string, origin: ScriptOrigin): Script[];
  sessionHeader?: string;
}

export function sessionRoutes(options: SessionRoutesOptions): AdminRoute[] {
  const { journal, book } = options;
  const header = (options.sessionHeader ?? 'x-mock-session').toLowerCase();

  /** The session an admin call is about: `?session=`, else the session header; undefined for all. */
  const sessionOf = (request: AdminRequest): string | undefined => {
    const named = request.query.get('session') ?? request.headers[header];
    const value = (Array.isArray(named) ? named[0] : named)?.trim();
    return value || undefined;
  };

  const asAdminError = <T>(param: string, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof ConfigError || error instanceof RangeError) throw adminError(400, error.message, { param });
      throw error;
    }
  };

  return [
    {
      method: 'GET',
      path: '/journal',
      handle(request) {
        const limitText = request.query.get('limit');
        const limit = limitText === null ? undefined : Number(limitText);
        if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw adminError(400, `limit must be a whole number, got "${limitText}"`, { param: 'limit' });
        const operationTest = asAdminError('operation', () => options.operationTest(request.query.get('operation') ?? undefined));
        const since = request.query.get('since') ?? undefined;
        const entries = asAdminError('since', () => journal.list({ operationTest, session: sessionOf(request), since }));
        // The newest `limit`, still oldest first.
        const data = limit === undefined ? entries : entries.slice(Math.max(0, entries.length - limit));
        return { body: { object: 'list', data, has_more: data.length < entries.length } };
      },
    },
    {
      method: 'GET',
      path: '/journal/{id}',
      handle(request) {
        const entry = journal.get(request.params.id!);
        if (!entry) throw adminError(404, `No journal entry with id '${request.params.id}' (it may have been dropped: the journal keeps the newest entries).`, { param: 'id' });
        return { body: entry };
      },
    },
    {
      method: 'DELETE',
      path: '/journal',
      handle(request) {
        return { body: { deleted: journal.clear(sessionOf(request)) } };
      },
    },
    {
      method: 'POST',
      path: '/scripts',
      handle(request) {
        const body = request.body as unknown;
        const specs = Array.isArray(body) ? body : typeof body === 'object' && body !== null && Array.isArray((body as { scripts?: unknown }).scripts) ? (body as { scripts: unknown[] }).scripts : [body];
        if (body === undefined) throw adminError(400, 'POST /__admin/scripts needs a JSON body: a script { operation, match, reply | replies | fail | close }, a list of them, or { scripts: [...] }.');
        const scripts = asAdminError('scripts', () => options.addSpecs(specs, sessionOf(request) ?? DEFAULT_SESSION, 'admin'));
        return { status: 201, body: { object: 'list', data: scripts.map((s) => s.info()) } };
      },
    },
    {
      method: 'GET',
      path: '/scripts',
      handle(request) {
        const data = book.list(sessionOf(request)).map((s) => s.info());
        return { body: { object: 'list', data, pending: data.filter((s) => s.pending).length } };
      },
    },
    {
      method: 'DELETE',
      path: '/scripts',
      handle(request) {
        return { body: { deleted: book.remove(sessionOf(request)) } };
      },
    },
  ];
}

import type { PreparedOperation } from '../openapi/prepare';
import type { Exchange, Step } from '../pipeline/types';
import type { Logger } from '../log/logger';
import type { OperationKey } from '../overrides/operations';
import type { OverrideRequest } from '../overrides/types';
import { indexOperations } from '../overrides/resolve';
import { ConfigError } from '../config/errors';
import type { AdminRoute } from '../admin/router';
import { DEFAULT_SESSION, ScriptBook } from '../scripts/book';
import { scriptBuilder, type ScriptBuilder } from '../scripts/builder';
import { compileScript, defsFromSpec, type Script, type ScriptDef, type ScriptInfo, type ScriptOrigin } from '../scripts/compile';
import { createScriptsStep } from '../scripts/step';
import type { ScriptMatch } from '../scripts/spec';
import { DEFAULT_JOURNAL_MAX, Journal, type JournalEntry, type JournalFilter } from './journal';
import { createFrontHooks, type FrontHooks, type SessionOptions } from './front';
import { sessionRoutes } from './admin';

/**
 * The test-suite companion, composed once per server: the journal, the scripts of each session,
 * the scripts step, the front's hooks and the admin routes, all over the same objects, so that
 * code (`mock.on`, `mock.journal`), fixture files and `/__admin/...` see the same state.
 */

export interface JournalApi {
  /** Oldest first; by operation (operationId or `METHOD /path`), session, and `since` (a time, or an entry id). */
  requests(filter?: JournalFilter): JournalEntry[];
  /** The newest entry, of one operation if given. */
  last(operation?: string): JournalEntry | undefined;
  get(id: string): JournalEntry | undefined;
  /** Forgets the entries (of this session, for a session's handle); scripts are not rewound. */
  clear(): void;
}

/** What a test scripts and asserts through: the server itself (the default session, seeing every session's journal) or `mock.session(name)`. */
export interface SessionHandle {
  /** The session's name: the `x-mock-session` header value (or API key) its requests carry. */
  readonly name: string;
  readonly journal: JournalApi;
  /** Scripts answers of `operation` (an operationId or `METHOD /path`) for the requests that `match` accepts. */
  on<Key extends OperationKey>(operation: Key, match?: ScriptMatch | ((request: OverrideRequest<Key>) => boolean | Promise<boolean>)): ScriptBuilder<Key>;
  /** The scripts in force, in the order they are tried, with their use counts. */
  scripts(): ScriptInfo[];
  /** Removes the scripts added in code or over HTTP (fixture files' stay). */
  resetScripts(): void;
  /** Throws, listing them, if any script never matched or has uses left (as nock's `isDone`). */
  assertAllUsed(): void;
}

export interface CompanionApi extends SessionHandle {
  /** A handle on one session: its own scripts (tried before the default session's) and its own journal. */
  session(name: string): SessionHandle;
}

export interface CompanionOptions {
  operations: readonly PreparedOperation[];
  logger: Logger;
  journalMax?: number;
  sessions?: SessionOptions;
}

export interface Companion {
  api: CompanionApi;
  front: FrontHooks;
  step: Step;
  adminRoutes: AdminRoute[];
  /** Puts fixture scripts (from files or the config) in force at once; throws a `ConfigError`, keeping the current ones, for a bad one. */
  setFixtures(entries: readonly { spec: unknown; label: string }[]): number;
  /** The scripts with uses left, logged as a warning (at close). */
  warnPending(): void;
}

export class UnusedScriptsError extends Error {}

export function pendingMessage(pending: readonly ScriptInfo[]): string {
  const lines = pending.map(
    (s) => `  - ${s.label} (${s.operation}${s.session !== DEFAULT_SESSION ? `, session ${s.session}` : ''}): used ${s.used}${s.times === null ? '' : ` of ${s.times}`}`,
  );
  return `${pending.length} script${pending.length === 1 ? '' : 's'} not used up:\n${lines.join('\n')}`;
}

export function createCompanion(options: CompanionOptions): Companion {
  const { operations, logger } = options;
  const journal = new Journal(options.journalMax ?? DEFAULT_JOURNAL_MAX);
  const book = new ScriptBook();
  const index = indexOperations(operations);
  const matched = new WeakMap<Exchange, string>();
  let added = 0;

  const operationTest = (key: string | undefined): ((operation: string | null) => boolean) | undefined => {
    if (key === undefined || key === '') return undefined;
    const ids = index.resolve(key);
    if (!ids) {
      const nearest = index.nearest(key);
      throw new ConfigError(`the spec has no operation "${key}"${nearest ? ` (did you mean "${nearest}"?)` : ''}`);
    }
    return ids === '*' ? () => true : (operation) => operation !== null && ids.has(operation);
  };

  const compile = (defs: readonly ScriptDef[], label: (i: number) => string, origin: ScriptOrigin, session: string): Script[] =>
    defs.map((def, i) => compileScript(def, label(i), origin, session, operations));

  /** Adds scripts from data (the admin API); all or none. */
  const addSpecs = (specs: readonly unknown[], session: string, origin: ScriptOrigin): Script[] => {
    const scripts = specs.flatMap((spec, i) => {
      const label = `${origin === 'admin' ? 'POST /__admin/scripts' : 'scripts'}[${i}]`;
      const defs = defsFromSpec(spec, label);
      return compile(defs, (j) => (defs.length > 1 ? `${label}.replies[${j}]` : label) + nameOf(spec), origin, session);
    });
    book.add(scripts);
    return scripts;
  };

  const handle = (name: string, all: boolean): SessionHandle => {
    const session = all ? undefined : name;
    const journalApi: JournalApi = {
      requests(filter = {}) {
        return journal.list({ operationTest: operationTest(filter.operation), session: session ?? filter.session, since: filter.since });
      },
      last(operation) {
        const list = journal.list({ operationTest: operationTest(operation), session });
        return list[list.length - 1];
      },
      get(id) {
        const entry = journal.get(id);
        return entry && (session === undefined || entry.session === session) ? entry : undefined;
      },
      clear() {
        journal.clear(session);
      },
    };
    return {
      name,
      journal: journalApi,
      on(operation, match) {
        return scriptBuilder(operation, match, (def) => {
          const n = ++added;
          const label = `mock${session === undefined ? '' : `.session(${JSON.stringify(name)})`}.on(${JSON.stringify(operation)}) #${n}`;
          book.add(compile([def], () => label, 'code', name));
        });
      },
      scripts: () => book.list(session).map((s) => s.info()),
      resetScripts: () => void book.remove(session),
      assertAllUsed() {
        const pending = book.list(session).filter((s) => s.pending).map((s) => s.info());
        if (pending.length > 0) throw new UnusedScriptsError(pendingMessage(pending));
      },
    };
  };

  const root = handle(DEFAULT_SESSION, true);
  const api: CompanionApi = {
    ...root,
    session: (name) => {
      if (typeof name !== 'string' || name === '') throw new TypeError('mock.session(name): name is a non-empty string');
      return handle(name, false);
    },
  };

  return {
    api,
    front: createFrontHooks(journal, options.sessions ?? {}, (exchange) => matched.get(exchange)),
    step: createScriptsStep({ book, logger, matched: (exchange, script) => matched.set(exchange, script.label) }),
    adminRoutes: sessionRoutes({ journal, book, operationTest, addSpecs, sessionHeader: options.sessions?.header }),
    setFixtures(entries) {
      const scripts = entries.flatMap(({ spec, label }) => {
        const defs = defsFromSpec(spec, label);
        return compile(defs, (j) => (defs.length > 1 ? `${label}.replies[${j}]` : label) + nameOf(spec), 'fixture', DEFAULT_SESSION);
      });
      book.setFixtures(scripts);
      return scripts.length;
    },
    warnPending() {
      const pending = book.list().filter((s) => s.pending && s.origin !== 'fixture').map((s) => s.info());
      if (pending.length > 0) logger.warn(pendingMessage(pending));
    },
  };
}

function nameOf(spec: unknown): string {
  const name = (spec as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name !== '' ? ` (${name})` : '';
}

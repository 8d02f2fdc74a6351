import fs from 'node:fs';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { createMemoryStore, type InspectableStore, type StoredRow } from './store';

/**
 * The file-backed store (`state: { store: 'state.db' }`): Node's built-in SQLite (`node:sqlite`,
 * unflagged from Node 22.13), so there is no server to run and no native module to build. The
 * whole file is read into the memory store at start; each change is then written through at
 * once (SQLite's own journal keeps the file whole if the process dies), so `flush` has nothing
 * left to do. Two tables: objects as JSON, and the bytes beside them (a file's content).
 */

export class StateStoreError extends Error {}

type SqliteModule = typeof import('node:sqlite');

/** `node:sqlite`, loaded only when a file store is asked for; its ExperimentalWarning silenced for that load. */
function loadSqlite(): SqliteModule {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning?.message;
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === 'ExperimentalWarning' && /sqlite/i.test(String(text))) return;
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('node:sqlite') as SqliteModule;
  } catch (error) {
    throw new StateStoreError(
      `A file-backed state store (state.store) needs Node's built-in SQLite (node:sqlite), which this Node (${process.version}) does not have unflagged: ` +
        `use Node 22.13 or later (or 24), or leave state.store out to keep the state in memory. (${(error as Error).message})`,
    );
  } finally {
    process.emitWarning = emit;
  }
}

export function openFileStore(file: string): InspectableStore {
  const { DatabaseSync } = loadSqlite();
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file);
    db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS objects (session TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (session, kind, id));
      CREATE TABLE IF NOT EXISTS blobs (session TEXT NOT NULL, id TEXT NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (session, id));
    `);
  } catch (error) {
    throw new StateStoreError(`The state store ${file} cannot be opened: ${(error as Error).message}`);
  }
  const rows = db.prepare('SELECT session, kind, id, seq, json FROM objects ORDER BY seq').all() as unknown as StoredRow[];
  const blobs = (db.prepare('SELECT session, id, bytes FROM blobs').all() as unknown as { session: string; id: string; bytes: Uint8Array }[]).map((b) => ({
    session: b.session,
    id: b.id,
    bytes: Buffer.from(b.bytes),
  }));
  const upsert = db.prepare('INSERT INTO objects (session, kind, id, seq, json) VALUES (?, ?, ?, ?, ?) ON CONFLICT (session, kind, id) DO UPDATE SET json = excluded.json');
  const remove = db.prepare('DELETE FROM objects WHERE session = ? AND kind = ? AND id = ?');
  const putBlob = db.prepare('INSERT INTO blobs (session, id, bytes) VALUES (?, ?, ?) ON CONFLICT (session, id) DO UPDATE SET bytes = excluded.bytes');
  const removeBlob = db.prepare('DELETE FROM blobs WHERE session = ? AND id = ?');
  const clearSession = [db.prepare('DELETE FROM objects WHERE session = ?'), db.prepare('DELETE FROM blobs WHERE session = ?')];
  let open = true;

  return createMemoryStore({
    rows,
    blobs,
    sink: {
      put: (session, kind, id, seq, json) => void upsert.run(session, kind, id, seq, json),
      delete: (session, kind, id) => void remove.run(session, kind, id),
      putBytes: (session, id, bytes) => void putBlob.run(session, id, bytes),
      deleteBytes: (session, id) => void removeBlob.run(session, id),
      clear: (session) => {
        if (session === undefined) db.exec('DELETE FROM objects; DELETE FROM blobs;');
        else for (const statement of clearSession) statement.run(session);
      },
    },
    close: () => {
      if (open) (open = false), db.close();
    },
  });
}

import type { Script } from './compile';

/** The session of requests that name none. */
export const DEFAULT_SESSION = 'default';

/**
 * The scripts in force, per session: those added in code or over the admin API (consumed and
 * removed at will), and those of the fixture files (replaced as a whole on reload). A request
 * sees its own session's scripts first, then the default session's, in the order they were added.
 */
export class ScriptBook {
  private readonly bySession = new Map<string, Script[]>();
  private fixtures: readonly Script[] = [];

  add(scripts: readonly Script[]): void {
    for (const script of scripts) {
      let list = this.bySession.get(script.session);
      if (!list) this.bySession.set(script.session, (list = []));
      list.push(script);
    }
  }

  /** Swaps the fixture scripts at once (a reload); their use counts start again. */
  setFixtures(scripts: readonly Script[]): void {
    this.fixtures = scripts;
  }

  /** The scripts a request of `session` for `operationId` may meet, in the order they are tried. */
  candidates(session: string, operationId: string): Script[] {
    const found: Script[] = [];
    if (this.bySession.size === 0 && this.fixtures.length === 0) return found;
    const collect = (name: string) => {
      for (const script of this.bySession.get(name) ?? []) if (script.covers(operationId)) found.push(script);
      for (const script of this.fixtures) if (script.session === name && script.covers(operationId)) found.push(script);
    };
    collect(session);
    if (session !== DEFAULT_SESSION) collect(DEFAULT_SESSION);
    return found;
  }

  /** Every script of one session, or of all (fixtures included), in the order they are tried. */
  list(session?: string): Script[] {
    const all = [...[...this.bySession.values()].flat(), ...this.fixtures];
    return session === undefined ? all : all.filter((script) => script.session === session);
  }

  /** Removes the scripts added in code or over the admin API (of one session, or all); fixtures stay, as their files say. */
  remove(session?: string): number {
    let removed = 0;
    for (const [name, list] of this.bySession) {
      if (session !== undefined && name !== session) continue;
      removed += list.length;
      this.bySession.delete(name);
    }
    return removed;
  }

  get size(): number {
    let n = this.fixtures.length;
    for (const list of this.bySession.values()) n += list.length;
    return n;
  }
}

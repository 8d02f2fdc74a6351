import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log/logger';
import { CassetteError, readCassette, type Cassette } from './format';
import { differences, keyedPart, keyOf, type NormalRequest } from './key';
import { compileRules, redactValue } from './redact';

/**
 * The cassettes of one folder, indexed by key under the current `ignore` list (recomputed from
 * each stored request, so that changing `replay.ignore` needs no re-recording). The recorder adds
 * to it as it writes, so that `record-missing` finds a request it has just recorded.
 */

interface Entry {
  cassette: Cassette;
  file: string;
}

export interface Lookup {
  cassette?: Cassette;
  file?: string;
  key: string;
}

export interface Nearest {
  file: string;
  differences: string[];
}

/** The live request as a cassette recorded with these rules stored it. */
function asRecorded(live: NormalRequest, redacted: Cassette['redacted']): NormalRequest {
  if (!redacted) return live;
  const rules = compileRules([...redacted.paths, ...redacted.patterns]);
  return { ...live, query: redactValue(live.query, rules, false), body: redactValue(live.body, rules) };
}

const rulesId = (redacted: Cassette['redacted']) => JSON.stringify(redacted ?? null);

export class CassetteStore {
  private byKey = new Map<string, Entry[]>();
  private all: Entry[] = [];
  /** How many times each key was served, so that a request made twice gets the second recording. */
  private served = new Map<string, number>();
  /** The distinct redaction rule sets in the folder (usually none or one). */
  private ruleSets = new Map<string, Cassette['redacted']>();

  constructor(
    public dir: string,
    private ignore: readonly string[],
    private logger: Logger,
  ) {
    this.load();
  }

  /** (Re)reads the folder; a missing folder is an empty one (record modes create it). */
  load(dir = this.dir): void {
    this.dir = dir;
    this.byKey.clear();
    this.all = [];
    this.served.clear();
    this.ruleSets.clear();
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        this.index(readCassette(file), file);
      } catch (error) {
        if (error instanceof CassetteError) this.logger.warn(`replay: skipped ${error.message}`);
        else throw error;
      }
    }
  }

  get size(): number {
    return this.all.length;
  }

  /** Adds (or, for the same key and order, replaces) a cassette. */
  index(cassette: Cassette, file: string): void {
    const key = keyOf(cassette.request, this.ignore);
    const list = this.byKey.get(key) ?? [];
    const kept = list.filter((e) => e.cassette.order !== cassette.order);
    kept.push({ cassette, file });
    kept.sort((a, b) => a.cassette.order - b.cassette.order);
    this.byKey.set(key, kept);
    this.all = this.all.filter((e) => e.file !== file);
    this.all.push({ cassette, file });
    this.ruleSets.set(rulesId(cassette.redacted), cassette.redacted);
  }

  /** The cassette for this request: the n-th recording for its n-th occurrence, then the last one again. */
  find(live: NormalRequest): Lookup {
    let key = keyOf(live, this.ignore);
    for (const redacted of this.ruleSets.values()) {
      const candidate = keyOf(asRecorded(live, redacted), this.ignore);
      const list = this.byKey.get(candidate);
      if (!list) continue;
      key = candidate;
      const count = this.served.get(key) ?? 0;
      this.served.set(key, count + 1);
      const entry = list[Math.min(count, list.length - 1)]!;
      return { cassette: entry.cassette, file: entry.file, key };
    }
    return { key };
  }

  /** The cassette closest to a request no cassette matches: same method and path, fewest differing fields. */
  nearest(live: NormalRequest): Nearest | undefined {
    let best: Nearest | undefined;
    for (const { cassette, file } of this.all) {
      if (cassette.request.method !== live.method || cassette.request.path !== live.path) continue;
      const a = keyedPart(cassette.request, this.ignore);
      const b = keyedPart(asRecorded(live, cassette.redacted), this.ignore);
      const found = [...differences(a.query, b.query, 8, 'query'), ...differences(a.body, b.body, 8, 'body')];
      if (!best || found.length < best.differences.length) best = { file: path.basename(file), differences: found };
    }
    return best;
  }

  /** The order a new recording of this key gets in the current session. */
  nextOrder(key: string, session: Map<string, number>): number {
    const order = (session.get(key) ?? 0) + 1;
    session.set(key, order);
    return order;
  }
}

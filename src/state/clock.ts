import type { StateClock } from './types';

/**
 * The lifecycle clock. Durations are milliseconds per `kind.status` (`batch.in_progress: 2000`),
 * or per status for every kind (`in_progress: 500`); none means the object moves on at once, so
 * by default a create is followed by a retrieve that already sees the last state. The clock is
 * wall time plus what `advance` added: no randomness, so with fixed durations (and `--seed` for
 * ids) a run gives the same statuses for the same timing, and `advance` makes them independent
 * of timing altogether.
 */

export type Durations = Readonly<Record<string, number>>;

export function createClock(durations: Durations = {}, wall: () => number = Date.now): StateClock & { readonly offset: number } {
  let offset = 0;
  return {
    now: () => wall() + offset,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance takes a number of milliseconds from 0, got ${ms}`);
      offset += ms;
    },
    durationOf: (kind, status) => durations[`${kind}.${status}`] ?? durations[status] ?? 0,
    get offset() {
      return offset;
    },
  };
}

/** Where an object is in its statuses: `steps[0]` entered at `since` (clock ms), each held for its duration. */
export interface Progress {
  status: string;
  index: number;
  /** Clock ms at which each status reached was entered. */
  enteredAt: number[];
}

export function progress(clock: StateClock, kind: string, steps: readonly string[], since: number): Progress {
  const now = clock.now();
  const enteredAt = [since];
  let at = since;
  for (let i = 0; i < steps.length - 1; i++) {
    at += clock.durationOf(kind, steps[i]!);
    if (now < at) return { status: steps[i]!, index: i, enteredAt };
    enteredAt.push(at);
  }
  return { status: steps.at(-1)!, index: steps.length - 1, enteredAt };
}

/** Durations as config gives them: whole milliseconds from 0. */
export function isDurations(value: unknown): value is Durations {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((ms) => Number.isInteger(ms) && (ms as number) >= 0)
  );
}

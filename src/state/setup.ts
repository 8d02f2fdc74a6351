import type { Handler, Step } from '../pipeline/types';
import { commitStep } from './commit';
import type { PreparedOperation } from '../openapi/operation';
import type { ValidatorStore } from '../validation/validator-store';
import { DEFAULT_SESSION } from '../scripts/book';
import { createClock } from './clock';
import { openFileStore } from './file-store';
import { createMemoryStore, type InspectableStore } from './store';
import { createStateStep, type StateStep } from './step';
import { RESOURCES } from './resources';
import type { StateSettings } from './settings';
import type { SessionStore } from './types';

/** Stateful mode put together for the server: the store, the clock, the step and what the admin API and `MockServer.state` call. */
export interface StateRuntime {
  step: StateStep['step'];
  /** Placed above scripts and overrides: gives a handler the final answer to keep (commit.ts). */
  commit: Step;
  /** The SQLite file, if the state is kept in one. */
  file?: string;
  session(name?: string): SessionStore;
  reset(session?: string): void;
  advance(ms: number): void;
  clockOffset(): number;
  counts(): Record<string, Record<string, number>>;
  close(): Promise<void>;
}

export interface StateDeps {
  pipeline: () => Handler;
  operations: readonly PreparedOperation[];
  validators?: ValidatorStore;
  allowUnknownParams?: boolean;
  seed?: string | number;
}

export function createStateRuntime(settings: StateSettings, deps: StateDeps): StateRuntime {
  const store: InspectableStore = settings.store ? openFileStore(settings.store) : createMemoryStore();
  const clock = createClock(settings.durations);
  const state = createStateStep({ ...deps, store, clock, handlers: RESOURCES, idSalt: store.loaded > 0 ? String(store.loaded) : undefined });
  return {
    step: state.step,
    commit: commitStep,
    file: settings.store,
    session: (name = DEFAULT_SESSION) => store.session(name),
    reset(session) {
      store.reset(session);
      state.resetIds(session);
    },
    advance: (ms) => clock.advance(ms),
    clockOffset: () => clock.offset,
    counts: () => store.counts(),
    close: () => store.close(),
  };
}

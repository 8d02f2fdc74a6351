import type { Logger } from '../log/logger';
import type { Exchange, Step } from '../pipeline/types';
import { Recorder } from './recorder';
import { createReplayStep, type ReplayMode, type ReplayStepOptions } from './replay-step';
import type { RecordSettings, ReplaySettings } from './settings';
import { CassetteStore } from './store';

/**
 * Record and replay as the server composes them: one store shared by the replayer and the
 * recorder (in `record-missing` and `record` modes the recorder writes into the replay folder),
 * and `use(dir)` to point both at another folder between tests.
 */

export interface CassetteSources {
  replay?: Step;
  recorder(): Recorder | undefined;
  /** Switches to another folder (`mock.useCassettes(dir)`), creating the replayer if there was none. */
  use(dir: string, options?: { mode?: ReplayMode }): void;
}

export function createCassetteSources(options: {
  record?: Required<RecordSettings>;
  replay?: Required<ReplaySettings>;
  specSha256: string;
  logger: Logger;
  /** Called when `use` creates the replay step. */
  onReplayStep(step: Step): void;
  hasProxy: boolean;
  needsWhole?: (exchange: Exchange) => boolean;
}): CassetteSources {
  const { logger } = options;
  let replayOptions: ReplayStepOptions | undefined;
  let replayRecorder: Recorder | undefined;
  const ownRecorder = options.record
    ? new Recorder({ dir: options.record.dir, redact: options.record.redact, specSha256: options.specSha256, logger })
    : undefined;

  const start = (settings: Required<ReplaySettings>) => {
    const store = new CassetteStore(settings.dir, settings.ignore, logger);
    replayOptions = { store, mode: settings.mode, speed: settings.speed, logger, needsWhole: options.needsWhole };
    replayRecorder = new Recorder({ dir: settings.dir, redact: options.record?.redact, specSha256: options.specSha256, logger, store });
    return createReplayStep(replayOptions);
  };
  const replay = options.replay ? start(options.replay) : undefined;

  return {
    replay,
    recorder: () => (replayOptions && replayOptions.mode !== 'replay' ? replayRecorder : ownRecorder),
    use(dir, given = {}) {
      const mode = given.mode ?? replayOptions?.mode ?? 'replay';
      if (mode !== 'replay' && !options.hasProxy) throw new Error(`useCassettes: mode ${mode} sends requests upstream, and this server has no proxy`);
      if (!replayOptions) {
        options.onReplayStep(start({ dir, mode, ignore: options.replay?.ignore ?? [], speed: options.replay?.speed ?? 'recorded' }));
        return;
      }
      replayOptions.store.load(dir);
      replayOptions.mode = mode;
      replayRecorder!.dir = dir;
    },
  };
}

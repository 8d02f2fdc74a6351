import { compose, type Handler, type Step } from './types';

/**
 * The fixed order of the built-in steps around the engine:
 *
 *   streaming -> realtime secrets -> strict models -> scripts -> overrides -> extra steps -> replay
 *     -> proxy (+record) -> models -> realism -> engine (Prism)
 *
 * Realism turns Prism's placeholders into coherent answers; overrides then see and rewrite that
 * answer; streaming, outermost, turns the final answer into events, so one override serves both
 * the plain and the streamed form. Replay and proxy answer without calling `next`, and call it on
 * a miss (or, for the proxy, an operation it does not forward or an upstream failure with
 * `fallback: 'mock'`): their answers pass through scripts, overrides and streaming like the
 * mock's. Models answers the models operations from the catalogue; strict models
 * (`--strict-models`) refuses a request naming a model outside it before any source answers.
 * Scripts (a test's scripted answers, src/scripts/) sit above the overrides: a script that
 * matches wins, and a partial one is completed from the answer below it. Realtime secrets only
 * watch: the ephemeral keys that `POST /realtime/client_secrets` hands out, from whichever source,
 * are remembered so that they open the Realtime socket (src/realtime/secrets.ts).
 */
export interface PipelineParts {
  streaming?: Step;
  realtimeSecrets?: Step;
  strictModels?: Step;
  scripts?: Step;
  overrides?: Step;
  extra?: readonly Step[];
  /** Answers from cassettes (src/cassettes). */
  replay?: Step;
  /** Answers from an upstream API, recording them when asked (src/proxy). */
  proxy?: Step;
  models?: Step;
  realism?: Step;
}

export function assemblePipeline(parts: PipelineParts, engine: Handler): Handler {
  const steps = [
    parts.streaming,
    parts.realtimeSecrets,
    parts.strictModels,
    parts.scripts,
    parts.overrides,
    ...(parts.extra ?? []),
    parts.replay,
    parts.proxy,
    parts.models,
    parts.realism,
  ].filter((s): s is Step => s !== undefined);
  return compose(steps, engine);
}

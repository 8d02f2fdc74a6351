import { compose, type Handler, type Step } from './types';

/**
 * The fixed order of the built-in steps around the engine:
 *
 *   streaming -> overrides -> extra steps -> replay -> proxy (+record) -> realism -> engine (Prism)
 *
 * Realism turns Prism's placeholders into coherent answers; overrides then see and rewrite that
 * answer; streaming, outermost, turns the final answer into events, so one override serves both
 * the plain and the streamed form. Replay and proxy answer without calling `next`, and call it on
 * a miss (or, for the proxy, an operation it does not forward or an upstream failure with
 * `fallback: 'mock'`): their answers pass through overrides and streaming like the mock's.
 */
export interface PipelineParts {
  streaming?: Step;
  overrides?: Step;
  extra?: readonly Step[];
  /** Answers from cassettes (src/cassettes). */
  replay?: Step;
  /** Answers from an upstream API, recording them when asked (src/proxy). */
  proxy?: Step;
  realism?: Step;
}

export function assemblePipeline(parts: PipelineParts, engine: Handler): Handler {
  const steps = [parts.streaming, parts.overrides, ...(parts.extra ?? []), parts.replay, parts.proxy, parts.realism].filter((s): s is Step => s !== undefined);
  return compose(steps, engine);
}

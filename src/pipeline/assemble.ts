import { compose, type Handler, type Step } from './types';

/**
 * The fixed order of the built-in steps around the engine:
 *
 *   streaming -> scripts -> overrides -> extra steps -> realism -> engine (Prism)
 *
 * Realism turns Prism's placeholders into coherent answers; overrides then see and rewrite that
 * answer; streaming, outermost, turns the final answer into events, so one override serves both
 * the plain and the streamed form. Future sources (proxy, replay) are `extra` steps that answer
 * without calling `next`. Scripts (a test's scripted answers, src/scripts/) sit above the overrides:
 * a script that matches wins, and a partial one is completed from the answer below it.
 */
export interface PipelineParts {
  streaming?: Step;
  scripts?: Step;
  overrides?: Step;
  extra?: readonly Step[];
  realism?: Step;
}

export function assemblePipeline(parts: PipelineParts, engine: Handler): Handler {
  const steps = [parts.streaming, parts.scripts, parts.overrides, ...(parts.extra ?? []), parts.realism].filter((s): s is Step => s !== undefined);
  return compose(steps, engine);
}

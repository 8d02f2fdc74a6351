import { compose, type Handler, type Step } from './types';

/**
 * The fixed order of the built-in steps around the engine:
 *
 *   streaming -> strict models -> scripts -> overrides -> extra steps -> models -> realism -> engine (Prism)
 *
 * Realism turns Prism's placeholders into coherent answers; overrides then see and rewrite that
 * answer; streaming, outermost, turns the final answer into events, so one override serves both
 * the plain and the streamed form. Models answers the models operations from the catalogue;
 * strict models (`--strict-models`) refuses a request naming a model outside it before any
 * source answers. Scripts (a test's scripted answers, src/scripts/) sit above the overrides:
 * a script that matches wins, and a partial one is completed from the answer below it. Future
 * sources (proxy, replay) are `extra` steps that answer without calling `next`.
 */
export interface PipelineParts {
  streaming?: Step;
  strictModels?: Step;
  scripts?: Step;
  overrides?: Step;
  extra?: readonly Step[];
  models?: Step;
  realism?: Step;
}

export function assemblePipeline(parts: PipelineParts, engine: Handler): Handler {
  const steps = [parts.streaming, parts.strictModels, parts.scripts, parts.overrides, ...(parts.extra ?? []), parts.models, parts.realism].filter((s): s is Step => s !== undefined);
  return compose(steps, engine);
}

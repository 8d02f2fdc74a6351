import { compose, type Handler, type Step } from './types';

/**
 * The fixed order of the built-in steps around the engine:
 *
 *   streaming -> realtime secrets -> metrics -> latency -> strict models -> rate limits -> scripts
 *     -> overrides -> extra steps -> replay -> proxy (+record) -> models -> realism -> engine (Prism)
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
 *
 * Load testing (src/latency, src/ratelimit, src/metrics): latency sits just inside streaming, so
 * that it sees the final answer (its usage gives the tokens to pace, an override's or script's own
 * pacing is there to win) and hands its pacing to the streaming step as the answer's
 * `StreamControl`; everything below it, refusals included, is answered before it waits, and it
 * does not delay failures. Rate limits come after strict models (a model the API does not serve
 * is a 404, never counted) and before every source of answers, scripts included: the API counts
 * a request before anything answers it, and a 429 is then not delayed by the latency above.
 * Metrics, outermost but streaming, counts the tokens of final answers before they become events.
 */
export interface PipelineParts {
  streaming?: Step;
  /** Remembers the ephemeral keys handed out (src/realtime/secrets.ts). */
  realtimeSecrets?: Step;
  /** Counts the tokens of final answers (src/metrics). */
  metrics?: Step;
  /** Paces answers like a model (src/latency). */
  latency?: Step;
  strictModels?: Step;
  /** Requests and tokens per minute, as the API limits them (src/ratelimit). */
  rateLimits?: Step;
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
    parts.metrics,
    parts.latency,
    parts.strictModels,
    parts.rateLimits,
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

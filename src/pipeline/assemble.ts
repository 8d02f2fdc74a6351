import { compose, type Handler, type Step } from './types';

/**
 * The fixed order of the built-in steps around the engine:
 *
 *   streaming -> realtime secrets -> metrics -> latency -> strict models -> rate limits
 *     -> state commit -> scripts -> overrides -> extra steps -> state -> replay -> proxy (+record)
 *     -> models -> realism -> engine (Prism)
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
 * State (`--stateful`, src/state/) sits below scripts and overrides and above every source of
 * answers: a create calls `next` for the realistic body (realism's, a cassette's, the upstream's),
 * fills in what the request says and keeps it, and later retrieves, lists and deletes answer from
 * the store without going further. So a script still wins over the store; an override rewrites
 * what the client gets from the store (its context's `state` reads and writes the store itself);
 * and a batch line or a run's message that the state step asks for (`answer()`) goes through the
 * inner chain (`assembleInner`): scripts and overrides included, but not streaming, metrics,
 * latency or rate limits, which are about the client's own request (the API neither paces nor
 * counts a batch's lines as requests).
 * The state commit step, above scripts and overrides (in both chains), hands a handler that
 * asked for it the answer as they left it (src/state/commit.ts): a stored Response keeps what the
 * client received.
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
  /** Stateful mode: hands the final answer (after scripts and overrides) to the handler that keeps it (src/state/commit.ts). */
  stateCommit?: Step;
  scripts?: Step;
  overrides?: Step;
  extra?: readonly Step[];
  /** Stateful mode (src/state/): answers from the session's store, keeps what creates make. */
  state?: Step;
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
    parts.stateCommit,
    parts.scripts,
    parts.overrides,
    ...(parts.extra ?? []),
    parts.state,
    parts.replay,
    parts.proxy,
    parts.models,
    parts.realism,
  ].filter((s): s is Step => s !== undefined);
  return compose(steps, engine);
}

/** The pipeline without what belongs to a client's own request (streaming, metrics, latency, rate limits): what stateful mode's `answer()` runs. */
export function assembleInner(parts: PipelineParts, engine: Handler): Handler {
  return assemblePipeline({ ...parts, streaming: undefined, metrics: undefined, latency: undefined, rateLimits: undefined }, engine);
}

import type { StreamControl } from '../pipeline/types';
import type { OperationKey } from '../overrides/operations';
import type { OverrideContext, OverrideRequest } from '../overrides/types';
import type { ScriptAnswer, ScriptDef } from './compile';
import type { Fault, Reply, ScriptMatch } from './spec';

/**
 * `mock.on(operation, match?)`: scripts in code. Each answer method adds one script and returns
 * the builder, so a sequence reads in order:
 *
 *   mock.on('createChatCompletion').replyOnce(toolCall('get_weather', { city: 'Paris' })).replyOnce(text('Sunny.'));
 *
 * `times(n)`, `delay(ms)` and `stream({...})` apply to the next answer only.
 */

export type ReplyFn<Key extends string> = (request: OverrideRequest<Key>, context: OverrideContext<Key>) => Reply | undefined | Promise<Reply | undefined>;

export interface ScriptBuilder<Key extends string = string> {
  /** The next answer serves `n` matching requests (by default `reply` and `fail` serve all of them). */
  times(n: number): this;
  /** The next answer waits `ms` before its status line. */
  delay(ms: number): this;
  /** Pacing and failures of the next answer's streamed form: `{ intervalMs, firstEventDelayMs, cutAfter, errorAfter, error }`. */
  stream(control: StreamControl): this;
  /** Answers every matching request (or `times(n)` of them): text, `text()`, `toolCall()`, `{ status, headers, body }`, a partial body, or a function of the request. */
  reply(answer: Reply | ReplyFn<Key>): this;
  /** Answers the next matching request only. */
  replyOnce(answer: Reply | ReplyFn<Key>): this;
  /** Answers streamed requests only, paced or failing as `control` says (one script serves both forms otherwise). */
  streamReply(answer: Reply | ReplyFn<Key>, control?: StreamControl): this;
  /** Fails: any status with the API's error body, e.g. `{ status: 429, retryAfter: 0.01 }`, `{ status: 400, code: 'context_length_exceeded' }`. */
  fail(fault: Fault): this;
  /** Closes the connection without answering. */
  close(): this;
}

interface Pending {
  times?: number;
  delayMs?: number;
  stream?: StreamControl;
}

export function scriptBuilder<Key extends OperationKey>(
  operation: Key,
  match: ScriptMatch | ((request: OverrideRequest<Key>) => boolean | Promise<boolean>) | undefined,
  add: (def: ScriptDef) => void,
): ScriptBuilder<Key> {
  let pending: Pending = {};
  const push = (answer: ScriptAnswer, extra: Partial<ScriptDef> = {}) => {
    const def: ScriptDef = {
      operation,
      match: (extra.match ?? match) as ScriptDef['match'],
      times: extra.times ?? pending.times,
      answer,
      delayMs: pending.delayMs,
      stream: pending.stream || extra.stream ? { ...pending.stream, ...extra.stream } : undefined,
    };
    pending = {};
    add(def);
    return builder;
  };
  const asReply = (answer: Reply | ReplyFn<Key>): ScriptAnswer => ({ reply: answer as ScriptAnswer extends { reply: infer R } ? R : never });
  const builder: ScriptBuilder<Key> = {
    times(n) {
      pending.times = n;
      return builder;
    },
    delay(ms) {
      pending.delayMs = ms;
      return builder;
    },
    stream(control) {
      pending.stream = { ...pending.stream, ...control };
      return builder;
    },
    reply: (answer) => push(asReply(answer)),
    replyOnce: (answer) => push(asReply(answer), { times: 1 }),
    streamReply(answer, control) {
      const streamOnly: ScriptMatch | ((request: OverrideRequest<Key>) => boolean | Promise<boolean>) =
        typeof match === 'function'
          ? async (request) => isStreamed(request) && (await match(request))
          : { ...match, stream: true };
      return push(asReply(answer), { match: streamOnly as ScriptDef['match'], stream: control });
    },
    fail: (fault) => push({ fail: fault }),
    close: () => push({ close: true }),
  };
  return builder;
}

function isStreamed(request: OverrideRequest<any>): boolean {
  const body = request.body as { stream?: unknown } | undefined;
  return (typeof body === 'object' && body !== null && body.stream === true) || request.query.stream === 'true';
}

import type { PreparedOperation } from '../openapi/prepare';
import type { StreamControl } from '../pipeline/types';
import { ConfigError } from '../config/errors';
import { compileOverrides, type CompiledOverride, type OverrideSet } from '../overrides/set';
import type { AnyOverride, OverrideContext } from '../overrides/types';
import { compileMatch } from './match';
import { faultProblem, replacementFor, replyProblem } from './answers';
import type { Fault, MatchFunction, Reply, ReplyFunction, ScriptMatch, ScriptSpec } from './spec';

/**
 * A script: an override (operation, match, response) compiled by the overrides' own
 * `compileOverrides`, plus what makes it a script: how many requests it answers, how many it has,
 * and its faults (delay, close, fail).
 */

export type ScriptAnswer = { reply: Reply | ReplyFunction } | { fail: Fault } | { close: true };

/** A script as code builds it (`mock.on(...)`) and data compiles to. */
export interface ScriptDef {
  operation: string;
  name?: string;
  session?: string;
  match?: ScriptMatch | MatchFunction;
  /** Unlimited when undefined. */
  times?: number;
  answer: ScriptAnswer;
  delayMs?: number;
  stream?: StreamControl;
}

export type ScriptOrigin = 'code' | 'admin' | 'fixture';

/** What the admin API and `scripts()` show of a script. */
export interface ScriptInfo {
  id: string;
  label: string;
  operation: string;
  session: string;
  origin: ScriptOrigin;
  /** Requests it answered. */
  used: number;
  /** How many it answers in all; null for unlimited. */
  times: number | null;
  /** Never matched, or matched fewer than `times` requests. */
  pending: boolean;
}

let nextId = 0;

export class Script {
  readonly id = `script_${++nextId}`;
  used = 0;
  constructor(
    readonly def: ScriptDef,
    readonly label: string,
    readonly origin: ScriptOrigin,
    readonly session: string,
    private readonly set: OverrideSet,
    readonly compiled: CompiledOverride,
  ) {}

  covers(operationId: string): boolean {
    return this.set.forOperation(operationId).length > 0;
  }

  get exhausted(): boolean {
    return this.def.times !== undefined && this.used >= this.def.times;
  }

  get pending(): boolean {
    return this.def.times === undefined ? this.used === 0 : this.used < this.def.times;
  }

  info(): ScriptInfo {
    return {
      id: this.id,
      label: this.label,
      operation: this.def.operation,
      session: this.session,
      origin: this.origin,
      used: this.used,
      times: this.def.times ?? null,
      pending: this.pending,
    };
  }
}

const describe = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

export function compileScript(def: ScriptDef, label: string, origin: ScriptOrigin, defaultSession: string, operations: readonly PreparedOperation[]): Script {
  if (def.times !== undefined && !(Number.isInteger(def.times) && def.times >= 1)) throw new ConfigError(`${label}: "times" must be a whole number from 1, got ${JSON.stringify(def.times)}`);
  if (def.delayMs !== undefined && !(typeof def.delayMs === 'number' && def.delayMs >= 0 && Number.isFinite(def.delayMs))) {
    throw new ConfigError(`${label}: "delayMs" must be milliseconds (a number >= 0), got ${JSON.stringify(def.delayMs)}`);
  }
  if (def.stream !== undefined && (typeof def.stream !== 'object' || def.stream === null)) throw new ConfigError(`${label}: "stream" must be an object { intervalMs, cutAfter, ... }`);
  if (def.session !== undefined && (typeof def.session !== 'string' || def.session === '')) throw new ConfigError(`${label}: "session" must be a name`);
  const answer = def.answer;
  if ('reply' in answer) {
    const problem = replyProblem(answer.reply);
    if (problem) throw new ConfigError(`${label}: ${problem}`);
  } else if ('fail' in answer) {
    const problem = faultProblem(answer.fail);
    if (problem) throw new ConfigError(`${label}: ${problem}`);
  }

  const match = typeof def.match === 'function' ? def.match : def.match !== undefined ? compileMatch(def.match, label) : undefined;
  const reply = 'reply' in answer ? answer.reply : undefined;
  const override: AnyOverride = {
    operation: def.operation as AnyOverride['operation'],
    name: def.name,
    match,
    response: async (context: OverrideContext) => {
      const given = typeof reply === 'function' ? await reply(context.request, context) : reply;
      return given === undefined ? undefined : replacementFor(given, context);
    },
  };
  const set = compileOverrides([{ override, label }], operations);
  const ids = operations.map((o) => o.iid).find((id) => set.forOperation(id).length > 0);
  const compiled = set.forOperation(ids!)[0]!;
  return new Script(def, label, origin, def.session ?? defaultSession, set, compiled);
}

const SPEC_KEYS = new Set(['operation', 'name', 'session', 'match', 'times', 'reply', 'replies', 'fail', 'close', 'delayMs', 'stream']);

/** Scripts in data form (a fixture file's entries, an admin call's body) as definitions; a `replies` list is one script per reply. */
export function defsFromSpec(spec: unknown, label: string): ScriptDef[] {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new ConfigError(`${label}: a script is an object { operation, match, reply | replies | fail | close }, got ${describe(spec)}`);
  const s = spec as ScriptSpec & Record<string, unknown>;
  for (const key of Object.keys(s)) if (!SPEC_KEYS.has(key)) throw new ConfigError(`${label}: unknown key "${key}" (known: ${[...SPEC_KEYS].join(', ')})`);
  if (typeof s.operation !== 'string' || s.operation.trim() === '') {
    throw new ConfigError(`${label}: "operation" must name an operation (an operationId like "createChatCompletion", or "POST /chat/completions"), got ${describe(s.operation)}`);
  }
  const answers = ['reply', 'replies', 'fail', 'close'].filter((k) => s[k] !== undefined);
  if (answers.length !== 1) throw new ConfigError(`${label}: a script has one of "reply", "replies", "fail" or "close"${answers.length ? `, not ${answers.join(' and ')}` : ''}`);
  const base = { operation: s.operation, name: s.name, session: s.session, match: s.match, delayMs: s.delayMs, stream: s.stream };
  if (s.replies !== undefined) {
    if (!Array.isArray(s.replies) || s.replies.length === 0) throw new ConfigError(`${label}: "replies" must be a non-empty list of replies`);
    if (s.times !== undefined) throw new ConfigError(`${label}: "replies" answer once each; "times" goes with "reply" or "fail"`);
    return s.replies.map((reply) => ({ ...base, times: 1, answer: { reply } }));
  }
  if (s.close !== undefined && s.close !== true) throw new ConfigError(`${label}: "close" must be true`);
  const answer: ScriptAnswer = s.reply !== undefined ? { reply: s.reply } : s.fail !== undefined ? { fail: s.fail } : { close: true };
  return [{ ...base, times: s.times, answer }];
}

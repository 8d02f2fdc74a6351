import path from 'node:path';
import type { ProxySettings } from '../proxy/step';
import type { RedactRule } from './redact';
import type { ReplayMode, ReplaySpeed } from './replay-step';

export interface RecordSettings {
  dir: string;
  /** Body paths (`user`, `messages.*.content`) whose values are replaced, and patterns (`/sk-[a-z0-9]+/i`) replaced anywhere. */
  redact?: RedactRule[];
}

export interface ReplaySettings {
  dir: string;
  /** Default `replay`. */
  mode?: ReplayMode;
  /** Body paths left out of matching (`user`, `metadata`, `stream_options`; `query.x` for the query). */
  ignore?: string[];
  /** Stream pacing: `recorded` (the default), `fast`, or a factor (2 = twice as fast). */
  speed?: ReplaySpeed;
}

const MODES: readonly ReplayMode[] = ['replay', 'record-missing', 'record'];
const FALLBACKS = ['mock', 'error'];
const isStringList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function settleProxy(value: unknown): ProxySettings | undefined {
  if (value === undefined) return undefined;
  const proxy: ProxySettings = typeof value === 'string' ? { target: value } : { ...(value as ProxySettings) };
  if (proxy.fallback !== undefined && !FALLBACKS.includes(proxy.fallback)) throw new Error(`proxy.fallback must be "mock" or "error", got ${JSON.stringify(proxy.fallback)}`);
  for (const list of ['include', 'exclude'] as const) {
    if (proxy[list] !== undefined && !isStringList(proxy[list])) throw new Error(`proxy.${list} must be an array of operation ids or paths`);
  }
  if (proxy.timeoutMs !== undefined && !(Number.isInteger(proxy.timeoutMs) && proxy.timeoutMs > 0)) throw new Error(`proxy.timeoutMs must be a whole number of milliseconds`);
  if (proxy.apiKey !== undefined && typeof proxy.apiKey !== 'string') throw new Error('proxy.apiKey must be a string');
  return proxy;
}

/** Folders from a config are read from the config's folder, others from the working directory. */
function folder(dir: string, origin: string | undefined, where: { cwd: string; configDir?: string }): string {
  return path.resolve(origin?.startsWith('config') && where.configDir ? where.configDir : where.cwd, dir);
}

export function settleCassettes(
  values: Record<string, unknown>,
  origins: Record<string, string>,
  where: { cwd: string; configDir?: string },
): { record?: Required<RecordSettings>; replay?: Required<ReplaySettings> } {
  const out: { record?: Required<RecordSettings>; replay?: Required<ReplaySettings> } = {};
  if (values.record !== undefined) {
    const given = typeof values.record === 'string' ? { dir: values.record } : (values.record as RecordSettings);
    const redact = given.redact ?? [];
    if (!Array.isArray(redact) || !redact.every((r) => typeof r === 'string' || r instanceof RegExp)) {
      throw new Error('record.redact must be an array of body paths and patterns (RegExp, or text written /.../flags)');
    }
    out.record = { dir: folder(given.dir, origins.record, where), redact };
  }
  if (values.replay !== undefined) {
    const given = typeof values.replay === 'string' ? { dir: values.replay } : (values.replay as ReplaySettings);
    const mode = (values.replayMode as ReplayMode | undefined) ?? given.mode ?? 'replay';
    if (!MODES.includes(mode)) throw new Error(`replay.mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
    const speed = given.speed ?? 'recorded';
    if (!(speed === 'recorded' || speed === 'fast' || (typeof speed === 'number' && speed > 0))) {
      throw new Error(`replay.speed must be "recorded", "fast" or a positive factor, got ${JSON.stringify(speed)}`);
    }
    if (given.ignore !== undefined && !isStringList(given.ignore)) throw new Error('replay.ignore must be an array of body paths');
    out.replay = { dir: folder(given.dir, origins.replay, where), mode, ignore: given.ignore ?? [], speed };
  }
  if (out.record && !values.proxy) throw new Error('record needs a proxy to record from: give --proxy URL (or proxy in the config)');
  if (out.replay && out.replay.mode !== 'replay' && !values.proxy) {
    throw new Error(`replay mode ${out.replay.mode} sends requests upstream: give --proxy URL (or proxy in the config)`);
  }
  return out;
}

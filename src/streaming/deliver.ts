import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamControl } from '../pipeline/types';
import { frame, type StreamError, type StreamPlan } from './events';

/**
 * Thrown by a stream that was told to cut its connection: the writer destroys the socket, so the
 * client sees a connection closed mid-stream, not a clean end.
 */
export class ConnectionCut extends Error {
  constructor(readonly afterEvents: number) {
    super(`stream cut after ${afterEvents} events, as configured`);
  }
}

/** What an error event says when the control asks for an error but does not word it. */
export const DEFAULT_STREAM_ERROR: StreamError = {
  message: 'The server had an error while processing your request. Sorry about that!',
  type: 'server_error',
  code: null,
  param: null,
};

/** How long the events before a cut have to reach the client before its connection fails. */
const CUT_GRACE_MS = 20;

const validCount = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;

/** Where, among `count` events, the error goes: `errorAfter`, or midway when only `error` is set. */
function errorPosition(control: StreamControl, count: number): number | undefined {
  if (validCount(control.errorAfter)) return Math.min(Math.floor(control.errorAfter), count);
  if (control.error) return Math.floor(count / 2);
  return undefined;
}

function errorOf(control: StreamControl): StreamError {
  const given = control.error;
  if (!given) return DEFAULT_STREAM_ERROR;
  return { message: given.message, type: given.type ?? 'server_error', code: given.code ?? null, param: given.param ?? null };
}

async function pause(ms: number | undefined, signal: AbortSignal): Promise<void> {
  // No timer at all for the default zero: a stream then goes out as fast as the socket takes it.
  if (!ms || ms <= 0 || !Number.isFinite(ms)) return;
  await sleep(ms, undefined, { signal });
}

/**
 * The plan's events as framed text, paced by the control: `firstEventDelayMs` before the first,
 * `intervalMs` before each later one; an error event in place of event `errorAfter` (the stream
 * then ends, as the API's does), or a cut connection in place of event `cutAfter` (a cut wins
 * when both fall on the same event). The pauses end at once when the client goes away.
 */
export async function* deliver(plan: StreamPlan, control: StreamControl, signal: AbortSignal): AsyncGenerator<string> {
  const count = plan.events.length;
  const errorAt = errorPosition(control, count);
  const cutAt = validCount(control.cutAfter) ? Math.min(Math.floor(control.cutAfter), count) : undefined;
  const ordered = plan.end ? [...plan.events, plan.end] : plan.events;

  for (let position = 0; position <= ordered.length; position++) {
    const wait = position === 0 ? control.firstEventDelayMs : (control.gapMs?.(position) ?? control.intervalMs);
    if (position === cutAt) {
      // A client drops whatever it has not read yet when its connection fails: the events sent
      // before the cut get a moment to be read, so that the client sees them, then the failure.
      await pause(Math.max(wait ?? 0, CUT_GRACE_MS), signal);
      throw new ConnectionCut(position);
    }
    const event = position === errorAt ? plan.error(errorOf(control), position) : ordered[position];
    if (!event) return;
    await pause(wait, signal);
    yield frame(event);
    if (position === errorAt) return;
  }
}

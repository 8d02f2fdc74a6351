import type { StreamControl } from '../pipeline/types';
import { frame, type StreamError, type StreamPlan } from './events';
import { wheel, type Pacer } from './wheel';

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

function pause(ms: number | undefined, pacer: Pacer): Promise<void> | undefined {
  // No wait at all for the default zero: a stream then goes out as fast as the socket takes it.
  if (!ms || ms <= 0 || !Number.isFinite(ms)) return undefined;
  return pacer.wait(ms);
}

/**
 * Streams of `deliver` whose first event is ready at once (not delayed, not cut): the writer sends
 * their headers with that event, in one write, instead of on their own.
 */
export const firstEventNow = new WeakSet<object>();

/**
 * The plan's events as framed text, paced by the control: `firstEventDelayMs` before the first,
 * `intervalMs` before each later one; an error event in place of event `errorAfter` (the stream
 * then ends, as the API's does), or a cut connection in place of event `cutAfter` (a cut wins
 * when both fall on the same event). The pauses end at once when the client goes away.
 */
export function deliver(plan: StreamPlan, control: StreamControl, signal: AbortSignal): AsyncGenerator<string> {
  const stream = events(plan, control, signal);
  if (!((control.firstEventDelayMs ?? 0) > 0) && control.cutAfter === undefined) firstEventNow.add(stream);
  return stream;
}

async function* events(plan: StreamPlan, control: StreamControl, signal: AbortSignal): AsyncGenerator<string> {
  const count = plan.events.length;
  const errorAt = errorPosition(control, count);
  const cutAt = validCount(control.cutAfter) ? Math.min(Math.floor(control.cutAfter), count) : undefined;
  const total = plan.end ? count + 1 : count;
  // All of this stream's waits on the shared wheel, ended by one abort listener (see wheel.ts).
  const pacer = wheel.pacer(signal);
  try {
    for (let position = 0; position <= total; position++) {
      const wait = position === 0 ? control.firstEventDelayMs : (control.gapMs?.(position) ?? control.intervalMs);
      if (position === cutAt) {
        // A client drops whatever it has not read yet when its connection fails: the events sent
        // before the cut get a moment to be read, so that the client sees them, then the failure.
        await pacer.wait(Math.max(wait ?? 0, CUT_GRACE_MS));
        throw new ConnectionCut(position);
      }
      const event = position === errorAt ? plan.error(errorOf(control), position) : position < count ? plan.events[position] : position === count ? plan.end : undefined;
      if (!event) return;
      const paused = pause(wait, pacer);
      if (paused) await paused;
      yield frame(event);
      if (position === errorAt) return;
    }
  } finally {
    pacer.close();
  }
}

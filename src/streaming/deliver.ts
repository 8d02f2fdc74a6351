import type { StreamControl } from '../pipeline/types';
import { frame, type SseEvent, type StreamError, type StreamPlan } from './events';
import { wheel, type Pacer, type Waiter } from './wheel';

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

/**
 * Streams of `deliver` whose first event is ready at once (not delayed, not cut): the writer sends
 * their headers with that event, in one write, instead of on their own.
 */
export const firstEventNow = new WeakSet<object>();

/** Where a stream opened with `EventStream.open` sends its events. */
export interface EventSink {
  /**
   * One framed event, and the event it frames. False holds the stream until its run's `resume()`
   * (a reader behind, an iterator not yet asked for more).
   */
  write(chunk: string, event: SseEvent): boolean;
  /** The stream is over: at its end with no argument, or with the error that ended it (a `ConnectionCut`, an AbortError when the client left, a failure). Not called after `stop()`. */
  end(...error: [] | [unknown]): void;
}

/**
 * The plan's events as framed text, paced by the control: `firstEventDelayMs` before the first,
 * `intervalMs` before each later one; an error event in place of event `errorAfter` (the stream
 * then ends, as the API's does), or a cut connection in place of event `cutAfter` (a cut wins
 * when both fall on the same event). The pauses end at once when the client goes away.
 */
export function deliver(plan: StreamPlan, control: StreamControl, signal: AbortSignal): EventStream {
  const stream = new EventStream(plan, control, signal);
  if (!((control.firstEventDelayMs ?? 0) > 0) && control.cutAfter === undefined) firstEventNow.add(stream);
  return stream;
}

/**
 * A paced stream, read once: either iterated (any consumer), or opened on a sink that the wheel
 * calls as each event falls due. The second is how the writer sends it: at thousands of streams a
 * promise, a generator step and an iterator step per event were most of the server's work.
 */
export class EventStream implements AsyncIterable<string> {
  private taken = false;
  private iterator: AsyncIterator<string> | undefined;

  constructor(
    private readonly plan: StreamPlan,
    private readonly control: StreamControl,
    private readonly signal: AbortSignal,
  ) {}

  /** A run that sends the events to `sink` once started; the stream cannot be read another way after. */
  open(sink: EventSink): EventRun {
    if (this.taken) throw new Error('This stream is already being read.');
    this.taken = true;
    return new EventRun(this.plan, this.control, this.signal, sink);
  }

  /** The same iterator each time, as a generator's: a stream is read once. */
  [Symbol.asyncIterator](): AsyncIterator<string> {
    return (this.iterator ??= iterate(this));
  }
}

/** An iterator over a run: each `next()` lets the run go on to its next event. */
function iterate(stream: EventStream): AsyncIterator<string> {
  let asked: { resolve: (result: IteratorResult<string>) => void; reject: (error: unknown) => void } | undefined;
  let over: { error?: unknown; failed: boolean } | undefined;
  let last: Promise<unknown> = Promise.resolve();
  const run = stream.open({
    write(chunk) {
      const taker = asked;
      asked = undefined;
      taker?.resolve({ value: chunk, done: false });
      return false;
    },
    end(...error) {
      const taker = asked;
      asked = undefined;
      // An error nobody asked for yet is kept for the next call; after it, as after the end, calls find the stream done.
      over = error.length > 0 && !taker ? { error: error[0], failed: true } : { failed: false };
      if (!taker) return;
      if (error.length > 0) taker.reject(error[0]);
      else taker.resolve({ value: undefined, done: true });
    },
  });
  let started = false;
  const step = (): Promise<IteratorResult<string>> =>
    new Promise<IteratorResult<string>>((resolve, reject) => {
      if (over) {
        // As a generator: its error once, then done.
        const { failed, error } = over;
        over = { failed: false };
        return failed ? reject(error) : resolve({ value: undefined, done: true });
      }
      asked = { resolve, reject };
      if (started) run.resume();
      else (started = true), run.start();
    });
  return {
    next() {
      // A call made before the last one settled waits for it, as a generator's calls queue.
      const result = last.then(step, step);
      last = result;
      return result;
    },
    async return(value?: unknown) {
      run.stop();
      over ??= { failed: false };
      const taker = asked;
      asked = undefined;
      taker?.resolve({ value: undefined, done: true });
      return { value: value as string, done: true };
    },
  };
}

/** One stream's way through its events; the wheel calls it back when a pause ends. */
export class EventRun {
  private readonly count: number;
  private readonly errorAt: number | undefined;
  private readonly cutAt: number | undefined;
  private readonly pacer: Pacer;
  /** Reused for every pause: a run waits on one thing at a time, and never again once it has stopped. */
  private readonly waiter: Waiter;
  private position = 0;
  /** The event at `position`, worked out before its pause, sent when the pause ends. */
  private event: SseEvent | undefined;
  /** The pause before `position` is over (or was never needed). */
  private paused = false;
  /** The sink asked to wait (`write` returned false). */
  private held = false;
  private over = false;

  constructor(
    private readonly plan: StreamPlan,
    private readonly control: StreamControl,
    signal: AbortSignal,
    private readonly sink: EventSink,
  ) {
    this.count = plan.events.length;
    this.errorAt = errorPosition(control, this.count);
    this.cutAt = validCount(control.cutAfter) ? Math.min(Math.floor(control.cutAfter), this.count) : undefined;
    this.pacer = wheel.pacer(signal);
    this.waiter = { due: 0, live: false, resolve: () => this.advance(true), reject: (error) => this.finish(true, error) };
  }

  start(): void {
    const control = this.control;
    // Only a paced stream waits to be let in (an unpaced one never touches the wheel).
    const paced = (control.intervalMs ?? 0) > 0 || (control.firstEventDelayMs ?? 0) > 0 || control.gapMs !== undefined;
    if (paced) wheel.admit(this.begin);
    else this.advance(false);
  }

  private readonly begin = (): void => this.advance(false);

  /** The sink can take more again. */
  resume(): void {
    if (!this.held || this.over) return;
    this.held = false;
    this.advance(false);
  }

  /** Ends the run without telling the sink (it is the one that stopped it). */
  stop(): void {
    if (this.over) return;
    this.over = true;
    this.pacer.close();
  }

  private finish(failed: boolean, error?: unknown): void {
    if (this.over) return;
    this.over = true;
    this.pacer.close();
    if (failed) this.sink.end(error);
    else this.sink.end();
  }

  /** Sends events until one has to wait (for its time, or for the sink) or the stream ends. */
  private advance(waited: boolean): void {
    if (waited) this.paused = true;
    const control = this.control;
    try {
      while (!this.over) {
        const position = this.position;
        if (!this.paused) {
          const wait = position === 0 ? control.firstEventDelayMs : (control.gapMs?.(position) ?? control.intervalMs);
          if (position === this.cutAt) {
            // A client drops whatever it has not read yet when its connection fails: the events sent
            // before the cut get a moment to be read, so that the client sees them, then the failure.
            this.pacer.schedule(Math.max(wait ?? 0, CUT_GRACE_MS), this.waiter);
            return;
          }
          const plan = this.plan;
          const count = this.count;
          this.event = position === this.errorAt ? plan.error(errorOf(control), position) : position < count ? plan.events[position] : position === count ? plan.end : undefined;
          if (!this.event) return this.finish(false);
          // No wait at all for the default zero: a stream then goes out as fast as the socket takes it.
          if (wait && wait > 0 && Number.isFinite(wait)) {
            this.pacer.schedule(wait, this.waiter);
            return;
          }
        }
        this.paused = false;
        if (position === this.cutAt) return this.finish(true, new ConnectionCut(position));
        const event = this.event!;
        this.event = undefined;
        this.position = position + 1;
        const more = this.sink.write(frame(event), event);
        if (position === this.errorAt) return this.finish(false);
        if (!more) {
          this.held = !this.over;
          return;
        }
      }
    } catch (error) {
      this.finish(true, error);
    }
  }
}

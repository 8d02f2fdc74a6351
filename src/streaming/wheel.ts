/**
 * One timer for every paced stream. A `setTimeout` per event (with an abort listener per wait, as
 * `timers/promises` adds) costs a timer object, a listener and a closure per event per stream;
 * with thousands of streams 20 ms apart that is most of the server's work. Here waits are kept by
 * the millisecond they are due, one Node timer is armed for the earliest, and when it fires every
 * wait due by then is released together. A stream registers its abort signal once (a `Pacer`), not
 * once per wait.
 *
 * A wait is never released early: it is due at `performance.now() + ms` rounded up to the next
 * millisecond, and a timer that fires before that (Node's clock is coarser) is armed again.
 */

const LONGEST_TIMER_MS = 2 ** 31 - 1;
/** The longest the wheel releases waits before letting the event loop take new requests and I/O. */
const SLICE_MS = 2;

/**
 * A paced stream starts (sends its headers and first event) only while the wheel keeps time: when
 * it released its last waits more than this late, new streams wait their turn instead. Past what
 * one thread can pace, letting every stream in would slow every stream alike (at 3,000 streams
 * 20 ms apart, events came 70 to 90 ms apart at the median); held at the door, the streams under
 * way keep their pace and the newcomers' first event comes later, as a loaded API's time to first
 * token grows while its tokens keep coming at their rate. Tried here at 10, 30, 50, 80 and 100 ms
 * (3,000 streams 20 ms apart): at 10 the door let in too few to keep the thread busy (events per
 * second fell by a fifth); from 30 on the gap p99 held at 80 to 140 ms against 240 to 320 without
 * a door.
 */
const ADMIT_LATE_MS = 50;
/** Streams let in per release that kept time: enough to fill the room fast, few enough to see the effect before the next batch. */
const ADMIT_BATCH = 32;
/** A lateness older than this says nothing of now: a wheel with nothing due for that long lets streams in. */
const LATENESS_STALE_MS = 100;

/** A wait on the wheel. One may be added again once released, never once cancelled (its slot may still hold it). */
export interface Waiter {
  due: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Cleared when the wait ends another way (its stream aborted): the tick then skips it. */
  live: boolean;
}

/** A small binary min-heap of the distinct due times that have waiters. */
class DueHeap {
  private items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): number | undefined {
    return this.items[0];
  }

  clear(): void {
    this.items = [];
  }

  push(value: number): void {
    const items = this.items;
    let i = items.push(value) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= value) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = value;
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]! < items[left]! ? right : left;
      if (items[child]! >= last) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

export class TimerWheel {
  private readonly slots = new Map<number, Waiter[]>();
  private readonly dues = new DueHeap();
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private live = 0;
  /** Releasing waits: waits added meanwhile (runs going on to their next event) are armed for once, at the end. */
  private ticking = false;
  /** A slice ended before the due waits did: the rest go on at `setImmediate`, not on a timer. */
  private slicing = false;

  /** How late the last slot of waits was released, and when (see ADMIT_LATE_MS). */
  private lateMs = 0;
  private lateAt = 0;
  /** Streams waiting to start, oldest first from `startHead`. */
  private starting: (() => void)[] = [];
  private startHead = 0;
  private admitScheduled = false;
  private recheck: NodeJS.Timeout | undefined;

  /** Streams held back from starting until the wheel keeps time again. */
  get waitingToStart(): number {
    return this.starting.length - this.startHead;
  }

  /** Starts a paced stream now, or once the streams under way are paced on time again (see ADMIT_LATE_MS). */
  admit(start: () => void): void {
    if (this.waitingToStart === 0 && this.keepsTime()) return start();
    this.starting.push(start);
    this.recheckLater();
  }

  /**
   * Streams under way may be paced minutes apart: the release that would let a waiting stream in
   * could be that far off. Once the lateness is stale, a timer lets them in instead.
   */
  private recheckLater(): void {
    if (this.recheck) return;
    this.recheck = setTimeout(() => {
      this.recheck = undefined;
      this.admitWaiting();
      if (this.waitingToStart > 0) this.recheckLater();
    }, LATENESS_STALE_MS + 1);
  }

  private keepsTime(): boolean {
    return this.live === 0 || this.lateMs <= ADMIT_LATE_MS || performance.now() - this.lateAt > LATENESS_STALE_MS;
  }

  private admitSoon(): void {
    if (this.admitScheduled) return;
    this.admitScheduled = true;
    setImmediate(() => {
      this.admitScheduled = false;
      this.admitWaiting();
    });
  }

  /** Lets in a batch of waiting streams if the wheel keeps time (all of them while nothing is paced). */
  private admitWaiting(): void {
    let batch = this.live === 0 ? Infinity : ADMIT_BATCH;
    while (batch-- > 0 && this.waitingToStart > 0 && this.keepsTime()) {
      const start = this.starting[this.startHead]!;
      this.starting[this.startHead++] = undefined as never;
      start();
    }
    if (this.startHead === this.starting.length) {
      this.starting = [];
      this.startHead = 0;
    } else if (this.startHead >= 1024 && this.startHead * 2 >= this.starting.length) {
      this.starting = this.starting.slice(this.startHead);
      this.startHead = 0;
    }
  }

  /** Waits not yet released (streams paused between events). */
  get pending(): number {
    return this.live;
  }

  /** Resolves after at least `ms` milliseconds. */
  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => this.add({ due: Math.ceil(performance.now() + ms), resolve, reject, live: true }));
  }

  /** A stream's pacing: its waits end at once, rejected with an AbortError, when `signal` aborts. */
  pacer(signal: AbortSignal): Pacer {
    return new Pacer(this, signal);
  }

  /** @internal */
  add(waiter: Waiter): void {
    this.live++;
    const slot = this.slots.get(waiter.due);
    if (slot) slot.push(waiter);
    else {
      this.slots.set(waiter.due, [waiter]);
      this.dues.push(waiter.due);
    }
    if (waiter.due < this.armedFor && !this.ticking && !this.slicing) this.arm(waiter.due);
  }

  /** @internal Ends a wait early (its stream is gone); the slot drops it when due. */
  cancel(waiter: Waiter): boolean {
    if (!waiter.live) return false;
    waiter.live = false;
    if (--this.live === 0) {
      this.clear();
      // The last stream under way left: no release will come to let the waiting ones in.
      if (this.waitingToStart > 0) this.admitSoon();
    }
    return true;
  }

  /** Nothing waits any more: no timer is left armed for waits that were cancelled. */
  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    this.slots.clear();
    this.dues.clear();
  }

  private arm(due: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = due;
    // Armed only while something waits (at most a cancelled wait's interval after the last one).
    // Node fires a timer of more than 2^31-1 ms after 1 ms: a far wait (intervalMs: 1e12) re-arms at most that far.
    this.timer = setTimeout(this.tick, Math.min(LONGEST_TIMER_MS, Math.max(1, due - performance.now())));
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    this.slicing = false;
    const now = performance.now();
    this.ticking = true;
    let sliced = false;
    try {
      for (let due = this.dues.peek(); due !== undefined && due <= now; due = this.dues.peek()) {
        this.dues.pop();
        this.lateMs = now - due;
        this.lateAt = now;
        const slot = this.slots.get(due)!;
        this.slots.delete(due);
        for (let i = 0; i < slot.length; i++) {
          const waiter = slot[i]!;
          if (!waiter.live) continue;
          waiter.live = false;
          this.live--;
          waiter.resolve();
          // Overdue work is released in slices, the event loop turning in between: a request that
          // arrives while thousands of streams are behind gets its first event after one slice,
          // not after the whole backlog (the bare `setInterval` server answers it in its poll
          // phase likewise). Checked every few waits: reading the clock costs as much as a wait.
          if ((i & 7) === 7 && i + 1 < slot.length && performance.now() - now >= SLICE_MS) {
            this.putBack(due, slot.slice(i + 1));
            sliced = true;
            break;
          }
        }
        if (sliced) break;
      }
    } finally {
      this.ticking = false;
    }
    if (sliced) {
      this.slicing = true;
      setImmediate(this.tick);
      return;
    }
    // Caught up: streams waiting to start come in now if this release was on time.
    if (this.waitingToStart > 0) this.admitWaiting();
    const next = this.dues.peek();
    if (next !== undefined) this.arm(next);
  };

  /** The waits of a slot a slice did not reach, due first in the next tick. */
  private putBack(due: number, rest: Waiter[]): void {
    const slot = this.slots.get(due);
    if (slot) this.slots.set(due, rest.concat(slot));
    else {
      this.slots.set(due, rest);
      this.dues.push(due);
    }
  }
}

/** One stream's waits on the wheel, all ended by one abort listener. */
export class Pacer {
  private current: Waiter | undefined;
  private listening = false;

  constructor(
    private readonly wheel: TimerWheel,
    private readonly signal: AbortSignal,
  ) {}

  /** Resolves after at least `ms` ms; rejects with an AbortError if the signal aborts first. */
  wait(ms: number): Promise<void> {
    if (this.signal.aborted) return Promise.reject(abortError(this.signal));
    if (!this.listening) {
      this.listening = true;
      this.signal.addEventListener('abort', this.onAbort, { once: true });
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { due: Math.ceil(performance.now() + ms), resolve, reject, live: true };
      this.current = waiter;
      this.wheel.add(waiter);
    });
  }

  /**
   * As `wait`, with no promise: the wheel calls `waiter.resolve` when it is due, or `waiter.reject`
   * with an AbortError if the signal aborts first (at once if it already has).
   */
  schedule(ms: number, waiter: Waiter): void {
    if (this.signal.aborted) return waiter.reject(abortError(this.signal));
    if (!this.listening) {
      this.listening = true;
      this.signal.addEventListener('abort', this.onAbort, { once: true });
    }
    waiter.due = Math.ceil(performance.now() + ms);
    waiter.live = true;
    this.current = waiter;
    this.wheel.add(waiter);
  }

  /** Stops listening to the signal; a wait still pending is dropped. */
  close(): void {
    if (this.current) this.wheel.cancel(this.current);
    this.current = undefined;
    if (this.listening) this.signal.removeEventListener('abort', this.onAbort);
    this.listening = false;
  }

  private readonly onAbort = (): void => {
    this.listening = false;
    const waiter = this.current;
    this.current = undefined;
    if (waiter && this.wheel.cancel(waiter)) waiter.reject(abortError(this.signal));
  };
}

/** As `timers/promises` rejects: an AbortError whose cause is the signal's reason. */
function abortError(signal: AbortSignal): Error {
  const error = new Error('The operation was aborted', { cause: signal.reason });
  error.name = 'AbortError';
  return Object.assign(error, { code: 'ABORT_ERR' });
}

/** The process's wheel, shared by every paced stream of every server in it. */
export const wheel = new TimerWheel();

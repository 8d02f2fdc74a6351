import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * Work that may wait (a diagnostic check, a compile that only a check needs) run when the server
 * is quiet, instead of just after the answer that asked for it. A load test starts with a ramp:
 * compiling chat completions' response schema there took 60 to 140 ms of the one thread, and every
 * request that arrived meanwhile waited behind it, a backlog the ramp never caught up with. Quiet
 * means no request came in the last `LOOK_MS` (the server calls `requestCame`) and the loop was busy
 * less than a fifth of it (streams still being written); under a load that never lets up the work
 * waits until the load ends. At most `MAX_WAITING` tasks wait; more are dropped (their callers only
 * sample anyway).
 */

const LOOK_MS = 100;
const QUIET_BELOW = 0.2;
/** What one turn may run before the loop is given back: a task is never cut, only the next one deferred. */
const TURN_MS = 10;
const MAX_WAITING = 256;

const waiting: Array<() => void> = [];
let timer: NodeJS.Timeout | undefined;
let since: EventLoopUtilization | undefined;
let requests = 0;
let requestsAtLook = 0;

/** A request came: whatever waits for quiet waits at least another look. */
export function requestCame(): void {
  requests++;
}

/** Runs `task` once the event loop is quiet; false if too many tasks already wait (it is dropped). */
export function whenQuiet(task: () => void): boolean {
  if (waiting.length >= MAX_WAITING) return false;
  waiting.push(task);
  if (!timer) look();
  return true;
}

function look(): void {
  since = performance.eventLoopUtilization();
  requestsAtLook = requests;
  // Unreferenced: a process with nothing else to do exits without running what waits.
  timer = setTimeout(turn, LOOK_MS).unref();
}

function turn(): void {
  timer = undefined;
  if (requests !== requestsAtLook || performance.eventLoopUtilization(since).utilization >= QUIET_BELOW) return look();
  const started = performance.now();
  while (waiting.length > 0 && performance.now() - started < TURN_MS) {
    try {
      waiting.shift()!();
    } catch {
      // A task reports its own failures; one that throws must not keep the others from running.
    }
  }
  if (waiting.length > 0) look();
}

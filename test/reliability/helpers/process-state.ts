import v8 from 'node:v8';
import vm from 'node:vm';

/** A real `gc()` inside jest (which does not pass --expose-gc): the flag can be set at run time. */
export function collectGarbage(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

export async function heapAfterGc(): Promise<number> {
  return (await memoryAfterGc()).heapUsed;
}

/** The heap and the memory of ArrayBuffers (Buffers, where the journal packs its entries) after a full collection. */
export async function memoryAfterGc(): Promise<{ heapUsed: number; arrayBuffers: number }> {
  const gc = collectGarbage();
  // Twice, with a turn of the event loop between, so that finalizers and weak callbacks run.
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heapUsed, arrayBuffers };
}

/** Counts of the resources keeping the event loop alive, by type (TCPSocketWrap, Timeout, ...). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/**
 * The resources once handles closed by earlier code (a test file before this one in the same
 * worker) are gone: libuv releases a closed handle on a later turn of the loop.
 */
export async function settledResources(withinMs = 2000): Promise<Record<string, number>> {
  const until = Date.now() + withinMs;
  let last = JSON.stringify(activeResources());
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = JSON.stringify(activeResources());
    if (now === last || Date.now() > until) return JSON.parse(now);
    last = now;
  }
}

/** Resource types that are more numerous now than in `before`, with how many more. */
export function leakedSince(before: Record<string, number>): Record<string, number> {
  const now = activeResources();
  const extra: Record<string, number> = {};
  for (const [type, count] of Object.entries(now)) if (count > (before[type] ?? 0)) extra[type] = count - (before[type] ?? 0);
  return extra;
}

/** Polls until nothing is left over compared to `before`, or the time is up; returns what is left. */
export async function waitForNoLeaks(before: Record<string, number>, withinMs = 5000): Promise<Record<string, number>> {
  const until = Date.now() + withinMs;
  let left = leakedSince(before);
  while (Object.keys(left).length && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = leakedSince(before);
  }
  return left;
}

/** Collects unhandled rejections and uncaught exceptions while a test runs. */
export function trapUnhandled() {
  const seen: string[] = [];
  const onRejection = (reason: unknown) => seen.push(`unhandled rejection: ${(reason as Error)?.stack ?? reason}`);
  const onException = (error: Error) => seen.push(`uncaught exception: ${error.stack ?? error}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    seen,
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

/** A logger that keeps every line, for checks on what the server logged. */
export function captureLogger(level: 'debug' | 'info' | 'warn' | 'error' = 'debug') {
  const lines: string[] = [];
  const write = (prefix: string) => (message: string) => lines.push(prefix + message);
  return {
    lines,
    logger: { level, error: write('error: '), warn: write('warn: '), info: write(''), debug: write('debug: ') },
  };
}

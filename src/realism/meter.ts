/** Milliseconds of CPU this thread has used: the work done, whatever else the machine is busy with. */
const cpuMs: () => number =
  typeof process.threadCpuUsage === 'function'
    ? () => {
        const { user, system } = process.threadCpuUsage();
        return (user + system) / 1000;
      }
    : () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      };

/**
 * The ceiling on one answer: no request may make the server build more than `maxBytes` of body
 * or work on it longer than `maxMs`, whatever it asks for (`n`, inputs, `dimensions`, logprobs).
 * Builders charge what they are about to build before they build it, so that a request over the
 * ceiling is refused at the cost of the arithmetic, not of the answer.
 */

export interface AnswerLimits {
  /** Bytes of body one answer may have. */
  maxBytes: number;
  /** Milliseconds of work (CPU time of the server's thread) one answer may take. */
  maxMs: number;
}

export const DEFAULT_ANSWER_LIMITS: Readonly<AnswerLimits> = Object.freeze({ maxBytes: 48 * 1024 * 1024, maxMs: 500 });

export class AnswerLimitError extends Error {
  constructor(
    readonly kind: 'size' | 'time',
    message: string,
  ) {
    super(message);
    this.name = 'AnswerLimitError';
  }
}

export class AnswerMeter {
  private bytes = 0;
  private wallStart: number | undefined;
  // The thread's CPU clock is a system call: it is read only once an answer has taken a quarter of
  // `maxMs` by the wall clock, which most answers never do. The wall time before that reading is
  // counted as CPU (it cannot have been more), up to that quarter, so the estimate is off by at
  // most maxMs / 4 either way.
  private cpuStart: number | undefined;
  private cpuBefore = 0;

  constructor(readonly limits: AnswerLimits) {}

  /** Counts `bytes` more of answer (an estimate is enough); throws once past either limit. */
  charge(bytes: number, what: string): void {
    this.bytes += Math.max(0, bytes);
    if (this.bytes > this.limits.maxBytes) {
      throw new AnswerLimitError(
        'size',
        `The answer would be about ${formatBytes(this.bytes)} (${what}), more than this server's limit of ${formatBytes(this.limits.maxBytes)} per answer. ` +
          'Ask for less (a smaller n, fewer inputs or dimensions, a lower max_tokens), or raise the limit with --max-answer-bytes (maxAnswerBytes).',
      );
    }
    this.checkTime(what);
  }

  /** Throws once the work since the first charge took more than `maxMs` of this thread's CPU. */
  checkTime(what: string): void {
    const now = performance.now();
    if (this.wallStart === undefined) {
      this.wallStart = now;
      return;
    }
    const wall = now - this.wallStart;
    const quarter = this.limits.maxMs / 4;
    if (this.cpuStart === undefined) {
      if (wall < quarter) return;
      this.cpuStart = cpuMs();
      this.cpuBefore = Math.min(wall, quarter);
      return;
    }
    // The thread cannot have used more CPU than the time that passed: the clock is the cheap check.
    if (wall <= this.limits.maxMs) return;
    if (this.cpuBefore + cpuMs() - this.cpuStart > this.limits.maxMs) {
      throw new AnswerLimitError(
        'time',
        `Building the answer (${what}) took longer than this server's limit of ${this.limits.maxMs} ms per answer. ` +
          'Ask for less, or raise the limit with --max-answer-ms (maxAnswerMs).',
      );
    }
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

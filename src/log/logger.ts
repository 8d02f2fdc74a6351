/** Log lines for people: one per request at info, warnings and errors with enough to act on. */

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

export const LOG_LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];

export interface Logger {
  level: LogLevel;
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const rank: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * Lines for stderr, written together once per turn of the event loop: stderr is written
 * synchronously to a pipe or terminal, one system call per write, and under load a request's log
 * line cost more than its answer. Warnings and errors go out at once (with what was waiting before
 * them), and whatever waits is written when the process exits.
 */
let waiting = '';
let flushScheduled = false;
let flushOnExit = false;

/** Writes the waiting lines now: before the ready line, which a reader takes to mean the start-up lines are all out. */
export function flushStderr(): void {
  flushScheduled = false;
  if (waiting === '') return;
  const text = waiting;
  waiting = '';
  process.stderr.write(text);
}

function toStderr(line: string, urgent: boolean): void {
  waiting += line + '\n';
  if (urgent) return flushStderr();
  if (!flushOnExit) {
    flushOnExit = true;
    process.on('exit', flushStderr);
  }
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushStderr);
  }
}

/** Writes to stderr by default so that stdout stays free for a caller that pipes it. */
export function createLogger(level: LogLevel = 'info', write?: (line: string) => void): Logger {
  const logger: Logger = {
    level,
    error: (message) => emit('error', message),
    warn: (message) => emit('warn', message),
    info: (message) => emit('info', message),
    debug: (message) => emit('debug', message),
  };
  function emit(at: Exclude<LogLevel, 'silent'>, message: string) {
    if (rank[at] > rank[logger.level]) return;
    const prefix = at === 'info' ? '' : `${at}: `;
    if (write) write(prefix + message);
    else toStderr(prefix + message, at === 'error' || at === 'warn');
  }
  return logger;
}

/** Keeps a key recognisable in logs without printing it: `sk-abc…wxyz`. */
export function redactSecret(value: string): string {
  if (value.length <= 8) return '***';
  return `${value.slice(0, 3)}…${value.slice(-4)}`;
}

const SECRET_PARAM = /key|token|secret|auth|password|signature/i;
const SECRET_VALUE = /^(sk|rk|pk|sess)-|^Bearer\s/i;

/** A query parameter that looks like a credential, by its name or its value. */
export function isSecretParam(name: string, value: string): boolean {
  return SECRET_PARAM.test(name) || SECRET_VALUE.test(value);
}

/** A request URL fit for a log line: query values that look like credentials are redacted. */
export function redactUrl(url: string | undefined): string {
  if (!url) return '';
  const at = url.indexOf('?');
  if (at < 0) return url;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(url.slice(at + 1));
  } catch {
    return url.slice(0, at) + '?…';
  }
  let changed = false;
  for (const [name, value] of [...params]) {
    if (isSecretParam(name, value)) {
      params.set(name, redactSecret(value));
      changed = true;
    }
  }
  return changed ? `${url.slice(0, at)}?${params.toString()}` : url;
}

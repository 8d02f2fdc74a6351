/**
 * The `openai-mock` command as a child process (dist/, built by the jest global setup), with
 * everything it prints kept and searchable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
// The Node that runs the tests runs the command too: `npm test` uses the pinned one, `npm run test:node22` Node 22.
const NODE = process.execPath;
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');

export interface CliRun {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** The first match of `pattern` in what is printed after `from` (an index into the output); rejects if the command exits or time runs out first. */
  waitFor(pattern: RegExp, from?: number, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then how it exited. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();
// A test that fails midway must not leave servers behind.
afterAll(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

export function spawnCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; main?: string } = {}): CliRun {
  const child = spawn(NODE, [options.main ?? MAIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
      for (const listener of listeners) listener();
    });
  });

  const waitFor = (pattern: RegExp, from = 0, timeoutMs = 15_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no ${pattern} in the output within ${timeoutMs} ms:\n${text.slice(from)}`));
      }, timeoutMs);
      const check = () => {
        const match = pattern.exec(text.slice(from));
        if (match || child.exitCode !== null || child.signalCode !== null) {
          listeners.delete(check);
          clearTimeout(timer);
          if (match) resolve(match);
          else reject(new Error(`the command exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${text}`));
        }
      };
      listeners.add(check);
      check();
    });

  return {
    child,
    output: () => text,
    waitFor,
    exited,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

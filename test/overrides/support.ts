/**
 * Shared by the override tests: temporary project folders, the command as a child process (with
 * its log), and the official SDK pointed at it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';

export const ROOT = path.resolve(__dirname, '..', '..');
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');
const LISTENING = /openai-mock listening on (http:\/\/127\.0\.0\.1:\d+)/;

export async function tempProject(prefix = 'openai-mock-overrides-'): Promise<{ dir: string; write(file: string, text: string): Promise<string>; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return {
    dir,
    async write(file, text) {
      const full = path.join(dir, file);
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, text);
      return full;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface Cli {
  child: ChildProcess;
  url: string;
  client: OpenAI;
  /** Everything printed so far (stdout and stderr). */
  log(): string;
  /** Waits for `pattern` in what is printed after `from` (an index into the log). */
  waitFor(pattern: RegExp, from?: number, timeoutMs?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

export function sdk(url: string): OpenAI {
  return new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-test', maxRetries: 0, timeout: 20_000 });
}

export async function startCli(args: string[], cwd = ROOT): Promise<Cli> {
  const child = spawn(NODE, [MAIN, '--port', '0', ...args], {
    cwd,
    env: { ...process.env, OPENAI_MOCK_SPEC: process.env.OPENAI_MOCK_SPEC },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  child.on('exit', () => {
    for (const listener of listeners) listener();
  });

  const waitFor = (pattern: RegExp, from = 0, timeoutMs = 15_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no ${pattern} in the log within ${timeoutMs} ms:\n${text.slice(from)}`));
      }, timeoutMs);
      const check = () => {
        const match = pattern.exec(text.slice(from));
        if (match || child.exitCode !== null || child.signalCode !== null) {
          listeners.delete(check);
          clearTimeout(timer);
          if (match) resolve(match);
          else reject(new Error(`the command exited before printing ${pattern}:\n${text}`));
        }
      };
      listeners.add(check);
      check();
    });

  const url = (await waitFor(LISTENING))[1]!;
  return {
    child,
    url,
    client: sdk(url),
    log: () => text,
    waitFor,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Asks until `read` gives what `accept` wants (or fails after `timeoutMs`); returns the last answer. */
export async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const ask = (client: OpenAI, model = 'gpt-4o', content = 'Hi') =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content }] }).then((c) => c.choices[0]!.message.content);

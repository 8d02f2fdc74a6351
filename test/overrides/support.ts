/**
 * Shared by the override tests: temporary project folders, the command as a child process (with
 * its log), and the official SDK pointed at it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';

import { ROOT, spawnCli } from '../helpers/cli';

export { ROOT };
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
  const run = spawnCli(['--port', '0', ...args], { cwd, env: { OPENAI_MOCK_SPEC: process.env.OPENAI_MOCK_SPEC } });
  const url = (await run.waitFor(LISTENING))[1]!;
  return {
    child: run.child,
    url,
    client: sdk(url),
    log: run.output,
    waitFor: run.waitFor,
    stop: async () => {
      await run.stop();
    },
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

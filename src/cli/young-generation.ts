/**
 * Imported first by the command: the server runs with a young generation of YOUNG_SEMI_SPACE_MB
 * per semi-space. Left to itself V8 grows it to 64 MiB per semi-space (128 MiB of new space)
 * under the allocation rate of a load test, most of it resident, and each scavenge of it is a
 * pause of several milliseconds: with 4 MiB, 1,000 paced streams peaked about 90 MiB lower and
 * chat completions at 10 connections kept p99 at 3 ms instead of 5, at the same throughput
 * (`npm run bench`; README, "Performance").
 *
 * V8 sizes its heap when the process starts, so the flag cannot be set from here: the command
 * replaces its own process (`process.execve`: same pid, same stdio and signals) with one given
 * the flag. Not where that is missing (Windows, Node below 22.15), nor when the flag is already
 * given (`node --max-semi-space-size=N` or NODE_OPTIONS: the user's size wins), nor under
 * `--inspect`, nor in the workers of `--workers`, which inherit it.
 */
const FLAG = '--max-semi-space-size';
const YOUNG_SEMI_SPACE_MB = 4;
/**
 * Also given to the replacement: the command collects the garbage of its start (the prepared
 * spec's text, module loading, the config's compilation) once, just before its ready line
 * (cli/main.ts), rather than leave it to the load that follows, which does not soon get to it:
 * about 4 MiB less resident for the rest of the run (idle and at 1,000 paced streams alike).
 */
const EXPOSE_GC = '--expose-gc';

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

function given(): boolean {
  return process.execArgv.some((a) => a.startsWith(FLAG)) || (process.env.NODE_OPTIONS ?? '').includes(FLAG);
}

/** Under a debugger the replacement would open the inspector again (and `--inspect-brk` stop twice). */
function inspected(): boolean {
  return process.execArgv.some((a) => a.startsWith('--inspect')) || (process.env.NODE_OPTIONS ?? '').includes('--inspect');
}

const execve = (process as unknown as { execve?: Execve }).execve;
if (typeof execve === 'function' && process.platform !== 'win32' && !given() && !inspected() && process.env.OPENAI_MOCK_EXECVE !== '0') {
  try {
    const gcFlag = process.execArgv.includes(EXPOSE_GC) ? [] : [EXPOSE_GC];
    execve(process.execPath, [process.execPath, `${FLAG}=${YOUNG_SEMI_SPACE_MB}`, ...gcFlag, ...process.execArgv, ...process.argv.slice(1)], process.env);
  } catch {
    // Nothing was replaced: the command runs on as it was started, with V8's own sizing.
  }
}

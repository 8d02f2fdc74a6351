/**
 * Jest global setup: builds `dist/` once when any source is newer than the last build, so that
 * tests which run the command (`node dist/cli/main.js`) run the code under test.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(path.join(ROOT, 'dist', 'cli', 'main.js')).mtimeMs;
  } catch {
    return 0;
  }
}

export default function buildOnce(): void {
  // The spec's operation types are generated, not committed: a fresh checkout or a new spec needs them first.
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-spec-types.js')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const sources = Math.max(newestSource(path.join(ROOT, 'src')), statSync(path.join(ROOT, 'tsconfig.json')).mtimeMs);
  if (builtAt() >= sources) return;
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch {
    // tsc still writes its output when types are wrong; the tests that run dist/ then say what broke.
    process.stderr.write('build-once: `tsc` reported type errors (run `npm run build` to see them); testing the emitted dist/ anyway\n');
  }
}

'use strict';
/**
 * Scaling of `--workers`: the same load on the command started with 1, 2, ... workers. Each start
 * is awaited by its ready line (printed once every worker listens), not by a first answer, which
 * the first worker alone could give.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { SCENARIOS, requestOf, load } = require('./load');
const { stop, memoryOf } = require('./proc');

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');
const READY = /openai-mock listening on http:\/\/127\.0\.0\.1:(\d+)/;

function startWorkers(workers, { spec, timeoutMs = 180_000 }) {
  const args = [MAIN, '--workers', String(workers), '--port', '0', '--log-level', 'warn', '--http-only', ...(spec ? ['--spec', spec] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop(child);
      reject(new Error(`--workers ${workers}: no ready line within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk) => {
      output = (output + chunk).slice(-4000);
      const match = READY.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`--workers ${workers} exited (${code ?? signal}):\n${output}`));
    });
  });
}

/** The pids of a process and its children (Linux /proc), for the memory of all workers together. */
function treeOf(pid) {
  try {
    const children = require('node:fs').readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [pid, ...children];
  } catch {
    return [pid];
  }
}

/**
 * For each worker count: requests/s and p99 of each scenario (best of `runs`), and the RSS of
 * primary and workers together. Scenarios: keys of lib/load.js's SCENARIOS (default: chat, models).
 */
async function measureWorkers({ counts, scenarios = ['chat', 'models'], seconds = 10, connections = 10, runs = 1, spec, log = () => {} }) {
  const server = { prefix: '/v1', streamAccept: 'application/json' };
  const results = [];
  for (const workers of counts) {
    log(`--workers ${workers}: starting`);
    const { child, port } = await startWorkers(workers, { spec });
    try {
      const entry = { workers, scenarios: {} };
      for (const key of scenarios) {
        const scenario = SCENARIOS.find((s) => s.key === key);
        if (!scenario) throw new Error(`no scenario "${key}" (known: ${SCENARIOS.map((s) => s.key).join(', ')})`);
        const request = requestOf(server, port, scenario);
        // A short warm-up: the JIT and the spec's lazy parts in every worker.
        await load(request, { connections, seconds: 2 });
        let best;
        for (let run = 0; run < runs; run++) {
          const result = await load(request, { connections, seconds });
          log(`--workers ${workers} ${scenario.label}: ${Math.round(result.requestsPerSecond)} requests/s, p99 ${result.p99.toFixed(1)} ms`);
          if (!best || result.requestsPerSecond > best.requestsPerSecond) best = result;
        }
        entry.scenarios[key] = { label: scenario.label, requestsPerSecond: best.requestsPerSecond, p50: best.p50, p99: best.p99, statuses: best.statuses, errors: best.errors };
      }
      entry.rssMiB = treeOf(child.pid).reduce((sum, pid) => sum + (memoryOf(pid)?.rss ?? 0), 0);
      results.push(entry);
    } finally {
      await stop(child, 10_000);
    }
  }
  return results;
}

/** Rows: workers, then per scenario requests/s, the ratio to one worker, and p99. */
function workersTable(results) {
  const base = results.find((r) => r.workers === 1) ?? results[0];
  const keys = Object.keys(base?.scenarios ?? {});
  const header = ['workers', ...keys.flatMap((k) => [`${k} req/s`, `${k} vs 1`, `${k} p99 ms`]), 'RSS MiB'];
  const rows = results.map((r) => [
    String(r.workers),
    ...keys.flatMap((k) => {
      const s = r.scenarios[k];
      return [String(Math.round(s.requestsPerSecond)), `${(s.requestsPerSecond / base.scenarios[k].requestsPerSecond).toFixed(2)}x`, s.p99.toFixed(1)];
    }),
    String(Math.round(r.rssMiB)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

module.exports = { measureWorkers, workersTable, startWorkers };

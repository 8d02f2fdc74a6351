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

/** CPU time (user + system) a process has used, in ms; undefined off Linux. Clock ticks of 10 ms, as Linux's USER_HZ. */
function cpuMsOf(pid) {
  try {
    const fields = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * For each worker count: requests/s and p99 of each scenario (best of `runs`), and the RSS of
 * primary and workers together. Scenarios: keys of lib/load.js's SCENARIOS (default: chat, models).
 * All servers are started first and the runs take turns (1, 2, ..., 1, 2, ...): on a shared
 * machine a busy minute then weighs on every count alike.
 */
async function measureWorkers({ counts, scenarios = ['chat', 'models'], seconds = 10, connections = 10, runs = 1, spec, log = () => {} }) {
  const server = { prefix: '/v1', streamAccept: 'application/json' };
  const chosen = scenarios.map((key) => {
    const scenario = SCENARIOS.find((s) => s.key === key);
    if (!scenario) throw new Error(`no scenario "${key}" (known: ${SCENARIOS.map((s) => s.key).join(', ')})`);
    return scenario;
  });
  const started = [];
  try {
    for (const workers of counts) {
      log(`--workers ${workers}: starting`);
      started.push({ workers, ...(await startWorkers(workers, { spec })) });
    }
    const best = new Map();
    for (let run = -1; run < runs; run++) {
      for (const { workers, port, child } of started) {
        for (const scenario of chosen) {
          // Run -1 is a short warm-up: the JIT and the spec's lazy parts, in every worker.
          const pids = treeOf(child.pid);
          const cpuBefore = pids.map(cpuMsOf);
          const result = await load(requestOf(server, port, scenario), { connections, seconds: run < 0 ? 2 : seconds });
          if (run < 0) continue;
          // Server CPU per request, all processes and the primary alone: what the hand-over costs, whatever else runs on the machine.
          const used = pids.map((pid, i) => (cpuMsOf(pid) ?? NaN) - (cpuBefore[i] ?? NaN));
          result.cpuUsPerRequest = (used.reduce((a, b) => a + b, 0) * 1000) / result.total;
          result.primaryCpuUsPerRequest = (used[0] * 1000) / result.total;
          log(`--workers ${workers} ${scenario.label}: ${Math.round(result.requestsPerSecond)} requests/s, p99 ${result.p99.toFixed(1)} ms, server CPU ${result.cpuUsPerRequest.toFixed(0)} µs/request${workers > 1 ? ` (primary ${result.primaryCpuUsPerRequest.toFixed(1)})` : ''}`);
          const key = `${workers} ${scenario.key}`;
          if (!best.has(key) || result.requestsPerSecond > best.get(key).requestsPerSecond) best.set(key, result);
        }
      }
    }
    return started.map(({ workers, child }) => ({
      workers,
      scenarios: Object.fromEntries(
        chosen.map((scenario) => {
          const r = best.get(`${workers} ${scenario.key}`);
          return [scenario.key, { label: scenario.label, requestsPerSecond: r.requestsPerSecond, p50: r.p50, p99: r.p99, statuses: r.statuses, errors: r.errors, cpuUsPerRequest: r.cpuUsPerRequest, primaryCpuUsPerRequest: r.primaryCpuUsPerRequest }];
        }),
      ),
      rssMiB: treeOf(child.pid).reduce((sum, pid) => sum + (memoryOf(pid)?.rss ?? 0), 0),
    }));
  } finally {
    await Promise.all(started.map(({ child }) => stop(child, 10_000)));
  }
}

/** Rows: workers, then per scenario requests/s, the ratio to one worker, and p99. */
function workersTable(results) {
  const base = results.find((r) => r.workers === 1) ?? results[0];
  const keys = Object.keys(base?.scenarios ?? {});
  const header = ['workers', ...keys.flatMap((k) => [`${k} req/s`, `${k} vs 1`, `${k} p99 ms`, `${k} CPU µs/req`]), 'RSS MiB'];
  const rows = results.map((r) => [
    String(r.workers),
    ...keys.flatMap((k) => {
      const s = r.scenarios[k];
      const cpu = !Number.isFinite(s.cpuUsPerRequest) ? '-' : r.workers === 1 ? s.cpuUsPerRequest.toFixed(0) : `${s.cpuUsPerRequest.toFixed(0)} (primary ${s.primaryCpuUsPerRequest.toFixed(1)})`;
      return [String(Math.round(s.requestsPerSecond)), `${(s.requestsPerSecond / base.scenarios[k].requestsPerSecond).toFixed(2)}x`, s.p99.toFixed(1), cpu];
    }),
    String(Math.round(r.rssMiB)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

module.exports = { measureWorkers, workersTable, startWorkers };

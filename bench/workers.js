#!/usr/bin/env node
'use strict';
/**
 * `npm run bench:workers`: requests/s of the command with --workers 1, 2, ... up to the cores.
 *
 *   node bench/workers.js [--workers 1,2,4] [--scenarios chat,models] [--seconds S] [--connections C] [--runs N] [--json FILE]
 *
 * The load generator (autocannon) runs in this process, on the same machine: on a machine of two
 * cores it takes a share of them, so the figures show the scaling there is room for, not a
 * ceiling. Logs at warn (no line per request), HTTP only.
 */
const fs = require('node:fs');
const os = require('node:os');
const { readFlags } = require('./lib/cli');
const { measureWorkers, workersTable } = require('./lib/workers');

async function main() {
  const { flags: values } = readFlags(__filename, [3, 10], {
    workers: { type: 'string' },
    scenarios: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string' },
    runs: { type: 'string' },
    json: { type: 'string' },
    spec: { type: 'string' },
  }, ['seconds', 'connections', 'runs']);
  const cores = os.availableParallelism();
  const counts = values.workers ? values.workers.split(',').map(Number) : [...new Set([1, 2, ...Array.from({ length: Math.max(0, cores - 2) }, (_, i) => i + 3)])];
  const settings = {
    counts,
    scenarios: values.scenarios ? values.scenarios.split(',') : ['chat', 'models'],
    seconds: Number(values.seconds ?? 10),
    connections: Number(values.connections ?? 10),
    runs: Number(values.runs ?? 1),
    spec: values.spec,
  };
  const log = (line) => process.stderr.write(line + '\n');
  log(`openai-mock --workers scaling: ${os.cpus()[0]?.model ?? 'cpu'} x${cores}, Node ${process.version}, ${settings.connections} connections, ${settings.seconds} s per run, best of ${settings.runs}`);
  const results = await measureWorkers({ ...settings, log });
  process.stdout.write(workersTable(results) + '\n');
  if (values.json) fs.writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), cores, node: process.version, ...settings, results }, null, 2) + '\n');
}

main().catch((error) => {
  process.stderr.write(`bench:workers: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});

#!/usr/bin/env node
/*
 * How fast the image answers: `node docker/measure-start.js [IMAGE] [RUNS]` (after
 * `npm run test:image` or a build). For each run, two figures:
 *   - inside: from the entry point's start to the first answered GET /v1/models, measured by a
 *     Node process in the container that starts the entry point and asks every 5 ms
 *     (`--network none`: nothing from outside), and the server's CPU time by then, which a busy
 *     machine inflates less than the wall time;
 *   - host: from `run -d` to the first answer at the published port, engine overhead included.
 * Prints each run and the medians. Uses docker when its engine answers, else podman.
 * MEASURE_RUN_ARGS adds `run` options, e.g. "-v $PWD/docker-entrypoint.d:/docker-entrypoint.d:ro".
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');

const IMAGE = process.argv[2] || 'localhost/openai-mock:test';
const RUNS = Number(process.argv[3] || 5);
const ENGINE = ['docker', 'podman'].find((engine) => spawnSync(engine, ['info'], { stdio: 'ignore' }).status === 0);
if (!ENGINE) throw new Error('neither `docker info` nor `podman info` succeeds here');
const RUN_ARGS = (process.env.MEASURE_RUN_ARGS || '').split(' ').filter(Boolean);
const engine = (...args) => execFileSync(ENGINE, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

const INSIDE = `
const { spawn } = require('node:child_process');
const started = performance.now();
const child = spawn('/usr/local/bin/docker-entrypoint.sh', ['openai-mock', '--log-level', 'silent'], { stdio: 'inherit' });
(async () => {
  for (;;) {
    const ok = await fetch('http://127.0.0.1:4010/v1/models', { headers: { authorization: 'Bearer x' } }).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const wall = Math.round(performance.now() - started);
  // The entry point execs the server: same pid. utime + stime, in clock ticks (100 a second).
  const fields = require('node:fs').readFileSync('/proc/' + child.pid + '/stat', 'utf8').split(') ')[1].split(' ');
  console.log(wall + ' ' + (Number(fields[11]) + Number(fields[12])) * 10);
  child.kill('SIGTERM');
})();`;

async function hostRun() {
  const started = performance.now();
  const id = engine('run', '-d', '-p', '127.0.0.1::4010', ...RUN_ARGS, IMAGE, '--log-level', 'silent');
  try {
    const address = engine('port', id, '4010').split('\n')[0];
    for (;;) {
      const ok = await fetch(`http://${address}/v1/models`, { headers: { authorization: 'Bearer x' } }).then((r) => r.ok, () => false);
      if (ok) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    engine('rm', '-f', id);
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

(async () => {
  const inside = [];
  const cpu = [];
  const host = [];
  for (let run = 0; run < RUNS; run++) {
    const [wall, cpuMs] = engine('run', '--rm', '--network', 'none', ...RUN_ARGS, '--entrypoint', 'node', IMAGE, '-e', INSIDE).split(' ').map(Number);
    inside.push(wall);
    cpu.push(cpuMs);
    host.push(Math.round(await hostRun()));
    console.log(`run ${run + 1}: inside ${wall} ms (server CPU ${cpuMs} ms), host ${host.at(-1)} ms`);
  }
  console.log(
    `${ENGINE}, ${IMAGE}: start to first answer, median of ${RUNS}: inside the container ${median(inside)} ms ` +
      `(the server's CPU time by then ${median(cpu)} ms); from \`run -d\` on the host ${median(host)} ms; load average ${require('node:os').loadavg()[0].toFixed(1)}`,
  );
})();

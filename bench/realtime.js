#!/usr/bin/env node
'use strict';
/**
 * The Realtime socket under load (npm run bench:realtime): SOCKETS sockets at once, each getting
 * one response paced at --interval ms between events (the server's `stream.intervalMs`).
 *
 *   node bench/realtime.js [--sockets 500] [--interval 20] [--modality text|audio] [--journal MAX]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { ROOT, definitions } = require('./lib/servers');
const { freePort, startAndWait, stop } = require('./lib/proc');
const { measureRealtime } = require('./lib/realtime');

const { values: flags } = parseArgs({ options: { sockets: { type: 'string' }, interval: { type: 'string' }, modality: { type: 'string' }, journal: { type: 'string' } } });
const log = (message) => process.stderr.write(`bench: ${message}\n`);

async function main() {
  const sockets = Number(flags.sockets ?? 500);
  const intervalMs = Number(flags.interval ?? 20);
  const modality = flags.modality === 'audio' ? 'audio' : 'text';
  const spec = path.resolve(process.env.OPENAI_MOCK_SPEC ?? path.join(ROOT, 'spec', 'openapi.yaml'));
  const server = definitions.ours({ spec });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-realtime-'));
  const config = path.join(dir, 'openai-mock.config.json');
  fs.writeFileSync(config, JSON.stringify({ stream: { intervalMs }, ...(flags.journal !== undefined ? { journal: { max: Number(flags.journal) } } : {}) }));
  const port = await freePort();
  const instance = await startAndWait({
    command: server.command,
    args: server.args({ port, cacheDir: path.join(dir, 'cache'), config }),
    env: server.env,
    url: `http://127.0.0.1:${port}/v1/models`,
    headers: { authorization: 'Bearer sk-bench' },
    timeoutMs: 120_000,
  });
  try {
    // One socket first: the validators compile and the pipeline warms outside the figures.
    await measureRealtime({ url: `ws://127.0.0.1:${port}`, sockets: 1, modality, pid: instance.child.pid });
    const r = await measureRealtime({ url: `ws://127.0.0.1:${port}`, sockets, modality, pid: instance.child.pid, log });
    const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
    process.stdout.write(
      [
        `Realtime: ${sockets} concurrent sockets, ${modality} responses paced at ${intervalMs} ms; load average ${os.loadavg()[0].toFixed(2)}, ${os.cpus().length} cores`,
        `responses completed      ${r.completed}/${sockets} in ${(r.wallMs / 1000).toFixed(1)} s (${r.events} events, ${r.deltas} deltas${r.audioBytes ? `, ${(r.audioBytes / 1e6).toFixed(1)} MB of PCM16` : ''})`,
        `open to session.created  p50 ${f(r.openMs.p50)} ms, p95 ${f(r.openMs.p95)} ms, max ${f(r.openMs.max)} ms`,
        `whole response           p50 ${f(r.responseMs.p50)} ms, p95 ${f(r.responseMs.p95)} ms, max ${f(r.responseMs.max)} ms`,
        `gap between deltas       p50 ${f(r.gapMs.p50)} ms, p95 ${f(r.gapMs.p95)} ms, p99 ${f(r.gapMs.p99)} ms, max ${f(r.gapMs.max)} ms (paced at ${intervalMs} ms; ${r.gapMs.samples} gaps)`,
        `server RSS               ${f(r.memoryMb.before)} MB before, ${f(r.memoryMb.peak)} MB at peak, ${f(r.memoryMb.after)} MB after`,
        `failures                 ${r.failures.length}${r.failures.length ? `: ${r.failures.slice(0, 3).join('; ')}` : ''}`,
        '',
      ].join('\n'),
    );
    process.exitCode = r.failures.length > 0 ? 1 : 0;
  } finally {
    await stop(instance.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.stack ?? error}\n`);
  process.exit(1);
});

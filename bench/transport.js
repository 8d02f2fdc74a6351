#!/usr/bin/env node
'use strict';
/**
 * Only the TLS and HTTP/2 rows of `npm run bench`, for a quick look while working on the transport:
 *
 *   node bench/transport.js [--runs N] [--seconds S]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { ROOT, definitions } = require('./lib/servers');
const { freePort, startAndWait, stop } = require('./lib/proc');
const { measureTransports, transportRatios } = require('./lib/transport');
const { summarize } = require('./lib/stats');

const { values: flags } = parseArgs({ options: { runs: { type: 'string' }, seconds: { type: 'string' } } });
const log = (message) => process.stderr.write(`bench: ${message}\n`);

async function main() {
  const spec = path.resolve(process.env.OPENAI_MOCK_SPEC ?? path.join(ROOT, 'spec', 'openapi.yaml'));
  const server = definitions.ours({ spec });
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-transport-'));
  const port = await freePort();
  const instance = await startAndWait({
    command: server.command,
    args: server.args({ port, cacheDir }),
    env: server.env,
    url: `http://127.0.0.1:${port}/v1/models`,
    headers: { authorization: 'Bearer sk-bench' },
    timeoutMs: 120_000,
  });
  try {
    const t = await measureTransports(port, { runs: Number(flags.runs ?? 3), seconds: Number(flags.seconds ?? 3), connections: 10, log, pid: instance.child.pid });
    const ratios = transportRatios(t, summarize);
    const line = (label, xs) => `${label.padEnd(44)} ${summarize(xs) ? Math.round(summarize(xs).median).toString().padStart(6) : '     -'} req/s  [${xs.map(Math.round).join(', ')}]`;
    process.stdout.write(
      [
        `POST /chat/completions, 10 connections, keep-alive; load average ${os.loadavg()[0].toFixed(2)}`,
        line('plain HTTP/1.1 (autocannon)', t.plainH1),
        line('HTTPS, HTTP/1.1 (autocannon)', t.httpsH1),
        ...(t.plainH1Ref.length ? [line('plain HTTP/1.1 (h2load --h1)', t.plainH1Ref)] : []),
        line(`HTTPS, h2 (${t.h2Tool})`, t.h2),
        `HTTPS HTTP/1.1 / plain: ${ratios.https.toFixed(2)} by req/s, ${ratios.cpu.https.toFixed(2)} by server CPU per request (TLS costs ${Math.round((1 - ratios.cpu.https) * 100)}% by CPU)`,
        `h2 over TLS / plain HTTP/1.1: ${ratios.h2.toFixed(2)} by req/s, ${ratios.cpu.h2.toFixed(2)} by server CPU per request`,
        `server CPU ms per 1000 requests: ${Object.entries(t.cpuPerK).map(([k, xs]) => `${k} ${xs.map((x) => x.toFixed(0)).join('/')}`).join('; ')}`,
        `failed requests: ${t.errors}`,
        '',
      ].join('\n'),
    );
  } finally {
    await stop(instance.child);
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});

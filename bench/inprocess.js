#!/usr/bin/env node
'use strict';
/**
 * Two builds (or one build with two sets of options) compared in one process, without sockets:
 * each server is fed one request at a time from an in-memory connection, and the rounds alternate
 * (A, B, B, A, ...), so that a busy host weighs on both alike. It measures the JavaScript a request
 * costs, which the socket bench's system calls and wake-ups hide under their noise.
 *
 *   node bench/inprocess.js [--scenario models|chat|embeddings|invalid|stream] [--requests N] [--rounds R]
 *                           [--a DIST] [--b DIST|bare] [--a-options JSON] [--b-options JSON] [--retained]
 *
 * DIST is a build's dist/ (default: this checkout's). `bare` is a bare Node http server answering a
 * fixed body. Options go to createMockServer, e.g. --a-options '{"journal":false}'. Prints the
 * median and least CPU microseconds per request of each, and the median of the paired ratios A/B.
 * --retained instead prints what one journal entry of the scenario keeps on the heap, for A and B:
 * a 2,000-entry journal filled, the heap after a full collection before and after it is cleared
 * (a plain answer's entry is packed into the journal's buffer, off the heap: see src/sessions/packed.ts).
 * The servers run with the command's 4 MiB semi-spaces (the script starts itself again so).
 */
const http = require('node:http');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { Duplex } = require('node:stream');

// The command runs with 4 MiB semi-spaces (src/cli/young-generation.ts), and so do these servers:
// with V8's larger default, what an answer leaves alive for a thousand requests (the journal's
// entries) dies before it is promoted, and its cost does not show. A size given on the command
// line wins.
if (!process.execArgv.some((arg) => arg.startsWith('--max-semi-space-size'))) {
  const run = spawnSync(process.execPath, ['--max-semi-space-size=4', ...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
const { SCENARIOS } = require('./lib/load');
const { readFlags } = require('./lib/cli');

const ROOT = path.join(__dirname, '..');

const { flags, usage: USAGE } = readFlags(__filename, [3, 16], {
  scenario: { type: 'string', default: 'chat' },
  requests: { type: 'string', default: '10000' },
  rounds: { type: 'string', default: '10' },
  a: { type: 'string', default: path.join(ROOT, 'dist') },
  b: { type: 'string', default: path.join(ROOT, 'dist') },
  'a-options': { type: 'string', default: '{}' },
  'b-options': { type: 'string', default: '{}' },
  spec: { type: 'string' },
  retained: { type: 'boolean' },
});
const scenario = SCENARIOS.find((s) => s.key === flags.scenario);
const requests = Number(flags.requests);
const rounds = Number(flags.rounds);
if (!scenario || !(requests > 0) || !(rounds > 0)) {
  process.stderr.write(`bench: --scenario is one of ${SCENARIOS.map((s) => s.key).join(', ')}; --requests and --rounds are positive numbers\n\n${USAGE}\n`);
  process.exit(2);
}
const spec = path.resolve(flags.spec ?? process.env.OPENAI_MOCK_SPEC ?? path.join(ROOT, 'spec', 'openapi.yaml'));

// createMockServer keeps its HTTP/1 server to itself: the first one it creates is the one fed here.
const created = [];
const createServer = http.createServer;
http.createServer = function (...args) {
  const server = createServer.apply(this, args);
  created.push(server);
  return server;
};

const body = scenario.body ? JSON.stringify(scenario.body) : '';
const requestBytes = Buffer.from(
  `${scenario.method} /v1${scenario.path} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer sk-bench\r\n` +
    (scenario.body ? `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` : '') +
    `connection: keep-alive\r\n\r\n${body}`,
);

/** Sends `count` requests one after another on one in-memory connection; resolves when all are answered. */
function feed(server, count) {
  return new Promise((resolve) => {
    let answered = 0;
    let seen = 0;
    const connection = new Duplex({
      read() {},
      write(chunk, _encoding, callback) {
        // A response is counted by its status line; the next request goes once the loop turns.
        const text = chunk.toString('latin1');
        for (let at = text.indexOf('HTTP/1.1 '); at !== -1; at = text.indexOf('HTTP/1.1 ', at + 1)) seen++;
        if (seen > answered) {
          answered = seen;
          if (answered >= count) resolve(connection.destroy());
          else setImmediate(() => connection.push(requestBytes));
        }
        callback();
      },
      writev(chunks, callback) {
        for (const { chunk } of chunks) this._write(chunk, 'latin1', () => {});
        callback();
      },
    });
    Object.assign(connection, { remoteAddress: '127.0.0.1', setTimeout: () => connection, setNoDelay() {}, setKeepAlive() {} });
    server.emit('connection', connection);
    connection.push(requestBytes);
  });
}

async function make(dist, options) {
  if (dist === 'bare') {
    const answer = Buffer.from(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'system' }] }));
    return createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length }).end(answer));
    });
  }
  const { createMockServer } = require(path.resolve(dist));
  const before = created.length;
  const mock = await createMockServer({ spec, logLevel: 'warn', port: 0, host: '127.0.0.1', ...JSON.parse(options) });
  return Object.assign(created[before], { mock });
}

/** Bytes a journal entry of the scenario holds: one server at a time, so that the other's heap does not count. */
async function retained(dist, options) {
  // A bench script may ask V8 for its collector; the server itself never runs with this.
  require('node:v8').setFlagsFromString('--expose-gc');
  const gc = require('node:vm').runInNewContext('gc');
  const entries = 2000;
  const server = await make(dist, JSON.stringify({ ...JSON.parse(options), journal: { max: entries } }));
  await feed(server, entries + 1000);
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const full = heap();
  server.mock.journal.clear();
  const bytes = (full - heap()) / entries;
  await server.mock.close();
  return bytes;
}

(async () => {
  if (flags.retained) {
    if (flags.b === 'bare') throw new Error('--retained compares two builds or option sets of openai-mock, not the bare server');
    const bytes = [await retained(flags.a, flags['a-options']), await retained(flags.b, flags['b-options'])];
    process.stdout.write(
      `${scenario.key}, bytes one journal entry keeps (2,000 entries, after a full collection)\n` +
        `  A ${flags.a} ${flags['a-options']}: ${bytes[0].toFixed(0)}\n  B ${flags.b} ${flags['b-options']}: ${bytes[1].toFixed(0)}\n`,
    );
    process.exit(0);
  }
  const a = await make(flags.a, flags['a-options']);
  const b = await make(flags.b, flags['b-options']);
  await feed(a, 3000);
  await feed(b, 3000);
  const cpuPerRequest = async (server) => {
    const before = process.cpuUsage();
    await feed(server, requests);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / requests;
  };
  const times = { a: [], b: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
    for (const side of order) times[side].push(await cpuPerRequest(side === 'a' ? a : b));
  }
  const median = (values) => [...values].sort((x, y) => x - y)[values.length >> 1];
  const show = (values) => `median ${median(values).toFixed(1)} us, least ${Math.min(...values).toFixed(1)} us`;
  process.stdout.write(
    `${scenario.key}, ${rounds} rounds of ${requests} requests each\n` +
      `  A ${flags.a} ${flags['a-options']}: ${show(times.a)}\n` +
      `  B ${flags.b} ${flags['b-options']}: ${show(times.b)}\n` +
      `  A/B, median of the paired ratios: ${median(times.a.map((x, i) => x / times.b[i])).toFixed(3)}\n`,
  );
  for (const server of [a, b]) await server.mock?.close();
  process.exit(0);
})();

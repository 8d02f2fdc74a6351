'use strict';
/**
 * What TLS and HTTP/2 cost against plain HTTP/1.1, on the same server in the same run, each pair
 * measured with one client so that the ratio is the server's, not the tools': autocannon for
 * HTTP/1.1 in clear and over TLS (keep-alive), h2load (Debian's nghttp2-client) for HTTP/1.1 in
 * clear and h2 over TLS, or a small Node HTTP/2 client when h2load is not installed.
 */
const { execFile, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http2 = require('node:http2');
const os = require('node:os');
const path = require('node:path');
const { load } = require('./load');

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] };
const HEADERS = { authorization: 'Bearer sk-bench-0000000000000000', accept: 'application/json', 'content-type': 'application/json' };

function h2loadVersion() {
  try {
    return execFileSync('h2load', ['--version'], { encoding: 'utf8', timeout: 5000 }).trim().split('\n')[0];
  } catch {
    return undefined;
  }
}

/** h2load for `seconds`; `h1` forces HTTP/1.1. Requests per second from its summary line. */
function h2load(url, { connections, seconds, h1 = false }) {
  const bodyFile = path.join(os.tmpdir(), `bench-h2load-${process.pid}.json`);
  fs.writeFileSync(bodyFile, JSON.stringify(CHAT));
  const args = ['-c', String(connections), '-m', '1', '-D', String(seconds), '-d', bodyFile, ...Object.entries(HEADERS).flatMap(([k, v]) => ['-H', `${k}: ${v}`])];
  if (h1) args.push('--h1');
  return new Promise((resolve, reject) => {
    execFile('h2load', [...args, url], { encoding: 'utf8', timeout: (seconds + 30) * 1000 }, (error, stdout) => {
      fs.rmSync(bodyFile, { force: true });
      if (error) return reject(new Error(`h2load failed: ${error.message.split('\n')[0]}`));
      const rps = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(stdout);
      const counts = /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(stdout);
      const protocol = /Application protocol: (\S+)/.exec(stdout)?.[1];
      if (!rps || !counts) return reject(new Error(`h2load printed no summary:\n${stdout.slice(-500)}`));
      resolve({ requestsPerSecond: Number(rps[1]), total: Number(counts[3]), errors: Number(counts[4]) + Number(counts[5]), protocol });
    });
  });
}

/** The fallback: `connections` HTTP/2 sessions, each with one request at a time, for `seconds`. */
async function nodeH2Load(url, { connections, seconds }) {
  const body = JSON.stringify(CHAT);
  const sessions = Array.from({ length: connections }, () => http2.connect(url, { rejectUnauthorized: false }));
  const one = (session) =>
    new Promise((resolve) => {
      const stream = session.request({ ':method': 'POST', ':path': new URL(url).pathname, ...HEADERS });
      let status = 0;
      stream.on('response', (h) => (status = h[':status']));
      stream.on('data', () => undefined);
      stream.on('close', () => resolve(status));
      stream.end(body);
    });
  const run = async (until) => {
    let total = 0;
    let errors = 0;
    await Promise.all(
      sessions.map(async (session) => {
        while (performance.now() < until) {
          const status = await one(session);
          if (status === 200) total++;
          else errors++;
        }
      }),
    );
    return { total, errors };
  };
  try {
    await run(performance.now() + 1000);
    const started = performance.now();
    const { total, errors } = await run(started + seconds * 1000);
    return { requestsPerSecond: total / ((performance.now() - started) / 1000), total, errors, protocol: 'h2' };
  } finally {
    for (const session of sessions) session.close();
  }
}

/** CPU time (user + system, ms) the process has used so far; undefined off Linux. */
function cpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in ticks of 1/100 s
  } catch {
    return undefined;
  }
}

/** Runs `fn` and adds the server's CPU milliseconds per 1000 answered requests: a cost that a busy machine disturbs less than throughput. */
async function withCpu(pid, fn) {
  const before = pid ? cpuMs(pid) : undefined;
  const result = await fn();
  const after = pid ? cpuMs(pid) : undefined;
  const answered = result.total;
  return { ...result, cpuPerK: before !== undefined && after !== undefined && answered ? ((after - before) / answered) * 1000 : undefined };
}

/**
 * Runs alternate (plain, TLS, plain, TLS...) so that a machine whose load drifts during the run
 * weighs on both alike. `port` is a server that serves http and https on one port.
 */
async function measureTransports(port, { runs, seconds, connections, log, pid }) {
  const path = '/v1/chat/completions';
  const plainUrl = `http://127.0.0.1:${port}${path}`;
  const tlsUrl = `https://127.0.0.1:${port}${path}`;
  const request = (url) => ({ url, method: 'POST', headers: HEADERS, body: JSON.stringify(CHAT), servername: 'localhost' });
  const version = h2loadVersion();
  const h2Tool = version ? version : 'a Node http2 client (h2load not installed: apt-get install nghttp2-client)';
  const out = { h2Tool, plainH1: [], httpsH1: [], plainH1Ref: [], h2: [], errors: 0, cpuPerK: { plainH1: [], httpsH1: [], plainH1Ref: [], h2: [] } };
  const keep = (key, result) => {
    out[key].push(result.requestsPerSecond);
    if (result.cpuPerK !== undefined) out.cpuPerK[key].push(result.cpuPerK);
  };

  log(`openai-mock: TLS and HTTP/2: ${runs} x ${seconds} s each, alternating; h2 with ${h2Tool}`);
  await load(request(plainUrl), { connections, seconds: 1 });
  await load(request(tlsUrl), { connections, seconds: 1 });
  for (let i = 0; i < runs; i++) {
    const plain = await withCpu(pid, () => load(request(plainUrl), { connections, seconds }));
    const secure = await withCpu(pid, () => load(request(tlsUrl), { connections, seconds }));
    keep('plainH1', plain);
    keep('httpsH1', secure);
    out.errors += plain.errors + plain.timeouts + secure.errors + secure.timeouts;
    if (version) {
      const ref = await withCpu(pid, () => h2load(plainUrl, { connections, seconds, h1: true }));
      const h2 = await withCpu(pid, () => h2load(tlsUrl, { connections, seconds }));
      if (h2.protocol && h2.protocol !== 'h2') throw new Error(`h2load negotiated ${h2.protocol}, not h2`);
      keep('plainH1Ref', ref);
      keep('h2', h2);
      out.errors += ref.errors + h2.errors;
    } else {
      // The Node client has no HTTP/1.1 mode: its h2 figure is set against autocannon's plain one.
      const h2 = await withCpu(pid, () => nodeH2Load(tlsUrl, { connections, seconds }));
      keep('h2', h2);
      out.errors += h2.errors;
    }
  }
  return out;
}

/**
 * Ratios, each the median of the runs' pairs (a pair ran back to back, so a machine whose load
 * drifts weighs on both alike): TLS HTTP/1.1 to plain HTTP/1.1 (autocannon), h2 to plain HTTP/1.1
 * (the same tool's); by throughput, and by the server's CPU per request (plain's over TLS's, so that
 * both read "1 = as fast as plain").
 */
function transportRatios(t, summarize) {
  const pairs = (a, b) => summarize(a.map((x, i) => (b[i] ? x / b[i] : NaN)))?.median ?? NaN;
  const ref = (x) => (t.plainH1Ref.length ? x.plainH1Ref : x.plainH1);
  return {
    https: pairs(t.httpsH1, t.plainH1),
    h2: pairs(t.h2, ref(t)),
    cpu: { https: pairs(t.cpuPerK.plainH1, t.cpuPerK.httpsH1), h2: pairs(ref(t.cpuPerK), t.cpuPerK.h2) },
  };
}

module.exports = { measureTransports, transportRatios, h2loadVersion };

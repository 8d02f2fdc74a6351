'use strict';
/** Starting a server process, timing it to its first answer, reading its memory, stopping it. */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

/** A port that was free a moment ago (the OS picks it); the server is then told to use it. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** VmRSS (now) and VmHWM (peak) of a process, in MiB; undefined when it is gone or not Linux. */
function memoryOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) / 1024;
    return { rss: field('VmRSS'), peak: field('VmHWM') };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, ms) a process has used so far; undefined off Linux. */
function cpuMsOf(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in ticks of 1/100 s
  } catch {
    return undefined;
  }
}

/** One request; resolves with the status (any answer counts), rejects on a socket error or timeout. */
function ping(url, headers, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

/**
 * Spawns a server and waits for its first answered request, polling every few milliseconds.
 * `readyMs` runs from just before spawn() to the first HTTP answer of any status.
 */
async function startAndWait({ command, args, env, url, headers, timeoutMs }) {
  const started = performance.now();
  // The server's output goes to a file, as `openai-mock > server.log` would: read through a pipe,
  // its log lines (one per request at info) were work for this process's event loop, which is
  // also the load generator's.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openai-mock-bench-'));
  const logFile = path.join(dir, 'output.log');
  const fd = fs.openSync(logFile, 'w');
  let child;
  try {
    child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
  let said;
  const output = () => {
    if (said !== undefined) return said;
    try {
      const size = fs.statSync(logFile).size;
      const handle = fs.openSync(logFile, 'r');
      const tail = Buffer.alloc(Math.min(size, 4000));
      fs.readSync(handle, tail, 0, tail.length, size - tail.length);
      fs.closeSync(handle);
      return tail.toString('utf8');
    } catch {
      return '';
    }
  };
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
    said = output();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const deadline = started + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`exited (${exited.code ?? exited.signal}) before answering:\n${output().trim()}`);
    if (performance.now() > deadline) {
      const said = output().trim();
      await stop(child);
      throw new Error(`no answer within ${timeoutMs} ms:\n${said}`);
    }
    try {
      const status = await ping(url, headers);
      return { child, readyMs: performance.now() - started, status, output };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/** SIGTERM, then SIGKILL if it lingers. */
function stop(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

module.exports = { freePort, memoryOf, cpuMsOf, ping, startAndWait, stop };

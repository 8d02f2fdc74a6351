'use strict';
/**
 * Many concurrent server-sent event streams from one process: `streams` slots, started evenly over
 * `rampMs`, each asking for `rounds` streams one after another. Measured per
 * stream: the time from sending the request to its first event; per event after the first: the gap
 * since the event before it. A chunk carrying k events (written late, read together) counts k-1
 * gaps of 0: that is what a client sees. The server's RSS is sampled every 50 ms from /proc.
 */
const fs = require('node:fs');
const http = require('node:http');
const { quantile } = require('./stats');

/** VmRSS in MiB, or undefined off Linux. */
function rssOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** Counts `\n\n` (the end of an event) in a chunk, carrying a lone trailing `\n` to the next chunk. */
function eventEnds(text, carry) {
  let count = 0;
  let from = 0;
  if (carry && text.charCodeAt(0) === 10) {
    count++;
    from = 1;
  }
  for (let at = text.indexOf('\n\n', from); at >= 0; at = text.indexOf('\n\n', at + 2)) count++;
  return { count, carry: text.length > 0 && text.charCodeAt(text.length - 1) === 10 && !text.endsWith('\n\n') };
}

/**
 * @param {{ url: string, headers: Record<string,string>, body: string, streams: number, rounds?: number, rampMs?: number, pid?: number }} options
 */
function streamLoad({ url, headers, body, streams, rounds = 1, rampMs = 1000, pid }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: Infinity });
  const target = new URL(url);
  const firstEvents = [];
  const gaps = [];
  let completed = 0;
  let events = 0;
  let errors = 0;
  let peakRss = pid ? (rssOf(pid) ?? 0) : 0;
  let maxOpen = 0;
  let open = 0;
  const started = performance.now();
  const sampler = pid ? setInterval(() => (peakRss = Math.max(peakRss, rssOf(pid) ?? 0)), 50) : undefined;

  return new Promise((resolve) => {
    let slotsLeft = streams;
    const slotDone = () => {
      if (--slotsLeft > 0) return;
      clearInterval(sampler);
      agent.destroy();
      const elapsed = (performance.now() - started) / 1000;
      resolve({
        streams,
        completed,
        events,
        errors,
        maxOpen,
        eventsPerSecond: events / elapsed,
        firstEventP50: quantile(firstEvents, 0.5),
        firstEventP99: quantile(firstEvents, 0.99),
        gapP50: quantile(gaps, 0.5),
        gapP99: quantile(gaps, 0.99),
        gapMax: gaps.length ? gaps.reduce((a, b) => (a > b ? a : b), 0) : NaN,
        peakRss,
      });
    };
    const one = (round) => {
      if (round >= rounds) return slotDone();
      const sent = performance.now();
      let last = 0;
      let carry = false;
      open++;
      if (open > maxOpen) maxOpen = open;
      const request = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent },
        (response) => {
          if (response.statusCode !== 200) {
            errors++;
            response.resume();
            response.on('end', next);
            return;
          }
          response.setEncoding('utf8');
          response.on('data', (chunk) => {
            const now = performance.now();
            const found = eventEnds(chunk, carry);
            carry = found.carry;
            if (found.count === 0) return;
            if (last === 0) firstEvents.push(now - sent);
            else gaps.push(now - last);
            for (let i = 1; i < found.count; i++) gaps.push(0);
            events += found.count;
            last = now;
          });
          response.on('end', () => {
            completed++;
            next();
          });
          response.on('error', () => {
            errors++;
            next();
          });
        },
      );
      let finished = false;
      const next = () => {
        if (finished) return;
        finished = true;
        open--;
        setImmediate(one, round + 1);
      };
      request.on('error', () => {
        errors++;
        next();
      });
      request.end(body);
    };
    for (let i = 0; i < streams; i++) setTimeout(one, (i * rampMs) / streams, 0);
  });
}

module.exports = { streamLoad, rssOf, eventEnds };

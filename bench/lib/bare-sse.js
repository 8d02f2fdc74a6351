#!/usr/bin/env node
'use strict';
/**
 * The machine's limit for streams: a bare Node `http` server that answers every POST with the same
 * server-sent events, written as Node code usually writes them: the first event at once, then one
 * `setInterval` per stream, one `write` per event.
 *
 *   node bench/lib/bare-sse.js --port N --events FILE [--interval MS]
 *
 * FILE is a JSON array of framed events (`data: {...}\n\n`), the very ones openai-mock sent
 * (bench/run.js fetches them first). With --interval 0 the events go out back to back.
 * Anything but a POST gets a 204 (the readiness probe). Ready once it prints "listening" on stdout.
 */
const fs = require('node:fs');
const http = require('node:http');
const { parseArgs } = require('node:util');

const { values: flags } = parseArgs({ options: { port: { type: 'string' }, events: { type: 'string' }, interval: { type: 'string' } } });
const events = JSON.parse(fs.readFileSync(flags.events, 'utf8'));
const interval = Number(flags.interval ?? 0);
const HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    if (request.method !== 'POST') return void response.writeHead(204).end();
    response.writeHead(200, HEADERS);
    if (interval <= 0) {
      for (const event of events) response.write(event);
      response.end();
      return;
    }
    let next = 0;
    response.write(events[next++]);
    const timer = setInterval(() => {
      response.write(events[next++]);
      if (next === events.length) {
        clearInterval(timer);
        response.end();
      }
    }, interval);
    response.on('close', () => clearInterval(timer));
  });
});
server.keepAliveTimeout = 65_000;
server.maxConnections = Infinity;
server.listen({ port: Number(flags.port ?? 0), host: '127.0.0.1', backlog: 4096 }, () => process.stdout.write(`listening ${server.address().port}\n`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));

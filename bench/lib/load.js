'use strict';
/** Load runs with autocannon; latencies are collected from its per-response event at full precision. */
const autocannon = require('autocannon');
const http = require('node:http');
const { quantile } = require('./stats');

/** The requests measured; `path` is the spec's path, the server's prefix goes before it. */
const SCENARIOS = [
  { key: 'models', label: 'GET /models', method: 'GET', path: '/models' },
  {
    key: 'chat',
    label: 'POST /chat/completions',
    method: 'POST',
    path: '/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] },
  },
  {
    key: 'embeddings',
    label: 'POST /embeddings (SDK body)',
    method: 'POST',
    path: '/embeddings',
    // As the SDK sends it: base64 unless the caller asks for floats.
    body: { model: 'text-embedding-3-small', input: 'The food was delicious and the waiter was friendly.', encoding_format: 'base64' },
  },
  {
    key: 'invalid',
    label: 'invalid chat body',
    method: 'POST',
    path: '/chat/completions',
    body: { model: 'gpt-4o-mini', messages: 'hello' },
    rejected: true,
  },
  {
    key: 'stream',
    label: 'streamed chat',
    method: 'POST',
    path: '/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }], stream: true },
    stream: true,
  },
];

function requestOf(server, port, scenario) {
  const headers = { authorization: 'Bearer sk-bench-0000000000000000', accept: scenario.stream ? server.streamAccept : 'application/json' };
  if (scenario.body) headers['content-type'] = 'application/json';
  return {
    url: `http://127.0.0.1:${port}${server.prefix}${scenario.path}`,
    method: scenario.method,
    headers,
    body: scenario.body ? JSON.stringify(scenario.body) : undefined,
  };
}

/** One request, read whole: status, content type and body text. */
function once(request, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(request.url, { method: request.method, headers: request.headers, agent: false, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, type: String(res.headers['content-type'] ?? ''), text, ms: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(request.body);
  });
}

/** Server-sent events in a body: blocks separated by a blank line that carry a data field. */
function countEvents(text) {
  return text.split(/\r?\n\r?\n/).filter((block) => /^data:/m.test(block)).length;
}

/** Runs autocannon for a bounded time; latencies in ms (float), status counts, errors. */
function load(request, { connections, seconds }) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const statuses = {};
    const instance = autocannon(
      { ...request, connections, duration: seconds, timeout: 10, excludeErrorStats: false },
      (error, result) => {
        if (error) return reject(error);
        const total = latencies.length;
        resolve({
          requestsPerSecond: total / (result.duration || seconds),
          p50: quantile(latencies, 0.5),
          p99: quantile(latencies, 0.99),
          total,
          statuses,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
}

module.exports = { SCENARIOS, requestOf, once, countEvents, load };

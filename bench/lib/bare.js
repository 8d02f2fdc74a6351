#!/usr/bin/env node
'use strict';
/**
 * The machine's limit: a bare Node `http` server that reads each request's body and answers a
 * fixed one, chosen by method and path. openai-mock's throughput is reported as a share of it.
 *
 *   node bench/lib/bare.js --port N [--bodies FILE]
 *
 * FILE is JSON: { "POST /v1/chat/completions": { "status": 200, "type": "application/json", "body": "..." }, ... },
 * the very bytes openai-mock answered (bench/run.js fetches them first), so that both servers write
 * the same amount. Without it a small fixed chat completion, model list and embedding are served.
 * A request with an `x-bench-answer: KEY` header gets FILE's KEY. Anything else gets a 404. Ready once it prints "listening" on stdout.
 */
const fs = require('node:fs');
const http = require('node:http');
const { parseArgs } = require('node:util');

const { values: flags } = parseArgs({ options: { port: { type: 'string' }, bodies: { type: 'string' } } });

const DEFAULTS = {
  'POST /v1/chat/completions': {
    id: 'chatcmpl-bare0000000000000000000000000',
    object: 'chat.completion',
    created: 1764633600,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 9, completion_tokens: 9, total_tokens: 18 },
    service_tier: 'default',
    system_fingerprint: 'fp_bare0000',
  },
  'GET /v1/models': { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' }] },
  'POST /v1/embeddings': { object: 'list', data: [{ object: 'embedding', index: 0, embedding: 'AAAAAA==' }], model: 'text-embedding-3-small', usage: { prompt_tokens: 8, total_tokens: 8 } },
};

function answers() {
  const given = flags.bodies ? JSON.parse(fs.readFileSync(flags.bodies, 'utf8')) : {};
  const out = new Map();
  for (const [key, body] of Object.entries(DEFAULTS)) out.set(key, { status: 200, type: 'application/json', body: Buffer.from(JSON.stringify(body)) });
  for (const [key, a] of Object.entries(given)) out.set(key, { status: a.status ?? 200, type: a.type ?? 'application/json', body: Buffer.from(a.body) });
  return out;
}

const table = answers();
const missing = Buffer.from('{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}');

const server = http.createServer((request, response) => {
  // The body is read to its end as any server must; a real one would parse it.
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    // Two scenarios may share a path (a valid and an invalid chat body): the bench names its answer.
    const named = request.headers['x-bench-answer'];
    const answer = table.get(named ?? `${request.method} ${request.url.split('?')[0]}`);
    const body = answer ? answer.body : missing;
    response.writeHead(answer ? answer.status : 404, { 'content-type': answer ? answer.type : 'application/json', 'content-length': body.length });
    response.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(flags.port ?? 0), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));

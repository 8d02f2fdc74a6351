#!/usr/bin/env node
/*
 * Run once while the image is built (Dockerfile), as the user the container runs as, so that a
 * container starts warm and offline: fills $OPENAI_MOCK_CACHE_DIR with
 *   - the prepared spec (parsed, operations prepared, default bodies chosen),
 *   - every operation's request validators as Ajv standalone modules (about 18 MB; compiling them
 *     is otherwise the first request's cost per operation, 75-180 ms for the large ones),
 *   - V8's compiled code of the server as the command runs it, Prism's engine included (Node's
 *     compile cache keys it by file path, which is why this runs in the final stage, at /app).
 * Any failure fails the build: an image that would start cold is a broken image.
 */
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const APP = path.resolve(__dirname, '..');
const CACHE_DIR = process.env.OPENAI_MOCK_CACHE_DIR;
if (!CACHE_DIR) throw new Error('OPENAI_MOCK_CACHE_DIR is not set');

async function compileEverything() {
  const { loadSpec } = require(`${APP}/dist/openapi/load-spec`);
  const { locateSpec } = require(`${APP}/dist/openapi/locate`);
  const { cacheKey, validatorsDir } = require(`${APP}/dist/openapi/cache`);
  const { compileChecks } = require(`${APP}/dist/validation/request-validator`);
  const started = performance.now();
  const loaded = await loadSpec(locateSpec({ cwd: APP, env: process.env.OPENAI_MOCK_SPEC }), { dir: CACHE_DIR });
  if (loaded.cacheError) throw new Error(`could not write the spec cache: ${loaded.cacheError}`);
  const store = { dir: validatorsDir(CACHE_DIR, cacheKey(loaded.spec.sha256)) };
  for (const operation of loaded.spec.operations) compileChecks(operation, store);
  console.log(`warm-cache: spec prepared and ${loaded.spec.operations.length} operations' validators compiled in ${Math.round(performance.now() - started)} ms`);
}

/** The command as the container runs it, with requests that load what a first answer needs. */
async function runCommandOnce() {
  const child = spawn(process.execPath, [`${APP}/dist/cli/main.js`, '--host', '127.0.0.1', '--port', '0', '--no-watch'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    let log = '';
    const read = (chunk) => {
      log += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(log);
      if (match) resolve(match[1]);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    exited.then(({ code }) => reject(new Error(`the server exited (${code}) before listening:\n${log}`)));
  });
  const headers = { authorization: 'Bearer warm', 'content-type': 'application/json' };
  const chat = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] };
  const requests = [
    ['GET', '/__admin/health'],
    ['GET', '/v1/models'],
    ['GET', '/models'],
    ['POST', '/v1/chat/completions', chat],
    ['POST', '/v1/chat/completions', { ...chat, stream: true }],
    ['POST', '/v1/responses', { model: 'gpt-4o', input: 'Hi' }],
    ['POST', '/v1/responses', { model: 'gpt-4o', input: 'Hi', stream: true }],
    ['POST', '/v1/embeddings', { model: 'text-embedding-3-small', input: 'Hi' }],
    ['POST', '/v1/completions', { model: 'gpt-3.5-turbo-instruct', prompt: 'Hi' }],
    ['POST', '/v1/moderations', { input: 'Hi' }],
    ['POST', '/v1/chat/completions', { ...chat, model: 7 }],
    // Prism's engine loads on the first request that needs it.
    ['GET', '/v1/models', undefined, { prefer: 'dynamic=true' }],
  ];
  try {
    for (const [method, route, body, extra] of requests) {
      const response = await fetch(url + route, { method, headers: { ...headers, ...extra }, body: body && JSON.stringify(body) });
      await response.arrayBuffer();
      if (response.status >= 500) throw new Error(`${method} ${route}: ${response.status}`);
    }
  } finally {
    child.kill('SIGTERM');
  }
  const { code, signal } = await exited;
  if (code !== 0) throw new Error(`the server exited with ${code ?? signal} on SIGTERM`);
}

(async () => {
  await compileEverything();
  await runCommandOnce();
  console.log('warm-cache: done');
})().catch((error) => {
  console.error(`warm-cache: ${error.stack ?? error}`);
  process.exit(1);
});

'use strict';
/**
 * Time from saving a config file to the new answer being served, with `--config FILE --watch`:
 * the file is rewritten with a new version and GET /v1/models is polled until it shows it.
 */
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { stop } = require('./proc');

const FORMATS = {
  ts: {
    file: 'openai-mock.config.ts',
    text: (v) => `const version: string = 'v${v}';

export default {
  overridesDir: false,
  overrides: [
    {
      operation: 'listModels',
      response: () => ({ body: { object: 'list', data: [{ id: version, object: 'model', created: ${v}, owned_by: 'bench' }] } }),
    },
  ],
};
`,
  },
  json: {
    file: 'openai-mock.config.json',
    text: (v) =>
      JSON.stringify({ overridesDir: false, overrides: [{ operation: 'listModels', response: { body: { object: 'list', data: [{ id: `v${v}`, object: 'model', created: v, owned_by: 'bench' }] } } }] }),
  },
};

function modelId(port, agent) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/v1/models', agent, headers: { authorization: 'Bearer sk-bench' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text).data?.[0]?.id);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('error', reject);
  });
}

async function waitFor(port, agent, wanted, timeoutMs) {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    if ((await modelId(port, agent).catch(() => undefined)) === wanted) return true;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return false;
}

async function measureFormat(format, { runs, start, cacheDir }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-reload-${format}-`));
  const { file, text } = FORMATS[format];
  const config = path.join(dir, file);
  fs.writeFileSync(config, text(0));
  let instance;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    instance = await start({ config, cacheDir });
    if (!(await waitFor(instance.port, agent, 'v0', 10_000))) return { skipped: `--config ${file} --watch: the override is not served` };
    // The watcher may still be settling right after start-up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ms = [];
    for (let v = 1; v <= runs; v++) {
      const saved = performance.now();
      fs.writeFileSync(config, text(v));
      if (!(await waitFor(instance.port, agent, `v${v}`, 5_000))) return { skipped: `version ${v} not served within 5 s of saving ${file}`, ms };
      ms.push(performance.now() - saved);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { ms };
  } finally {
    agent.destroy();
    if (instance) await stop(instance.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function measureReload(server, { runs, start, cacheDir, log }) {
  const out = {};
  for (const format of ['ts', 'json']) {
    try {
      out[format] = await measureFormat(format, { runs, start, cacheDir });
    } catch (error) {
      out[format] = { skipped: error.message.split('\n')[0] };
    }
    if (out[format].skipped) log(`reload (${format} config) skipped: ${out[format].skipped}`);
  }
  return out;
}

module.exports = { measureReload };

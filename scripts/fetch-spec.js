#!/usr/bin/env node
/*
 * Fills spec/openapi.yaml, the default spec, in a checkout of this repository: copied from
 * ../shared/openai-openapi/ (or OPENAI_MOCK_SHARED_SPEC) when present, otherwise downloaded from
 * the pinned upstream commit in spec/pin.json. Either way its sha256 must match the pin.
 *
 * It runs at `npm install` in the checkout (scripts/prepare.js, which does nothing in a project
 * that installed the published package: that package carries the spec), before `npm pack`
 * with --require (a package without the pinned spec is not packed), and from the server's first
 * start when the download failed at install (src/openapi/read-source.ts requires this file).
 * Plain CommonJS with no dependencies: it runs on whatever Node runs npm.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const root = path.resolve(__dirname, '..');
const target = path.join(root, 'spec', 'openapi.yaml');
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');
const readPin = () => JSON.parse(fs.readFileSync(path.join(root, 'spec', 'pin.json'), 'utf8'));

/** `openai-mock spec update --from` pins a spec that has no upstream commit. */
const labelOf = (pin) => (pin.commit ? pin.commit.slice(0, 7) : pin.url);

/** True when spec/openapi.yaml is there and is the pinned one. */
function hasPinnedSpec() {
  try {
    return sha256(fs.readFileSync(target)) === readPin().sha256;
  } catch {
    return false;
  }
}

/**
 * Copies or downloads the pinned spec to spec/openapi.yaml. `say` gets one line per step;
 * `progress(received, total)` is called as the download arrives. Resolves to
 * `{ ok: true, how }` or `{ ok: false, why }`; never throws for a network failure.
 */
async function fetchSpec({ force = false, say = () => {}, progress = () => {}, timeoutMs = 60_000 } = {}) {
  const pin = readPin();
  if (!force && hasPinnedSpec()) return { ok: true, how: `spec/openapi.yaml is already the pinned spec (${labelOf(pin)})` };
  const candidates = [process.env.OPENAI_MOCK_SHARED_SPEC, path.join(root, '..', 'shared', 'openai-openapi', 'openapi.yaml')].filter(Boolean);
  for (const candidate of candidates) {
    if (!fs.existsSync(candidate)) continue;
    const bytes = fs.readFileSync(candidate);
    if (sha256(bytes) !== pin.sha256) {
      say(`${candidate} does not have the pinned sha256; not using it`);
      continue;
    }
    fs.writeFileSync(target, bytes);
    return { ok: true, how: `copied ${candidate} to spec/openapi.yaml` };
  }
  say(`downloading the pinned spec (${pin.repository}@${labelOf(pin)}) from ${pin.url}`);
  let bytes;
  try {
    const response = await fetch(pin.url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const total = Number(response.headers.get('content-length')) || undefined;
    const chunks = [];
    let received = 0;
    for await (const chunk of response.body) {
      chunks.push(chunk);
      received += chunk.length;
      progress(received, total);
    }
    bytes = Buffer.concat(chunks);
  } catch (error) {
    const cause = error.cause ? ` (${error.cause.code || error.cause.message})` : '';
    return { ok: false, why: `could not download ${pin.url}: ${error.message}${cause}` };
  }
  const got = sha256(bytes);
  if (got !== pin.sha256) return { ok: false, why: `the downloaded spec has sha256 ${got}, expected ${pin.sha256}; not saved` };
  // Written whole, then renamed: a server starting meanwhile never reads half a spec.
  fs.writeFileSync(`${target}.tmp`, bytes);
  fs.renameSync(`${target}.tmp`, target);
  return { ok: true, how: `saved spec/openapi.yaml (${labelOf(pin)}, ${(bytes.length / 1e6).toFixed(1)} MB)` };
}

/** A box that stands out in the scroll of `npm install`. */
function loud(lines) {
  const width = Math.max(...lines.map((l) => l.length));
  const bar = '!'.repeat(width + 4);
  return [bar, ...lines.map((l) => `! ${l.padEnd(width)} !`), bar].join('\n') + '\n';
}

async function main(argv = process.argv) {
  const say = (message) => process.stderr.write(`openai-mock fetch-spec: ${message}\n`);
  const force = argv.includes('--force');
  // `npm pack` / `npm publish`: the package must carry the pinned spec.
  const required = argv.includes('--require');
  const result = await fetchSpec({ force, say });
  if (result.ok) {
    say(result.how);
    return;
  }
  process.stderr.write(
    loud([
      'openai-mock: THE OPENAI SPEC COULD NOT BE FETCHED',
      result.why,
      'spec/openapi.yaml is missing, so the server has no default spec yet.',
      'The first `npm start` (or `npx openai-mock`) tries the download again;',
      'or run `npm run fetch-spec` once you are online,',
      'or pass --spec PATH|URL (OPENAI_MOCK_SPEC) to use another spec.',
    ]),
  );
  // An install without network must still succeed; a pack without the spec must not.
  if (required) process.exitCode = 1;
}

module.exports = { fetchSpec, hasPinnedSpec, target, main };

if (require.main === module) main();

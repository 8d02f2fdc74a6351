#!/usr/bin/env node
/*
 * Fills spec/openapi.yaml, the default spec, at install time: copied from
 * ../shared/openai-openapi/ (or OPENAI_MOCK_SHARED_SPEC) when present, otherwise downloaded from
 * the pinned upstream commit in spec/pin.json. Either way its sha256 must match the pin.
 * Plain CommonJS with no dependencies: it runs during `npm install`, on whatever Node runs npm.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const root = path.resolve(__dirname, '..');
const pin = JSON.parse(fs.readFileSync(path.join(root, 'spec', 'pin.json'), 'utf8'));
const target = path.join(root, 'spec', 'openapi.yaml');
const force = process.argv.includes('--force');
// `openai-mock spec update --from` pins a spec that has no upstream commit.
const label = pin.commit ? pin.commit.slice(0, 7) : pin.url;

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');
const say = (message) => process.stderr.write(`openai-mock fetch-spec: ${message}\n`);

async function main() {
  if (!force && fs.existsSync(target) && sha256(fs.readFileSync(target)) === pin.sha256) {
    say(`spec/openapi.yaml is already the pinned spec (${label})`);
    return;
  }
  const candidates = [process.env.OPENAI_MOCK_SHARED_SPEC, path.join(root, '..', 'shared', 'openai-openapi', 'openapi.yaml')].filter(Boolean);
  for (const candidate of candidates) {
    if (!fs.existsSync(candidate)) continue;
    const bytes = fs.readFileSync(candidate);
    if (sha256(bytes) !== pin.sha256) {
      say(`${candidate} does not have the pinned sha256; not using it`);
      continue;
    }
    fs.writeFileSync(target, bytes);
    say(`copied ${candidate} to spec/openapi.yaml`);
    return;
  }
  say(`downloading ${pin.url}`);
  let bytes;
  try {
    const response = await fetch(pin.url, { signal: AbortSignal.timeout(60000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    bytes = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    say(`could not download the spec (${error.message}). The server still runs with --spec PATH or OPENAI_MOCK_SPEC.`);
    // Not fatal: an install without network must still succeed.
    return;
  }
  const got = sha256(bytes);
  if (got !== pin.sha256) {
    say(`the downloaded spec has sha256 ${got}, expected ${pin.sha256}; not saved`);
    process.exitCode = 1;
    return;
  }
  fs.writeFileSync(target, bytes);
  say(`saved spec/openapi.yaml (${label})`);
}

main();

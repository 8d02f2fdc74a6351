#!/usr/bin/env node
/*
 * `npm install` in a checkout of openai-mock: fill spec/openapi.yaml, then build dist/. In a
 * project that installed the published package this is a no-op: that package already carries
 * the spec and dist/, and must work without any install script (npm 11 skips unapproved ones,
 * pnpm and yarn may too). npm does not run `prepare` for a registry package; this guard is for
 * whoever approves it anyway, and for tarballs and folders installed as dependencies.
 */
'use strict';
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
if (root.split(path.sep).includes('node_modules')) process.exit(0);

require('./fetch-spec')
  .main([])
  .then(() => {
    execFileSync(process.execPath, [path.join(__dirname, 'build.js')], { cwd: root, stdio: 'inherit' });
  })
  .catch((error) => {
    process.stderr.write(`openai-mock prepare: ${error.message}\n`);
    process.exitCode = 1;
  });

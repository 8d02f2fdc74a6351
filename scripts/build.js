#!/usr/bin/env node
/* `npm run build`: the spec's operation types (src/generated/, from spec/openapi.yaml), then dist/ with tsc. */
'use strict';
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const node = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
node([path.join(__dirname, 'gen-spec-types.js')]);
// From empty: files of sources since moved or deleted would otherwise ship in the next pack.
require('node:fs').rmSync(path.join(root, 'dist'), { recursive: true, force: true });
node([require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', path.join(root, 'tsconfig.json')]);

#!/usr/bin/env node
/*
 * `npm run test:node22 [-- jest options]`: runs a subset of the test suite (the command, the SDK,
 * models, settings, spec update, streaming) on Node 22 LTS, the oldest Node the package supports,
 * while `npm test` runs everything on the pinned Node 24. Node 22 comes from the npm registry's
 * `node` package (as Node 24 does, as a devDependency), installed on first use into
 * node_modules/.cache/node22 (outside the project's dependencies: one package cannot depend on two
 * versions of `node`). Set NODE22=/path/to/node to use a Node 22 of your own.
 *
 * Jest's own module system loads an ES-module-only package with `require` only on Node 24.9+, while
 * Node 22.12+ itself does (the command, which the CLI suites run as a child process on Node 22, loads
 * them natively). So on Node 22 those packages (chokidar, faker, the proxy agents, ...) are turned
 * into CommonJS for Jest, as it does with the tests' TypeScript.
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dir = path.join(root, 'node_modules', '.cache', 'node22');
const RANGE = '^22.12.0';
// The official SDK over every kind of body, bad input, models (with the command), settings and the
// ready line (with the command), streaming, overrides and hot reload (with the command, watching),
// the file-backed state store (node:sqlite differs between Node versions), the Realtime socket (the
// upgrade path differs before Node 24.9), rate limits through the SDK's retries, and --workers.
const SUBSET = [
  'test/foundation/sdk.test.ts',
  'test/foundation/bad-input.test.ts',
  'test/models',
  'test/settings',
  'test/spec/locate-diff.test.ts',
  'test/streaming/chat.test.ts',
  'test/streaming/responses.test.ts',
  'test/streaming/other-operations.test.ts',
  'test/overrides/api.test.ts',
  'test/overrides/reload.test.ts',
  'test/state/store.test.ts',
  'test/realtime/sdk.test.ts',
  'test/load/ratelimit.test.ts',
  'test/workers',
];

// `--quick` (CI): the SDK, the command's settings and ready line, streaming, hot reload, the file
// store and the Realtime socket; the full subset adds bad input, models, Responses, the other
// streamed operations, rate limits and workers.
const QUICK = ['test/foundation/sdk.test.ts', 'test/settings', 'test/streaming/chat.test.ts', 'test/overrides/reload.test.ts', 'test/state/store.test.ts', 'test/realtime/sdk.test.ts'];

const say = (message) => process.stderr.write(`test:node22: ${message}\n`);

function version(node) {
  try {
    return execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function node22() {
  if (process.env.NODE22) return process.env.NODE22;
  const bin = path.join(dir, 'node_modules', 'node', 'bin', 'node');
  if (version(bin)?.startsWith('22.')) return bin;
  say(`installing node@${RANGE} from the npm registry into ${path.relative(root, dir)}`);
  fs.mkdirSync(dir, { recursive: true });
  // The `node` package puts its binary in place with an install script, which npm runs only when allowed.
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, dependencies: { node: RANGE }, allowScripts: { node: true } }, null, 2));
  const npm = process.env.npm_execpath;
  const [command, args] = npm && npm.endsWith('.js') ? [process.execPath, [npm]] : ['npm', []];
  execFileSync(command, [...args, 'install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
  if (!version(bin)?.startsWith('22.')) throw new Error(`no Node 22 at ${bin} after the install`);
  return bin;
}

/** Packages under node_modules that are ES modules with no CommonJS entry. */
function esmOnlyPackages() {
  const found = [];
  const modules = path.join(root, 'node_modules');
  const visit = (name) => {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(modules, name, 'package.json'), 'utf8'));
      if (pkg.type === 'module' && !JSON.stringify(pkg.exports ?? {}).includes('"require"')) found.push(name);
    } catch {
      // Not a package.
    }
  };
  for (const entry of fs.readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) for (const scoped of fs.readdirSync(path.join(modules, entry))) visit(`${entry}/${scoped}`);
    else visit(entry);
  }
  return found;
}

function jestConfig() {
  const config = { ...require(path.join(root, 'package.json')).jest, rootDir: root };
  const swc = config.transform['^.+\\.ts$'];
  const esm = esmOnlyPackages().map((name) => name.replace(/[.+]/g, '\\$&'));
  config.transform = { ...config.transform, [`/node_modules/(${esm.join('|')})/.+\\.m?js$`]: swc };
  config.transformIgnorePatterns = [`/node_modules/(?!(${esm.join('|')})/)`];
  return JSON.stringify(config);
}

let node;
try {
  node = node22();
} catch (error) {
  say(`could not get Node 22: ${error.message}`);
  process.exit(1);
}
say(`Node ${version(node)} (${node})`);
const quick = process.argv.includes('--quick');
const extra = process.argv.slice(2).filter((a) => a !== '--quick');
const suites = extra.some((a) => !a.startsWith('-')) ? [] : quick ? QUICK : SUBSET;
const result = spawnSync(
  node,
  ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning', path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', jestConfig(), '--forceExit', ...suites, ...extra],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);

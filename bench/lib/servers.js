'use strict';
/**
 * The servers under test: ours (built dist/, run on the project's Node) and the peers, installed on
 * demand into bench/.peers (git-ignored) so that they never slow an ordinary `npm ci`.
 */
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const PEERS_DIR = path.join(ROOT, 'bench', '.peers');

const PEERS = {
  steady: { package: '@stdy/cli', range: '0.22', title: 'steady' },
  prism: { package: '@stoplight/prism-cli', range: '5.16', title: 'prism' },
};

function installedVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(PEERS_DIR, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

const satisfies = (version, range) => version !== undefined && (version === range || version.startsWith(range + '.'));

/** Installs a peer into bench/.peers unless a matching version is there; returns its version. */
function ensurePeer(key, log) {
  const peer = PEERS[key];
  let version = installedVersion(peer.package);
  if (satisfies(version, peer.range)) return version;
  fs.mkdirSync(PEERS_DIR, { recursive: true });
  const manifest = path.join(PEERS_DIR, 'package.json');
  if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, JSON.stringify({ private: true, description: 'peers for npm run bench' }, null, 2) + '\n');
  log(`installing ${peer.package}@${peer.range} into bench/.peers ...`);
  // Install scripts stay blocked (npm's default here): steady's binary ships in a package, and
  // Prism's only script is @scarf/scarf's telemetry, which SCARF_ANALYTICS=false turns off anyway.
  const result = spawnSync('npm', ['install', '--prefix', PEERS_DIR, '--save-exact', '--no-audit', '--no-fund', '--loglevel=error', `${peer.package}@${peer.range}`], {
    env: { ...process.env, SCARF_ANALYTICS: 'false' },
    encoding: 'utf8',
    timeout: 300_000,
  });
  version = installedVersion(peer.package);
  if (result.status !== 0 || !satisfies(version, peer.range)) {
    const reason = (result.stderr || result.error?.message || 'no output')
      .split('\n')
      .map((line) => line.replace(/^npm (error|ERR!)\s*/, '').trim())
      .filter(Boolean)
      .slice(0, 2)
      .join(' ');
    throw new Error(`npm install ${peer.package}@${peer.range} failed: ${reason}`);
  }
  return version;
}

/** steady's npm package ships a native binary per platform; run it directly, not through its node wrapper. */
function steadyBinary() {
  const platformPackage = `@stdy/cli-${process.platform}-${process.arch}`;
  const binary = path.join(PEERS_DIR, 'node_modules', platformPackage, 'bin', process.platform === 'win32' ? 'steady.exe' : 'steady');
  if (!fs.existsSync(binary)) throw new Error(`${platformPackage} is not installed (no steady binary for this platform)`);
  execFileSync(binary, ['--version'], { stdio: 'ignore', timeout: 10_000 });
  return binary;
}

/**
 * Each definition says how to start the server on a port and how to talk to it. `prefix` is what
 * goes before the spec's paths (the peers serve the bare paths only); `streamAccept` is the Accept
 * header that gets a stream (the SDK sends application/json with `stream: true`; steady streams
 * only when Accept asks for text/event-stream).
 */
function ours({ spec, dist = path.join(ROOT, 'dist') }) {
  const main = path.join(dist, 'cli', 'main.js');
  if (!fs.existsSync(main)) throw new Error('dist/ is missing: run `npm run build` first');
  return {
    key: 'ours',
    title: 'openai-mock',
    version: require(path.join(ROOT, 'package.json')).version,
    prefix: '/v1',
    streamAccept: 'application/json',
    hasCache: true,
    command: process.execPath,
    args: ({ port, cacheDir, config, extraNodeArgs = [], logLevel = 'warn' }) => [
      ...extraNodeArgs,
      main,
      '--port',
      String(port),
      '--spec',
      spec,
      '--log-level',
      logLevel,
      ...(cacheDir ? ['--cache-dir', cacheDir] : ['--no-cache']),
      ...(config ? ['--config', config, '--watch'] : []),
    ],
    env: {},
  };
}

function steady({ spec }, log) {
  const version = ensurePeer('steady', log);
  const binary = steadyBinary();
  return {
    key: 'steady',
    title: 'steady',
    version,
    prefix: '',
    streamAccept: 'text/event-stream',
    hasCache: false,
    command: binary,
    args: ({ port }) => ['-p', String(port), '--host', '127.0.0.1', '-q', '--no-color', spec],
    env: { NO_COLOR: '1' },
  };
}

function prism({ spec }, log) {
  const version = ensurePeer('prism', log);
  const cli = path.join(PEERS_DIR, 'node_modules', '@stoplight/prism-cli', 'dist', 'index.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing`);
  return {
    key: 'prism',
    title: 'prism',
    version,
    prefix: '',
    streamAccept: 'text/event-stream',
    hasCache: false,
    // Prism 5.16 wants Node >= 24.18: the project's own Node, which runs this script.
    command: process.execPath,
    args: ({ port }) => [cli, 'mock', '-p', String(port), '-h', '127.0.0.1', '-v', 'warn', spec],
    env: { SCARF_ANALYTICS: 'false' },
  };
}

/** The machine's limit (bench/lib/bare.js): the same bodies as openai-mock's, fixed. */
function bare({ bodies }) {
  return {
    key: 'bare',
    title: 'bare Node http',
    prefix: '/v1',
    streamAccept: 'application/json',
    command: process.execPath,
    args: ({ port }) => [path.join(__dirname, 'bare.js'), '--port', String(port), ...(bodies ? ['--bodies', bodies] : [])],
    env: {},
  };
}

/** The machine's limit for streams (bench/lib/bare-sse.js): openai-mock's events, paced by a setInterval per stream. */
function bareSse({ events, intervalMs = 0 }) {
  return {
    key: 'bareSse',
    title: 'bare Node SSE',
    prefix: '/v1',
    command: process.execPath,
    args: ({ port }) => [path.join(__dirname, 'bare-sse.js'), '--port', String(port), '--events', events, '--interval', String(intervalMs)],
    env: {},
  };
}

module.exports = { ROOT, PEERS_DIR, definitions: { ours, steady, prism }, bare, bareSse };

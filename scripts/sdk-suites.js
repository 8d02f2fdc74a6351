#!/usr/bin/env node
/**
 * `npm run test:sdk-suites`: the official SDKs' own generated suites against openai-mock at its
 * default flags. Not part of `npm test`: it needs SDK checkouts (and their dev dependencies),
 * which the project never vendors.
 *
 *   SDK_NODE_DIR=/tmp/sdk-node npm run test:sdk-suites          # openai-node, tests/api-resources (jest)
 *   SDK_PYTHON_DIR=/tmp/sdk-python npm run test:sdk-suites      # openai-python, tests/api_resources (pytest)
 *
 * SDK_PYTHON names the interpreter (default python3). A Node checkout without node_modules gets
 * its dev dependencies with `npm install --ignore-scripts` first. Exit code 0 when every failure is
 * one that the spec itself forbids (EXPECTED below), 1 otherwise.
 */
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');

/**
 * Tests whose requests the spec forbids (spec 2.3.0, the pin in spec/pin.json): the mock answers
 * them 400 as the API does. `line` is where the spec says so.
 */
const EXPECTED = [
  {
    test: 'client.skills.create() with no files',
    node: /^resource skills create$/,
    python: /test_skills\.py::Test(Async)?Skills::test_(method|raw_response|streaming_response)_create(\[.*\])?$/,
    why: "CreateSkillBody requires 'files'",
    line: 'components.schemas.CreateSkillBody: required: [files]',
  },
  {
    test: 'client.skills.versions.create(skillId) with no files',
    node: /^resource versions create$/,
    python: /skills\/test_versions\.py::Test(Async)?Versions::test_(method|raw_response|streaming_response)_create(\[.*\])?$/,
    why: "CreateSkillVersionBody requires 'files'",
    line: 'components.schemas.CreateSkillVersionBody: required: [files]',
  },
  {
    test: "client.vectorStores.fileBatches.create(id, {})",
    node: /^resource fileBatches create$/,
    python: /vector_stores\/test_file_batches\.py::Test(Async)?FileBatches::test_(method|raw_response|streaming_response)_create(\[.*\])?$/,
    why: "CreateVectorStoreFileBatchRequest needs 'file_ids' or 'files' (anyOf required)",
    line: 'components.schemas.CreateVectorStoreFileBatchRequest: anyOf: [{required: [file_ids]}, {required: [files]}]',
  },
  {
    // The SDK is newer than the pinned spec here: the API rejects a parameter it does not know, and
    // the mock knows the spec's. `--allow-unknown-params` lets it through.
    test: "client.admin.organization.projects.create({ name, geography })",
    node: /^resource projects create: required and optional params$/,
    python: /organization\/test_projects\.py::Test(Async)?Projects::test_method_create_with_all_params(\[.*\])?$/,
    why: "ProjectCreateRequest has no 'geography' (an unknown parameter, 400 as the API answers)",
    line: 'components.schemas.ProjectCreateRequest: properties: [name, residency]',
  },
];

function run(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ code: -1, output: `${output}\n${error.message}` }));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** The mock as a user starts it (the command, default flags, no config), on a port the OS picks. */
function startMock(logFile) {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  // An empty working directory: no config file is found, so every setting is the default.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'openai-mock-sdk-suites-'));
  const child = spawn(process.execPath, [MAIN, '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = fs.createWriteStream(logFile);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`the mock did not start within 60 s:\n${seen}`)), 60_000);
    const onData = (chunk) => {
      seen += chunk;
      const ready = /listening on (http:\/\/\S+)/.exec(seen);
      if (ready) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve({ url: ready[1], stop: () => new Promise((done) => (child.once('exit', done), child.kill('SIGTERM'))) });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the mock exited (${code}) before it was ready:\n${seen}`)));
  });
}

function report(name, counts, failures, which) {
  const expected = failures.filter((f) => EXPECTED.some((e) => e[which].test(f.name)));
  const unexpected = failures.filter((f) => !expected.includes(f));
  console.log(`\n${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (of ${counts.total})`);
  for (const f of expected) {
    const e = EXPECTED.find((x) => x[which].test(f.name));
    console.log(`  expected (the spec forbids the request: ${e.why}): ${f.name}`);
  }
  for (const f of unexpected) console.log(`  FAILED: ${f.name}\n    ${f.message}`);
  return unexpected.length === 0;
}

async function nodeSuite(dir, url, work) {
  const jest = path.join(dir, 'node_modules', '.bin', 'jest');
  if (!fs.existsSync(path.join(dir, 'tests', 'api-resources'))) throw new Error(`${dir} has no tests/api-resources: is it an openai-node checkout?`);
  if (!fs.existsSync(jest)) {
    console.log(`installing openai-node's dev dependencies in ${dir} (npm install --ignore-scripts)...`);
    const install = await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir });
    if (install.code !== 0) throw new Error(`npm install failed in ${dir}:\n${install.output.slice(-2000)}`);
  }
  const resultFile = path.join(work, 'node-results.json');
  const started = Date.now();
  // Jest's 5 s per test is tight on a loaded machine for the first request that loads Prism's engine.
  const result = await run(jest, ['tests/api-resources', '--json', `--outputFile=${resultFile}`, '--testTimeout=30000'], {
    cwd: dir,
    env: { ...process.env, TEST_API_BASE_URL: url, OPENAI_TEST_SUITE: 'generated' },
  });
  if (!fs.existsSync(resultFile)) throw new Error(`jest wrote no results (exit ${result.code}):\n${result.output.slice(-3000)}`);
  const json = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  const failures = [];
  for (const file of json.testResults) {
    for (const t of file.assertionResults) {
      if (t.status === 'failed') failures.push({ name: t.fullName, message: (t.failureMessages[0] ?? '').split('\n')[0] + `  (${path.relative(dir, file.name)})` });
    }
    // A file that fails to load has no assertion results: count it as a failure by its name.
    if (file.status === 'failed' && file.assertionResults.length === 0) failures.push({ name: path.relative(dir, file.name), message: (file.message ?? '').split('\n').slice(0, 3).join(' ') });
  }
  const counts = { passed: json.numPassedTests, failed: json.numFailedTests, skipped: json.numPendingTests + json.numTodoTests, total: json.numTotalTests };
  console.log(`(openai-node suite ran in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return report('openai-node tests/api-resources', counts, failures, 'node');
}

async function pythonSuite(dir, url) {
  if (!fs.existsSync(path.join(dir, 'tests', 'api_resources'))) throw new Error(`${dir} has no tests/api_resources: is it an openai-python checkout?`);
  const python = process.env.SDK_PYTHON || 'python3';
  const started = Date.now();
  const result = await run(python, ['-m', 'pytest', 'tests/api_resources', '-q', '-rfE', '-p', 'no:cacheprovider'], {
    cwd: dir,
    env: { ...process.env, TEST_API_BASE_URL: url },
  });
  const lines = result.output.split('\n');
  const summary = [...lines].reverse().find((l) => /\b\d+ (passed|failed|error)/.test(l));
  if (!summary) throw new Error(`pytest printed no summary (exit ${result.code}):\n${result.output.slice(-3000)}`);
  const count = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(summary)?.[1] ?? 0);
  const counts = { passed: count('passed'), failed: count('failed') + count('errors?'), skipped: count('skipped') };
  counts.total = counts.passed + counts.failed + counts.skipped;
  const failures = lines
    .filter((l) => /^(FAILED|ERROR) /.test(l))
    .map((l) => {
      const [, id, message = ''] = /^(?:FAILED|ERROR) (\S+)(?: - (.*))?$/.exec(l) ?? [null, l];
      return { name: id, message };
    });
  console.log(`(openai-python suite ran in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return report('openai-python tests/api_resources', counts, failures, 'python');
}

async function main() {
  const nodeDir = process.env.SDK_NODE_DIR;
  const pythonDir = process.env.SDK_PYTHON_DIR;
  if (!nodeDir && !pythonDir) {
    console.error('Set SDK_NODE_DIR (an openai-node checkout) and/or SDK_PYTHON_DIR (an openai-python checkout).');
    return 2;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'openai-mock-sdk-results-'));
  const logFile = path.join(work, 'mock.log');
  const mock = await startMock(logFile);
  console.log(`openai-mock at ${mock.url} (default flags; its log: ${logFile})`);
  let ok = true;
  try {
    if (nodeDir) ok = (await nodeSuite(path.resolve(nodeDir), mock.url, work)) && ok;
    if (pythonDir) ok = (await pythonSuite(path.resolve(pythonDir), mock.url)) && ok;
  } finally {
    await mock.stop();
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`sdk-suites: ${error.message}`);
    process.exitCode = 1;
  },
);

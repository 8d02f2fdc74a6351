#!/usr/bin/env node
'use strict';
/**
 * npm run bench: openai-mock against the machine's limit (a bare Node http server answering the
 * same bodies, and a bare Node SSE server for paced streams), measured in the same run; then, in
 * a full run, against steady and Prism on the same spec, one server at a time, and hot reload.
 *
 *   node bench/run.js [--quick] [--runs N] [--seconds S] [--warmup S] [--sections limit,streams,servers,reload]
 *                     [--streams 1000,3000] [--stream-rounds N] [--scenarios chat,models,...,tls]
 *                     [--peers steady,prism|none] [--dist DIR] [--profile] [--readme]
 *
 * --quick (about two minutes): the limit and streams sections only, one run each. --warmup: seconds
 * of load that warm each openai-mock process before its first measured run (default 3). --dist
 * runs another build of openai-mock (a copy of dist/ from before a change, to compare likewise).
 * Prints the tables and writes bench/results.json; --readme also replaces the table in README.md.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { readFlags } = require('./lib/cli');
const { ROOT, definitions } = require('./lib/servers');
const { measureLimit, measureStreams } = require('./lib/limit');
const { freePort, memoryOf, startAndWait, stop } = require('./lib/proc');
const { SCENARIOS, requestOf, once, countEvents, load } = require('./lib/load');
const { summarize, advantage } = require('./lib/stats');
const { rows, textTable, markdownTable, fmt } = require('./lib/report');
const { measureReload } = require('./lib/reload');
const { summarizeProfile } = require('./lib/profile');
const { measureTransports, transportRatios } = require('./lib/transport');

const { flags } = readFlags(__filename, [3, 15], {
  quick: { type: 'boolean' },
  runs: { type: 'string' },
  seconds: { type: 'string' },
  warmup: { type: 'string' },
  peers: { type: 'string' },
  profile: { type: 'boolean' },
  readme: { type: 'boolean' },
  spec: { type: 'string' },
  scenarios: { type: 'string' },
  sections: { type: 'string' },
  streams: { type: 'string' },
  'stream-rounds': { type: 'string' },
  dist: { type: 'string' },
}, ['runs', 'seconds', 'warmup', 'stream-rounds']);

const CONNECTIONS = 10;
const dist = path.resolve(flags.dist ?? path.join(ROOT, 'dist'));
const spec = path.resolve(flags.spec ?? process.env.OPENAI_MOCK_SPEC ?? path.join(ROOT, 'spec', 'openapi.yaml'));
const log = (message) => process.stderr.write(`bench: ${message}\n`);

/** Runs and durations per server: Prism takes tens of seconds to start and answers slowly, so it gets fewer and shorter ones. */
function settingsFor(key) {
  const runs = Number(flags.runs ?? (flags.quick ? 1 : 3));
  const seconds = Number(flags.seconds ?? (flags.quick ? 1 : 3));
  if (key === 'prism') return { starts: Math.min(runs, 2), coldStarts: 0, loadRuns: Math.min(runs, 2), seconds: Math.min(seconds, 2), warmupSeconds: 1, startTimeoutMs: 120_000 };
  return { starts: flags.quick ? 2 : 5, coldStarts: flags.quick ? 1 : 3, loadRuns: runs, seconds, warmupSeconds: 1, startTimeoutMs: 60_000 };
}

const headersFor = () => ({ authorization: 'Bearer sk-bench-0000000000000000', accept: 'application/json' });

async function start(server, settings, extra = {}) {
  const port = await freePort();
  const started = await startAndWait({
    command: server.command,
    args: server.args({ port, ...extra }),
    env: server.env,
    url: `http://127.0.0.1:${port}${server.prefix}/models`,
    headers: headersFor(),
    timeoutMs: settings.startTimeoutMs,
  });
  return { ...started, port };
}

/** Start-up runs: each to its first answer, then RSS, then the first chat completion (lazy work shows there). */
async function measureStarts(server, settings, runs, cacheDirOf) {
  const readyMs = [];
  const rss = [];
  const peakAtReady = [];
  const firstChat = [];
  for (let i = 0; i < runs; i++) {
    const instance = await start(server, settings, { cacheDir: cacheDirOf?.(i) });
    readyMs.push(instance.readyMs);
    const memory = memoryOf(instance.child.pid);
    rss.push(memory?.rss);
    peakAtReady.push(memory?.peak);
    const chat = SCENARIOS.find((s) => s.key === 'chat');
    const first = await once(requestOf(server, instance.port, chat));
    firstChat.push(first.ms);
    await stop(instance.child);
  }
  return { readyMs, rss, peakAtReady, firstChat };
}

async function measureLoad(server, settings, instance) {
  const scenarios = {};
  const only = flags.scenarios?.split(',');
  for (const scenario of SCENARIOS.filter((s) => !only || only.includes(s.key))) {
    const request = requestOf(server, instance.port, scenario);
    const probe = await once(request).catch((error) => ({ error }));
    const entry = { label: scenario.label };
    scenarios[scenario.key] = entry;
    if (probe.error) {
      entry.skipped = `no answer: ${probe.error.message}`;
      continue;
    }
    entry.probeStatus = probe.status;
    if (scenario.stream) {
      if (!probe.type.startsWith('text/event-stream')) {
        entry.skipped = `stream: true answers ${probe.status} ${probe.type || 'without a content type'}, not text/event-stream`;
        log(`${server.title}: streamed chat skipped: ${entry.skipped}`);
        continue;
      }
      entry.eventsPerStream = countEvents(probe.text);
    }
    if (scenario.rejected && (probe.status < 400 || probe.status >= 500)) entry.notRejected = probe.status;
    if (!scenario.rejected && probe.status >= 400) {
      entry.skipped = `answers ${probe.status}: ${probe.text.slice(0, 200)}`;
      log(`${server.title}: ${scenario.label} skipped: ${entry.skipped}`);
      continue;
    }
    log(`${server.title}: ${scenario.label}: ${settings.loadRuns} x ${settings.seconds} s`);
    await load(request, { connections: CONNECTIONS, seconds: settings.warmupSeconds });
    entry.runs = [];
    for (let i = 0; i < settings.loadRuns; i++) entry.runs.push(await load(request, { connections: CONNECTIONS, seconds: settings.seconds }));
    const failures = entry.runs.reduce((n, r) => n + r.errors + r.timeouts, 0);
    if (failures) entry.failures = failures;
  }
  return scenarios;
}

async function benchServer(server) {
  const settings = settingsFor(server.key);
  const result = { key: server.key, title: server.title, version: server.version, settings };
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${server.key}-`));
  try {
    if (server.hasCache) {
      log(`${server.title}: ${settings.coldStarts} cold starts (empty cache dir each), ${settings.starts} warm starts`);
      result.cold = await measureStarts(server, settings, settings.coldStarts, (i) => path.join(temp, `cold-${i}`));
      const warmDir = path.join(temp, 'cold-0');
      result.warm = await measureStarts(server, settings, settings.starts, () => warmDir);
    } else {
      log(`${server.title}: ${settings.starts} starts (it keeps no cache: cold and warm are the same)`);
      result.warm = await measureStarts(server, settings, settings.starts);
      result.cold = result.warm;
    }
    const extraNodeArgs = flags.profile && server.key === 'ours' ? ['--cpu-prof', '--cpu-prof-dir', path.join(temp, 'profile')] : [];
    const instance = await start(server, settings, { cacheDir: path.join(temp, 'cold-0'), extraNodeArgs });
    result.loadInstanceRss = memoryOf(instance.child.pid)?.rss;
    result.scenarios = await measureLoad(server, settings, instance);
    // The same instance serves http and https on its port: TLS and HTTP/2 against plain HTTP.
    if (server.key === 'ours' && (!flags.scenarios || flags.scenarios.split(',').includes('tls'))) {
      result.transports = await measureTransports(instance.port, { runs: settings.loadRuns, seconds: settings.seconds, connections: CONNECTIONS, log });
    }
    result.peakRss = memoryOf(instance.child.pid)?.peak;
    await stop(instance.child);
    if (extraNodeArgs.length) {
      const dir = path.join(temp, 'profile');
      const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      if (file) {
        const kept = path.join(ROOT, 'bench', '.peers', 'profiles');
        fs.mkdirSync(kept, { recursive: true });
        fs.copyFileSync(path.join(dir, file), path.join(kept, `ours-load-${Date.now()}.cpuprofile`));
        result.profile = summarizeProfile(path.join(dir, file), ROOT);
      }
    }
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
  return result;
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

function buildFigures(results) {
  const by = Object.fromEntries(results.map((r) => [r.key, r]));
  const figures = [];
  const add = (key, label, unit, better, pick, notes) => {
    const values = {};
    for (const r of results) values[r.key] = pick(r) ? summarize(pick(r)) : null;
    const ratios = {};
    for (const r of results) if (r.key !== 'ours') ratios[r.key] = advantage(values.ours, values[r.key], better);
    figures.push({ key, label, unit, better, values, ratios, notes: notes?.() });
  };
  add('startWarm', 'start to first answer, warm cache', 'ms', 'lower', (r) => r.warm?.readyMs);
  add('startCold', 'start to first answer, cold cache', 'ms', 'lower', (r) => r.cold?.readyMs, () =>
    Object.fromEntries(results.filter((r) => r.cold === r.warm).map((r) => [r.key, '(no cache)'])),
  );
  add('firstChat', 'first chat completion after start', 'ms', 'lower', (r) => r.warm?.firstChat);
  add('rssReady', 'RSS at ready', 'MiB', 'lower', (r) => r.warm?.rss);
  add('peakReady', 'peak RSS at ready', 'MiB', 'lower', (r) => r.warm?.peakAtReady);
  add('peakRss', 'peak RSS after load', 'MiB', 'lower', (r) => (r.peakRss ? [r.peakRss] : null));
  for (const scenario of SCENARIOS) {
    const runsOf = (r) => r.scenarios?.[scenario.key]?.runs;
    const notes = () => {
      const out = {};
      for (const r of results) {
        const s = r.scenarios?.[scenario.key];
        if (s?.skipped) out[r.key] = scenario.stream ? '(no event stream)' : '(skipped)';
        else if (s?.notRejected) out[r.key] = `(answers ${s.notRejected})`;
        else if (s?.failures) out[r.key] = `(${s.failures} failed)`;
      }
      return out;
    };
    if (scenario.stream) {
      add('streamEvents', `${scenario.label}, events/s`, 'events/s', 'higher', (r) => runsOf(r)?.map((x) => x.requestsPerSecond * r.scenarios[scenario.key].eventsPerStream), notes);
      add('streamRps', `${scenario.label}, streams/s`, 'req/s', 'higher', (r) => runsOf(r)?.map((x) => x.requestsPerSecond), notes);
    } else {
      add(`${scenario.key}Rps`, `${scenario.label}`, 'req/s', 'higher', (r) => runsOf(r)?.map((x) => x.requestsPerSecond), notes);
    }
    add(`${scenario.key}P50`, `${scenario.label}, p50`, 'ms', 'lower', (r) => runsOf(r)?.map((x) => x.p50));
    add(`${scenario.key}P99`, `${scenario.label}, p99`, 'ms', 'lower', (r) => runsOf(r)?.map((x) => x.p99));
  }
  const transports = by.ours?.transports;
  if (transports) {
    const ratios = transportRatios(transports, summarize);
    const ofPlain = (ratio, how) => ({ ours: `(${ratio.toFixed(2)}x plain HTTP/1.1, ${how})` });
    add('chatPlainH1Rps', 'POST /chat/completions, plain HTTP/1.1, paired with HTTPS', 'req/s', 'higher', (r) => r.transports?.plainH1);
    add('chatHttpsH1Rps', 'POST /chat/completions over HTTPS, HTTP/1.1', 'req/s', 'higher', (r) => r.transports?.httpsH1, () => ofPlain(ratios.https, 'autocannon both'));
    add('chatH2Rps', 'POST /chat/completions over HTTPS, h2', 'req/s', 'higher', (r) => r.transports?.h2, () =>
      ofPlain(ratios.h2, transports.plainH1Ref.length ? 'h2load both' : 'Node http2 client against autocannon'),
    );
    add('tlsCost', 'TLS cost against plain HTTP/1.1, keep-alive, req/s (median of back-to-back pairs)', '%', 'lower', (r) => (r.transports ? [Math.round((1 - ratios.https) * 100)] : null));
  }
  for (const [format, name] of [['ts', 'TypeScript'], ['json', 'JSON']]) {
    add(`reload${format === 'ts' ? 'Ts' : 'Json'}`, `${name} config saved to new answer served`, 'ms', 'lower', (r) => (r.reload?.[format]?.skipped ? null : r.reload?.[format]?.ms), () =>
      Object.fromEntries(results.filter((r) => r.key === 'ours' && r.reload?.[format]?.skipped).map((r) => [r.key, '(skipped)'])),
    );
  }
  return { figures, by };
}

function targetsOf(figures) {
  const f = Object.fromEntries(figures.map((x) => [x.key, x]));
  const med = (key, server) => f[key]?.values[server]?.median;
  const targets = [];
  const add = (name, ours, goal, met) => targets.push({ name, ours, goal, met: ours === undefined || goal === undefined ? null : met });
  add('warm start at most steady\'s (ms)', med('startWarm', 'ours'), med('startWarm', 'steady'), med('startWarm', 'ours') <= med('startWarm', 'steady'));
  const chatGoal = med('chatRps', 'steady') === undefined ? undefined : 2 * med('chatRps', 'steady');
  add('chat completions at least 2x steady\'s req/s', med('chatRps', 'ours'), chatGoal, med('chatRps', 'ours') >= chatGoal);
  const p99s = figures.filter((x) => x.key.endsWith('P99') && x.values.ours).map((x) => ({ label: x.label, value: x.values.ours.median }));
  const worst = p99s.sort((a, b) => b.value - a.value)[0];
  if (worst) add(`p99 under 10 ms at ${CONNECTIONS} connections (worst: ${worst.label})`, worst.value, 10, worst.value < 10);
  add('peak RSS below steady\'s (MiB)', med('peakRss', 'ours'), med('peakRss', 'steady'), med('peakRss', 'ours') < med('peakRss', 'steady'));
  const tlsCost = med('tlsCost', 'ours');
  if (tlsCost !== undefined) add('HTTPS (HTTP/1.1, keep-alive) costs under 30% of plain HTTP\'s req/s (%)', tlsCost, 30, tlsCost < 30);
  add('reload under 200 ms (TypeScript config)', med('reloadTs', 'ours'), 200, med('reloadTs', 'ours') < 200);
  add('reload under 200 ms (JSON config)', med('reloadJson', 'ours'), 200, med('reloadJson', 'ours') < 200);
  return targets;
}

function updateReadme(markdown) {
  const file = path.join(ROOT, 'README.md');
  const text = fs.readFileSync(file, 'utf8');
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return log('README.md has no <!-- bench:begin --> ... <!-- bench:end --> block: not updated');
  fs.writeFileSync(file, text.slice(0, a + begin.length) + '\n' + markdown + '\n' + text.slice(b));
  log('README.md table updated');
}

/** The servers and start-up section (against steady and Prism), and reload: as before the limit section existed. */
async function serversSection(sections) {
  const wanted = flags.peers === undefined ? (flags.quick ? [] : ['steady', 'prism']) : flags.peers === 'none' ? [] : flags.peers.split(',').filter(Boolean);
  const servers = [];
  const skipped = [];
  for (const key of ['ours', ...wanted]) {
    const define = definitions[key];
    if (!define) throw new Error(`unknown peer "${key}" (known: steady, prism)`);
    try {
      servers.push(define({ spec, dist }, log));
    } catch (error) {
      const reason = `${key} skipped: ${error.message}`;
      skipped.push(reason);
      log(reason);
      if (key === 'ours') throw error;
    }
  }

  const results = [];
  if (sections.has('servers')) {
    for (const server of servers) {
      try {
        results.push(await benchServer(server));
      } catch (error) {
        if (server.key === 'ours') throw error;
        const reason = `${server.title} skipped: ${error.message.split('\n')[0]}`;
        skipped.push(reason);
        log(reason);
      }
    }
  }
  let ours = results.find((r) => r.key === 'ours');
  if (!ours) results.push((ours = { key: 'ours', title: servers[0].title, version: servers[0].version, settings: settingsFor('ours') }));
  if (sections.has('reload')) {
    log('openai-mock: hot reload');
    const reloadCache = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-reload-cache-'));
    try {
      ours.reload = await measureReload(servers[0], { runs: flags.quick ? 3 : 10, cacheDir: reloadCache, start: (extra) => start(servers[0], settingsFor('ours'), extra), log });
    } finally {
      fs.rmSync(reloadCache, { recursive: true, force: true });
    }
  }

  const { figures } = buildFigures(results);
  const targets = targetsOf(figures);
  const shown = servers.filter((s) => results.some((r) => r.key === s.key));
  const table = rows(figures, shown).filter((row, i) => i === 0 || row.slice(1).some((cell) => cell !== '-'));
  const settingsLine = `${CONNECTIONS} connections; ours and steady: ${settingsFor('ours').loadRuns} runs of ${settingsFor('ours').seconds} s per request kind, ${settingsFor('ours').starts} warm and ${settingsFor('ours').coldStarts} cold starts; prism: ${settingsFor('prism').loadRuns} runs of ${settingsFor('prism').seconds} s, ${settingsFor('prism').starts} starts`;

  const shownTargets = targets.filter((t) => t.met !== null);
  const targetLines = shownTargets.map((t) => `${t.met ? 'met ' : 'MISS'}  ${t.name}: ${fmt(t.ours, 'ms')} (target ${t.goal === undefined ? '-' : fmt(t.goal, 'ms')})`);
  const notes = [];
  for (const r of results) {
    for (const s of Object.values(r.scenarios ?? {})) {
      if (s.skipped) notes.push(`${r.title}, ${s.label}: skipped (${s.skipped})`);
      if (s.notRejected) notes.push(`${r.title}, ${s.label}: not rejected, answers ${s.notRejected}`);
      if (s.eventsPerStream) notes.push(`${r.title}, ${s.label}: ${s.eventsPerStream} events per stream`);
      if (s.failures) notes.push(`${r.title}, ${s.label}: ${s.failures} requests failed or timed out`);
    }
  }
  for (const [format, r] of Object.entries(ours.reload ?? {})) if (r.skipped) notes.push(`openai-mock, reload (${format} config): skipped (${r.skipped})`);
  if (results.some((r) => r.key === 'steady' && r.scenarios?.stream?.runs)) notes.push('steady paces its stream events (about 80 ms apart): its streamed figures measure that pacing');
  if (sections.has('reload')) notes.push('steady and prism have no config or overrides to reload (steady --auto-reload reloads the spec), so reload has no peer figure');
  notes.push(...skipped);

  let text = `\nopenai-mock and its peers; ${settingsLine}\n\n${textTable(table)}\n\nratios: how many times better (or worse) openai-mock's median is than the peer's\n${targetLines.length ? `\ntargets:\n${targetLines.join('\n')}\n` : ''}${notes.length ? `\nnotes:\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`;
  if (ours.profile) {
    text += `\nCPU profile of openai-mock under the load (self time, ${ours.profile.totalMs} ms in all):\n`;
    for (const p of ours.profile.packages) text += `  ${String(p.share).padStart(5)}%  ${p.name}\n`;
    text += '  top functions:\n';
    for (const p of ours.profile.functions) text += `  ${String(p.share).padStart(5)}%  ${p.name}\n`;
  }
  const markdown = [
    `${settingsLine}. Cells: median (min-max); ratios: how many times better or worse openai-mock's median is.`,
    '',
    markdownTable(table),
    '',
    ...shownTargets.map((t) => `- ${t.met ? 'met' : '**missed**'}: ${t.name}: ${fmt(t.ours, 'ms')} (target ${t.goal === undefined ? '-' : fmt(t.goal, 'ms')})`),
    ...notes.map((n) => `- ${n}`),
  ].join('\n');
  return {
    text,
    markdown,
    output: { servers: results.map((r) => ({ key: r.key, title: r.title, version: r.version, settings: r.settings })), figures, targets, notes, raw: results },
  };
}

const pct = (ratio) => (Number.isFinite(ratio) ? `${Math.round(ratio * 100)}%` : '-');
const times = (ratio) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : '-');
const med = (summary, unit) => fmt(summary?.median, unit);

/** The rows against the bare Node limit, as a table (first row the header). */
function limitTable(limit) {
  const header = ['request (10 connections)', 'openai-mock req/s', 'bare Node req/s', 'share of limit', 'goal', 'p50 ms', 'p99 ms', 'CPU us/req (ours / bare)'];
  const body = limit.rows.map((r) => [
    r.label + (r.failures ? ` (${r.failures} failed)` : ''),
    med(r.ours.rps, 'req/s'),
    med(r.limit.rps, 'req/s'),
    pct(r.ratio),
    r.goal ? `>= ${pct(r.goal)}` : '',
    med(r.ours.p50, 'ms'),
    med(r.ours.p99, 'ms'),
    `${fmt(r.ours.cpuUs?.median, 'ms')} / ${fmt(r.limit.cpuUs?.median, 'ms')}`,
  ]);
  return [header, ...body];
}

function streamsTable(streams) {
  const header = ['paced streams', 'event gap p50 ms (ours / bare)', 'gap p99 ms (ours / bare)', 'gap p99 ratio', 'first event p50 ms', 'first event p99 ms', 'first event p50 ratio', 'peak RSS MiB', 'RSS ratio', 'events/s (ours / bare)'];
  const pair = (r, key, unit) => `${med(r.ours[key], unit)} / ${med(r.limit[key], unit)}`;
  const body = streams.rows.map((r) => [
    `${r.count.toLocaleString('en-US')} streams, ${r.eventsPerStream} events ${r.intervalMs} ms apart`,
    pair(r, 'gapP50', 'ms'),
    pair(r, 'gapP99', 'ms'),
    times(r.ratios.gapP99),
    pair(r, 'firstEventP50', 'ms'),
    pair(r, 'firstEventP99', 'ms'),
    times(r.ratios.firstEventP50),
    pair(r, 'peakRss', 'MiB'),
    times(r.ratios.peakRss),
    pair(r, 'eventsPerSecond', 'req/s'),
  ]);
  return [header, ...body];
}

/** Goals of issue #15, as met or missed lines. */
function limitGoals(limit, streams) {
  const lines = [];
  for (const r of limit?.rows ?? []) {
    if (r.goal) lines.push({ met: r.ratio >= r.goal, text: `${r.label}: ${pct(r.ratio)} of the limit (goal >= ${pct(r.goal)})` });
    if (r.key === 'chat' || r.key === 'models' || r.key === 'chatInfo') lines.push({ met: r.ours.p99?.median < 5, text: `${r.label}: p99 ${med(r.ours.p99, 'ms')} ms (goal < 5 ms)` });
  }
  for (const r of streams?.rows ?? []) {
    for (const [key, label] of [['gapP99', 'event gap p99'], ['firstEventP50', 'first event p50'], ['firstEventP99', 'first event p99'], ['peakRss', 'peak RSS']]) {
      lines.push({ met: r.ratios[key] <= 1.5, text: `${r.count} paced streams: ${label} ${times(r.ratios[key])} the bare SSE server's (goal <= 1.5x)` });
    }
  }
  return lines;
}

async function main() {
  if (!fs.existsSync(spec)) throw new Error(`no spec at ${spec}: run npm install (or npm run fetch-spec)`);
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const sections = new Set((flags.sections ?? (flags.quick ? 'limit,streams' : 'limit,streams,servers,reload')).split(',').filter(Boolean));
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const output = { date: startedAt.toISOString(), connections: CONNECTIONS, spec: path.relative(ROOT, spec), dist: path.relative(ROOT, dist) || dist };
  const texts = [];
  const markdowns = [];
  try {
    const ours = definitions.ours({ spec, dist });
    const cacheDir = path.join(temp, 'cache');
    const runs = Number(flags.runs ?? (flags.quick ? 1 : 3));
    const seconds = Number(flags.seconds ?? (flags.quick ? 1.5 : 3));
    if (sections.has('limit')) {
      const limit = await measureLimit({ ours, cacheDir, temp, runs, seconds, warmupSeconds: Number(flags.warmup ?? 3), connections: CONNECTIONS, only: flags.scenarios?.split(','), log });
      output.limit = limit;
      const table = limitTable(limit);
      texts.push(`\nopenai-mock against the machine's limit: a bare Node http server answering the same bodies, same run, ${runs} alternating run(s) of ${seconds} s\n\n${textTable(table)}\n`);
      markdowns.push(markdownTable(table));
    }
    if (sections.has('streams')) {
      const counts = (flags.streams ?? '1000,3000').split(',').map(Number).filter((n) => n > 0);
      const rounds = Number(flags['stream-rounds'] ?? (flags.quick ? 1 : 2));
      const streams = await measureStreams({ ours, cacheDir, temp, counts, runs, rounds, rampMs: 1000, intervalMs: 20, log });
      output.streams = streams;
      const table = streamsTable(streams);
      texts.push(`\npaced streams against a bare Node SSE server (the same events, a setInterval per stream), opened over 1 s, ${rounds} stream(s) in a row per slot, ${runs} run(s) each, a fresh process per run\n\n${textTable(table)}\n`);
      markdowns.push(markdownTable(table));
    }
    const goals = limitGoals(output.limit, output.streams);
    if (goals.length) {
      texts.push(`\ngoals (issue #15):\n${goals.map((g) => `${g.met ? 'met ' : 'MISS'}  ${g.text}`).join('\n')}\n`);
      markdowns.push(goals.map((g) => `- ${g.met ? 'met' : '**missed**'}: ${g.text}`).join('\n'));
      output.goals = goals;
    }
    if (sections.has('servers') || sections.has('reload')) {
      const section = await serversSection(sections);
      Object.assign(output, section.output);
      texts.push(section.text);
      markdowns.push(section.markdown);
    }
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }

  const loadAfter = os.loadavg();
  const info = machine();
  output.machine = { ...info, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter };
  const when = startedAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const machineLine = `${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.os}, Node ${info.node}; load average ${loadBefore[0].toFixed(2)} before, ${loadAfter[0].toFixed(2)} after`;
  process.stdout.write(`\nopenai-mock benchmark, ${when}\n${machineLine}\n${texts.join('')}`);
  const markdown = [`Measured ${when} on ${machineLine} (\`node bench/run.js${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}\`).`, '', markdowns.join('\n\n')].join('\n');
  output.markdown = markdown;
  fs.writeFileSync(path.join(ROOT, 'bench', 'results.json'), JSON.stringify(output, null, 2) + '\n');
  log('wrote bench/results.json');
  if (flags.readme) updateReadme(markdown);
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});

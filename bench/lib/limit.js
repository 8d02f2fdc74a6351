'use strict';
/**
 * openai-mock as a share of the machine's limit, measured in the same run: a bare Node `http`
 * server answering the very bodies openai-mock answered (bench/lib/bare.js), and for paced streams
 * a bare Node SSE server sending openai-mock's events (bench/lib/bare-sse.js). Runs alternate
 * (limit, ours, limit, ours...) so that a machine whose load drifts weighs on both alike; a ratio
 * is the median of the runs' pairs.
 */
const fs = require('node:fs');
const path = require('node:path');
const { bare, bareSse } = require('./servers');
const { freePort, cpuMsOf, startAndWait, stop } = require('./proc');
const { SCENARIOS, requestOf, once, load } = require('./load');
const { streamLoad } = require('./streams');
const { summarize } = require('./stats');

const AUTH = { authorization: 'Bearer sk-bench-0000000000000000' };

async function startServer(server, extra = {}, timeoutMs = 60_000) {
  const port = await freePort();
  const started = await startAndWait({
    command: server.command,
    args: server.args({ port, ...extra }),
    env: server.env,
    url: `http://127.0.0.1:${port}${server.prefix}/models`,
    headers: AUTH,
    timeoutMs,
  });
  return { ...started, port };
}

/** autocannon for `seconds`, plus the server's CPU microseconds per answered request. */
async function loadWithCpu(request, pid, options) {
  const before = cpuMsOf(pid);
  const result = await load(request, options);
  const after = cpuMsOf(pid);
  const cpuUsPerRequest = before !== undefined && after !== undefined && result.total ? ((after - before) * 1000) / result.total : undefined;
  return { ...result, cpuUsPerRequest };
}

const pairedRatio = (ours, limit) => summarize(ours.map((x, i) => (limit[i] ? x / limit[i] : NaN)))?.median ?? NaN;

/** The load scenarios set against the limit: `models`, `chat`, `chatInfo` (at the command's default log level), `embeddings`, `invalid`, `stream`. */
const LIMIT_SCENARIOS = [
  { key: 'chat', of: 'chat', label: 'POST /chat/completions (validated, realistic, log level warn)', goal: 0.6 },
  { key: 'chatInfo', of: 'chat', label: 'POST /chat/completions at the default log level (info, a line per request)', logLevel: 'info', goal: 0.6 },
  { key: 'models', of: 'models', label: 'GET /models', goal: 0.8 },
  { key: 'embeddings', of: 'embeddings', label: 'POST /embeddings (SDK body, 1,536 dimensions)' },
  { key: 'invalid', of: 'invalid', label: 'invalid chat body (400)' },
  { key: 'stream', of: 'stream', label: 'streamed chat, unpaced (streams/s)' },
];

/**
 * @param {{ ours: object, cacheDir: string, temp: string, runs: number, seconds: number, warmupSeconds: number, connections: number, only?: string[], log: (m: string) => void }} o
 */
async function measureLimit(o) {
  const wanted = LIMIT_SCENARIOS.filter((s) => !o.only || o.only.includes(s.key) || o.only.includes(s.of));
  if (wanted.length === 0) return { rows: [] };
  const base = (s) => SCENARIOS.find((x) => x.key === s.of);
  const instances = {};
  const instanceFor = async (logLevel = 'warn') => (instances[logLevel] ??= await startServer(o.ours, { cacheDir: o.cacheDir, logLevel }));
  const rows = [];
  const warmed = new Set();
  try {
    const main = await instanceFor();
    // The limit answers what openai-mock answered, byte for byte (ids and timestamps aside, the same length).
    const bodies = {};
    let streamEvents;
    for (const s of wanted) {
      const probe = await once(requestOf(o.ours, main.port, base(s)));
      if (s.of === 'stream') streamEvents = framedEvents(probe.text);
      else bodies[s.key] = { status: probe.status, type: probe.type, body: probe.text };
    }
    const bodiesFile = path.join(o.temp, 'bare-bodies.json');
    fs.writeFileSync(bodiesFile, JSON.stringify(bodies));
    const limit = await startServer(bare({ bodies: bodiesFile }));
    let limitSse;
    if (streamEvents) {
      const eventsFile = path.join(o.temp, 'bare-events-unpaced.json');
      fs.writeFileSync(eventsFile, JSON.stringify(streamEvents));
      limitSse = await startServer(bareSse({ events: eventsFile, intervalMs: 0 }));
    }
    try {
      for (const s of wanted) {
        const ours = await instanceFor(s.logLevel);
        const against = s.of === 'stream' ? limitSse : limit;
        const oursRequest = requestOf(o.ours, ours.port, base(s));
        const limitRequest = requestOf({ prefix: '/v1', streamAccept: 'application/json' }, against.port, base(s));
        if (s.of !== 'stream') limitRequest.headers = { ...limitRequest.headers, 'x-bench-answer': s.key };
        o.log(`limit: ${s.label}: ${o.runs} x ${o.seconds} s each, alternating with the bare server`);
        const settings = { connections: o.connections, seconds: o.seconds };
        // A fresh openai-mock takes seconds of load to warm (V8 compiles its hot code on a second
        // thread, which shares the two cores with the load): the first 1.5 s windows of chat
        // completions cost 200-215 us of CPU each, 120-130 after 3 s. Each process is warmed once
        // that long, then briefly before each further scenario; the bare server warms in moments.
        const warm = warmed.has(ours) ? Math.min(0.5, o.warmupSeconds) : o.warmupSeconds;
        warmed.add(ours);
        await load(limitRequest, { connections: o.connections, seconds: Math.min(0.5, o.warmupSeconds) });
        await load(oursRequest, { connections: o.connections, seconds: warm });
        const runs = { ours: [], limit: [] };
        for (let i = 0; i < o.runs; i++) {
          runs.limit.push(await loadWithCpu(limitRequest, against.child.pid, settings));
          runs.ours.push(await loadWithCpu(oursRequest, ours.child.pid, settings));
        }
        const pick = (side, key) => runs[side].map((r) => r[key]);
        rows.push({
          key: s.key,
          label: s.label,
          goal: s.goal,
          ours: { rps: summarize(pick('ours', 'requestsPerSecond')), p50: summarize(pick('ours', 'p50')), p99: summarize(pick('ours', 'p99')), cpuUs: summarize(pick('ours', 'cpuUsPerRequest')) },
          limit: { rps: summarize(pick('limit', 'requestsPerSecond')), p50: summarize(pick('limit', 'p50')), p99: summarize(pick('limit', 'p99')), cpuUs: summarize(pick('limit', 'cpuUsPerRequest')) },
          ratio: pairedRatio(pick('ours', 'requestsPerSecond'), pick('limit', 'requestsPerSecond')),
          cpuRatio: pairedRatio(pick('limit', 'cpuUsPerRequest'), pick('ours', 'cpuUsPerRequest')),
          failures: runs.ours.reduce((n, r) => n + r.errors + r.timeouts, 0),
          statuses: runs.ours.at(-1)?.statuses,
        });
      }
    } finally {
      await stop(limit.child);
      if (limitSse) await stop(limitSse.child);
    }
  } finally {
    for (const instance of Object.values(instances)) await stop(instance.child);
  }
  return { rows };
}

/** A stream's text as its framed events, each ending with its blank line. */
function framedEvents(text) {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => `${block}\n\n`);
}

/** The words of the paced streams' answer: about 50 events a stream, a second long at 20 ms. */
const LONG_REPLY = Array.from({ length: 48 }, (_, i) => ['Streaming', 'answers', 'arrive', 'token', 'by', 'token,', 'paced', 'like', 'a', 'model.'][i % 10]).join(' ');

/** A config for openai-mock: paced streams (`stream.intervalMs`) and a reply long enough to pace. */
function streamConfig(dir, intervalMs) {
  const file = path.join(dir, 'openai-mock.config.mjs');
  fs.writeFileSync(
    file,
    `// Written by bench/lib/limit.js: paced streams of a long reply.
export default {
  overridesDir: false,
  stream: { intervalMs: ${intervalMs} },
  overrides: [
    {
      operation: 'createChatCompletion',
      response: ({ response }) => ({
        body: { ...response.body, choices: response.body.choices.map((c) => ({ ...c, message: { ...c.message, content: ${JSON.stringify(LONG_REPLY)} } })) },
      }),
    },
  ],
};
`,
  );
  return file;
}

const STREAM_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }], stream: true });

/**
 * Paced streams at scale: for each count, `runs` rounds of (bare SSE server, openai-mock), each a
 * fresh process (RSS is the process's own), `count` concurrent streams, each slot `rounds` streams in a row.
 * @param {{ ours: object, cacheDir: string, temp: string, counts: number[], runs: number, rounds: number, rampMs: number, intervalMs: number, log: (m: string) => void }} o
 */
async function measureStreams(o) {
  const config = streamConfig(o.temp, o.intervalMs);
  const first = await startServer(o.ours, { cacheDir: o.cacheDir, config });
  let events;
  try {
    const probe = await once({ url: `http://127.0.0.1:${first.port}/v1/chat/completions`, method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: STREAM_BODY });
    if (!probe.type.startsWith('text/event-stream')) throw new Error(`stream probe answered ${probe.status} ${probe.type}: ${probe.text.slice(0, 200)}`);
    events = framedEvents(probe.text);
  } finally {
    await stop(first.child);
  }
  const eventsFile = path.join(o.temp, 'bare-events-paced.json');
  fs.writeFileSync(eventsFile, JSON.stringify(events));
  const limitServer = bareSse({ events: eventsFile, intervalMs: o.intervalMs });
  const rows = [];
  for (const count of o.counts) {
    o.log(`streams: ${count} concurrent paced streams (${events.length} events, ${o.intervalMs} ms apart), ${o.rounds} per slot: ${o.runs} run(s), bare SSE then openai-mock`);
    const runs = { ours: [], limit: [] };
    for (let i = 0; i < o.runs; i++) {
      for (const [side, server, extra] of [['limit', limitServer, {}], ['ours', o.ours, { cacheDir: o.cacheDir, config }]]) {
        const instance = await startServer(server, extra);
        try {
          const result = await streamLoad({
            url: `http://127.0.0.1:${instance.port}/v1/chat/completions`,
            headers: { ...AUTH, 'content-type': 'application/json', accept: 'text/event-stream' },
            body: STREAM_BODY,
            streams: count,
            rounds: o.rounds,
            rampMs: o.rampMs,
            pid: instance.child.pid,
          });
          runs[side].push(result);
        } finally {
          await stop(instance.child);
        }
      }
    }
    const pick = (side, key) => runs[side].map((r) => r[key]);
    const figures = ['gapP50', 'gapP99', 'firstEventP50', 'firstEventP99', 'peakRss', 'eventsPerSecond', 'completed', 'errors'];
    const side = (name) => Object.fromEntries(figures.map((f) => [f, summarize(pick(name, f))]));
    rows.push({
      count,
      eventsPerStream: events.length,
      intervalMs: o.intervalMs,
      ours: side('ours'),
      limit: side('limit'),
      // Lower is better for all three: openai-mock's over the limit's (goal: at most 1.5).
      ratios: {
        gapP99: pairedRatio(pick('ours', 'gapP99'), pick('limit', 'gapP99')),
        firstEventP50: pairedRatio(pick('ours', 'firstEventP50'), pick('limit', 'firstEventP50')),
        firstEventP99: pairedRatio(pick('ours', 'firstEventP99'), pick('limit', 'firstEventP99')),
        peakRss: pairedRatio(pick('ours', 'peakRss'), pick('limit', 'peakRss')),
      },
    });
  }
  return { rows, eventsPerStream: events.length };
}

module.exports = { measureLimit, measureStreams, LIMIT_SCENARIOS };

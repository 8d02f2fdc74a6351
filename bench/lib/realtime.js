'use strict';
/**
 * The Realtime socket under load: N sockets opened at once, each asking one paced response
 * (session.update, a user item, response.create), read to response.done. Reports how long the
 * sockets took to open (to session.created), the gaps between a response's deltas against the
 * configured pace, the server's memory before, at peak and after, and failures.
 */
const WebSocket = require('ws');
const { memoryOf } = require('./proc');
const { quantile } = require('./stats');

const MAX_GAP_SAMPLES = 2_000_000;

/**
 * @param {{ url: string, sockets: number, modality?: 'text' | 'audio', pid?: number, timeoutMs?: number, log?: (m: string) => void }} options
 *   `url`: the server's `ws://host:port`.
 */
async function measureRealtime(options) {
  const { url, sockets, modality = 'text', pid, timeoutMs = 120_000, log = () => {} } = options;
  const before = pid ? memoryOf(pid) : undefined;
  let peakRss = before?.rss ?? 0;
  const sampler = pid
    ? setInterval(() => {
        const now = memoryOf(pid);
        if (now && now.rss > peakRss) peakRss = now.rss;
      }, 50)
    : undefined;

  const opens = [];
  const gaps = [];
  const durations = [];
  let events = 0;
  let deltas = 0;
  let audioBytes = 0;
  const failures = [];
  const started = performance.now();

  const one = (index) =>
    new Promise((resolve) => {
      const t0 = performance.now();
      let last;
      let settled = false;
      const finish = (error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) failures.push(`socket ${index}: ${error}`);
        ws.terminate();
        resolve();
      };
      const timer = setTimeout(() => finish(`no response.done within ${timeoutMs} ms`), timeoutMs);
      const ws = new WebSocket(`${url}/v1/realtime?model=gpt-realtime`, { headers: { authorization: 'Bearer sk-bench' }, perMessageDeflate: false });
      ws.on('error', (error) => finish(error.message));
      ws.on('unexpected-response', (_request, response) => finish(`HTTP ${response.statusCode}`));
      ws.on('close', () => finish('closed before response.done'));
      ws.on('message', (data) => {
        const event = JSON.parse(String(data));
        events++;
        const now = performance.now();
        switch (event.type) {
          case 'session.created':
            opens.push(now - t0);
            ws.send(JSON.stringify({ type: 'session.update', session: { type: 'realtime', output_modalities: [modality] } }));
            ws.send(JSON.stringify({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: `Hello from socket ${index}.` }] } }));
            ws.send(JSON.stringify({ type: 'response.create' }));
            break;
          case 'response.output_text.delta':
          case 'response.output_audio_transcript.delta':
            deltas++;
            if (last !== undefined && gaps.length < MAX_GAP_SAMPLES) gaps.push(now - last);
            last = now;
            break;
          case 'response.output_audio.delta':
            audioBytes += Buffer.byteLength(event.delta, 'base64');
            break;
          case 'error':
            failures.push(`socket ${index}: error event ${event.error?.message}`);
            break;
          case 'response.done':
            if (event.response.status !== 'completed') failures.push(`socket ${index}: response ${event.response.status}`);
            durations.push(now - t0);
            finish();
            break;
        }
      });
    });

  await Promise.all(Array.from({ length: sockets }, (_, i) => one(i)));
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  // The server's memory once the sockets are gone and a collection had its chance.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = pid ? memoryOf(pid) : undefined;
  log(`${sockets} sockets: ${durations.length} responses done in ${Math.round(wallMs)} ms, ${failures.length} failures`);
  const q = (values, p) => (values.length ? quantile(values, p) : NaN);
  return {
    sockets,
    modality,
    completed: durations.length,
    failures,
    wallMs,
    events,
    deltas,
    audioBytes,
    openMs: { p50: q(opens, 0.5), p95: q(opens, 0.95), max: q(opens, 1) },
    responseMs: { p50: q(durations, 0.5), p95: q(durations, 0.95), max: q(durations, 1) },
    gapMs: { p50: q(gaps, 0.5), p95: q(gaps, 0.95), p99: q(gaps, 0.99), max: q(gaps, 1), samples: gaps.length },
    memoryMb: { before: before?.rss, peak: peakRss || undefined, after: after?.rss },
  };
}

module.exports = { measureRealtime };

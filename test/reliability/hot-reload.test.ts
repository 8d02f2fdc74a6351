/**
 * Hot reload under load: the config file is rewritten a few hundred times, one write in five
 * broken and one in four emptied first (as some editors save), while clients keep asking. Every request must be answered with a version that was good
 * at some point: none fails, none sees a broken file, and the last good version wins.
 */
import http from 'node:http';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startMock } from '../helpers/server';
import { captureLogger, trapUnhandled } from './helpers/process-state';
import { createRandom, seedFromEnv } from './helpers/prng';

const SEED = seedFromEnv();
const RELOADS = 200;

const good = (version: number) =>
  JSON.stringify({
    overridesDir: false,
    overrides: [
      { operation: 'listModels', response: { body: { object: 'list', data: [{ id: `v${version}`, object: 'model', created: version, owned_by: 'reload' }] } } },
      { operation: 'createChatCompletion', response: { headers: { 'x-config-version': `v${version}` } } },
    ],
  });

const BROKEN = [
  (v: number) => good(v).slice(0, 40), // saved half-way
  () => JSON.stringify({ overrides: [{ operation: 'createChatCompletionz', response: { status: 500 } }] }),
  () => JSON.stringify({ overrides: 5 }),
  () => JSON.stringify({ overrides: [], port: 'nope' }),
  () => '{"overrides": [,]}',
];

type Answer = { ok: boolean; version?: string; detail?: string };

function ask(agent: http.Agent, port: number, kind: 'models' | 'chat' | 'stream'): Promise<Answer> {
  return new Promise((resolve) => {
    const post = kind !== 'models';
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        agent,
        method: post ? 'POST' : 'GET',
        path: post ? '/v1/chat/completions' : '/v1/models',
        headers: { authorization: 'Bearer sk-reload', 'content-type': 'application/json' },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          if (res.statusCode !== 200) return resolve({ ok: false, detail: `${kind}: ${res.statusCode} ${text.slice(0, 200)}` });
          if (kind === 'models') {
            const id = JSON.parse(text).data?.[0]?.id;
            return resolve({ ok: /^v\d+$/.test(id), version: id, detail: `models: ${text.slice(0, 200)}` });
          }
          const version = res.headers['x-config-version'] as string | undefined;
          const complete = kind === 'chat' ? JSON.parse(text).object === 'chat.completion' : text.includes('data: [DONE]');
          resolve({ ok: complete && /^v\d+$/.test(version ?? ''), version, detail: `${kind}: version ${version}, ${text.slice(0, 120)}` });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', (error) => resolve({ ok: false, detail: `${kind}: ${error.message}` }));
    req.end(post ? JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: kind === 'stream' }) : undefined);
  });
}

test(`${RELOADS} reloads, one in five of a broken file, under load: no request fails (seed ${SEED})`, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openai-mock-reload-'));
  const file = path.join(dir, 'openai-mock.config.json');
  await writeFile(file, good(0));
  const log = captureLogger('info');
  const unhandled = trapUnhandled();
  const mock = await startMock({ config: file, watch: true, cwd: dir, logger: log.logger });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const random = createRandom(SEED);
  const written = new Set<string>(['v0']);
  const failures: string[] = [];
  let answered = 0;
  let stop = false;
  try {
    const clients = Array.from({ length: 8 }, async (_, i) => {
      while (!stop) {
        const answer = await ask(agent, mock.port, i % 4 === 0 ? 'stream' : i % 2 ? 'chat' : 'models');
        answered++;
        if (!answer.ok || !written.has(answer.version!)) failures.push(answer.detail ?? 'unknown');
      }
    });

    // An emptied file's refusal is not the outcome of a write: the write's own reload is waited for.
    const outcomes = () => log.lines.filter((line) => /overrides (not )?reloaded/.test(line) && !/is empty|exports nothing/.test(line)).length;
    let lastGood = 0;
    for (let n = 1; n <= RELOADS; n++) {
      const before = outcomes();
      const broken = random.chance(0.2);
      if (!broken) {
        written.add(`v${n}`);
        lastGood = n;
      }
      const text = broken ? random.pick(BROKEN)(n) : good(n);
      if (random.chance(0.25)) {
        // As some editors save: the file is emptied first, and written a moment later (past the
        // watcher's quiet time), so that a reload reads it empty.
        await truncate(file, 0);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      await writeFile(file, text);
      // Each write is its own reload: wait for its outcome (or give up on this one after 5 s).
      const until = Date.now() + 5_000;
      while (outcomes() === before && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    // The last good version is the one in force at the end.
    const settle = Date.now() + 5_000;
    let final = await ask(agent, mock.port, 'models');
    while (final.version !== `v${lastGood}` && Date.now() < settle) final = await ask(agent, mock.port, 'models');
    stop = true;
    await Promise.all(clients);

    const reloaded = log.lines.filter((line) => /overrides reloaded/.test(line)).length;
    const refused = log.lines.filter((line) => /overrides not reloaded/.test(line)).length;
    expect({ seed: SEED, failures: failures.slice(0, 10), count: failures.length }).toEqual({ seed: SEED, failures: [], count: 0 });
    expect(final.version).toBe(`v${lastGood}`);
    expect(reloaded + refused).toBeGreaterThanOrEqual(RELOADS * 0.9);
    expect(refused).toBeGreaterThan(0);
    expect(answered).toBeGreaterThan(RELOADS);
    expect(unhandled.seen).toEqual([]);
  } finally {
    stop = true;
    agent.destroy();
    await mock.close();
    unhandled.stop();
    await rm(dir, { recursive: true, force: true });
  }
  // Bounded work (each write waits at most 5 s for its outcome), but slow on a busy machine: about
  // 30 s alone here, over a minute when other jobs share the two cores.
}, 300_000);

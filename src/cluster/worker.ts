import { createLogger } from '../log/logger';
import { resolveSettings, type Settings } from '../settings/resolve';
import type { MockServer, StartDefaults } from '../server';
import { isPrimaryMessage, type StartOrder, type WorkerMessage } from './messages';

/**
 * One worker of `--workers N`: waits for the primary's start order, starts the server as the
 * command would (the command hands in how), reports ready or why not, and closes when told. It
 * never prints the ready line: the primary does, once, when every worker listens.
 */

export interface WorkerHooks {
  /** Starts the server from settled settings: the command's own start, port search included. */
  start(settings: Settings, defaults: StartDefaults): Promise<MockServer>;
  /** What a failed start ends the command with. */
  describe(error: unknown): { message: string; exitCode: number };
}

const SCRAPE_TIMEOUT_MS = 15_000;

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    // A primary gone meanwhile is no reason to fail: the worker is ending anyway.
    process.send(message, undefined, {}, () => resolve());
  });
}

export function runWorker(hooks: WorkerHooks): void {
  let server: MockServer | undefined;
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await server?.close();
    process.exit(0);
  };

  // Ctrl-C reaches the whole process group: the primary leads the stop, so that none of its
  // workers goes first and gets replaced. A SIGTERM aimed at a worker stops that worker.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => void close());
  // The primary's warning then names the cause, not only an exit code.
  process.on('uncaughtException', (error) => {
    process.stderr.write(`openai-mock worker: ${error?.stack ?? error}\n`);
    setTimeout(() => process.exit(1), 1000).unref();
    void send({ type: 'crash', message: String((error as Error)?.message ?? error).split('\n')[0]! }).then(() => process.exit(1));
  });

  // Metrics: this worker's figures when the primary collects, and the sum of all for a scrape here.
  let snapshot: (() => Promise<unknown[]>) | undefined;
  const scrapes = new Map<number, { resolve(value: { text: string; contentType: string }): void; reject(error: Error): void }>();
  let nextScrape = 0;
  const sharedMetrics: NonNullable<StartDefaults['sharedMetrics']> = {
    share: (local) => void (snapshot = local),
    gather: () =>
      new Promise((resolve, reject) => {
        const id = ++nextScrape;
        // The primary answers within its own wait for the workers; past this, something is wrong with it.
        const timer = setTimeout(() => {
          scrapes.delete(id);
          reject(new Error('the primary process did not gather the workers\' metrics in time'));
        }, SCRAPE_TIMEOUT_MS);
        scrapes.set(id, {
          resolve: (value) => (clearTimeout(timer), resolve(value)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        });
        void send({ type: 'metrics-request', id });
      }),
  };

  process.on('message', (message: unknown) => {
    if (!isPrimaryMessage(message)) return;
    if (message.type === 'close') return void close();
    if (message.type === 'metrics-collect') {
      const local = snapshot ? snapshot() : Promise.resolve([]);
      return void local.then(
        (metrics) => send({ type: 'metrics-snapshot', id: message.id, metrics }),
        () => send({ type: 'metrics-snapshot', id: message.id, metrics: [] }),
      );
    }
    if (message.type === 'metrics-answer') {
      const scrape = scrapes.get(message.id);
      scrapes.delete(message.id);
      if (message.error !== undefined) scrape?.reject(new Error(message.error));
      else scrape?.resolve({ text: message.text ?? '', contentType: message.contentType ?? 'text/plain; version=0.0.4; charset=utf-8' });
      return;
    }
    start(message).catch(async (error) => {
      await send({ type: 'failed', ...hooks.describe(error) });
      process.exit(1);
    });
  });
  void send({ type: 'waiting' });

  async function start(order: StartOrder) {
    const { id } = order;
    const given = { ...order.given, ...(order.port !== undefined ? { port: order.port } : {}), ...(order.httpsPort !== undefined ? { httpsPort: order.httpsPort } : {}) };
    const settings = await resolveSettings(given, { env: process.env, defaultLogLevel: 'info', given: 'flag' });
    // The primary's count stands (`auto` read there once).
    settings.workers = order.count;
    // The first worker says what every worker would: the others stay quiet until they serve
    // (then their request lines count), errors excepted.
    let starting = true;
    const quiet = () => starting && id > 1;
    settings.logger = createLogger(settings.logLevel, (line) => {
      if (!quiet() || line.startsWith('error: ')) process.stderr.write(`[worker ${id}] ${line}\n`);
    });
    // Every worker reloads the same files with the same outcome: one line per reload, from worker 1.
    const watchLogger = id === 1 ? settings.logger : createLogger('silent');
    server = await hooks.start(settings, { worker: id, watchLogger, sharedMetrics });
    starting = false;
    if (closing) return;
    await send({
      type: 'ready',
      askedPort: order.port ?? server.port,
      port: server.port,
      httpsPort: server.httpsPort,
      url: server.url,
      urls: [...server.urls],
      operations: server.operations,
      specVersion: server.specVersion,
    });
  }
}

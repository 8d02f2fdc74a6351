import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../log/logger';
import type { SettingsInput } from '../settings/resolve';
import { isWorkerMessage, type ReadyReport, type StartOrder } from './messages';

/**
 * `--workers N`: N processes serving one port through node:cluster. The primary binds the
 * port (cluster's round-robin: it accepts each connection and hands it to a worker), so port 0
 * and the search from 12111 work as with one process; SO_REUSEPORT would need the port settled
 * beforehand, exists on Linux and some BSDs only, and drops the connections queued at a worker
 * that dies. The cost, one hand-over per connection, is paid once per keep-alive connection.
 *
 * The first worker starts alone (it settles the port, the spec cache and the TLS certificate
 * on disk), then the others together. A worker that dies is replaced in its slot, with a
 * warning naming the cause; close() stops them all and waits until they are gone.
 */

export interface ClusterOptions {
  count: number;
  /** The settings as given, with the config file settled (a worker loads it itself). */
  given: SettingsInput;
  /** Undefined: the first worker searches from 12111, as the command does. */
  port?: number;
  logger: Logger;
  /** How long close() waits for workers before killing them. */
  closeTimeoutMs?: number;
}

export interface ClusterServer {
  /** The first worker's report: port, URLs, spec. */
  readonly ready: ReadyReport;
  /** The pids of the workers alive now, by slot. */
  pids(): number[];
  close(): Promise<void>;
}

/** A worker could not start: the command ends with this message and code. */
export class WorkerStartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** A worker that dies this soon after starting counts towards the back-off. */
const SHORT_LIFE_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;
const METRICS_TIMEOUT_MS = 5000;

export async function startCluster(options: ClusterOptions): Promise<ClusterServer> {
  const { count, given, logger } = options;
  const slots = new Map<number, Worker>();
  /** The workers listening, and the ports each asked for: a new worker asks the same, to share their socket. */
  const live = new Map<Worker, Pick<StartOrder, 'port' | 'httpsPort'>>();
  const restarts = new Map<number, NodeJS.Timeout>();
  const shortLives = new Map<number, number>();
  let closing = false;
  let first: ReadyReport | undefined;

  /**
   * The primary keeps one socket per port asked for (`0` included) while a worker uses it: a new
   * worker asks what the live ones asked, and shares it. With none left, the socket is gone, and
   * the port bound first keeps the URL.
   */
  const portsForNext = (): Pick<StartOrder, 'port' | 'httpsPort'> => {
    if (!first) return { port: options.port };
    const [asked] = live.values();
    return asked ?? { port: first.port, httpsPort: first.httpsPort };
  };

  function fork(id: number): Promise<ReadyReport> {
    const worker = cluster.fork();
    const startedAt = Date.now();
    slots.set(id, worker);
    return new Promise<ReadyReport>((resolve, reject) => {
      let crash: string | undefined;
      let ready = false;
      let order: StartOrder | undefined;
      worker.on('message', (message: unknown) => {
        if (!isWorkerMessage(message)) return;
        if (message.type === 'waiting') {
          order = { type: 'start', id, count, given, ...portsForNext() };
          worker.send(order);
        } else if (message.type === 'ready') {
          ready = true;
          live.set(worker, { port: message.askedPort, httpsPort: order?.httpsPort });
          resolve(message);
        } else if (message.type === 'failed') reject(new WorkerStartError(message.message, message.exitCode));
        else if (message.type === 'crash') crash = message.message;
        else if (message.type === 'metrics-request') void answerScrape(worker, message.id);
        else collected.get(message.id)?.(message.metrics);
      });
      // An error of the channel (the worker gone mid-send) is followed by its exit, which decides.
      worker.on('error', (error) => logger.debug(`worker ${id}: ${error.message}`));
      worker.on('exit', (code, signal) => {
        live.delete(worker);
        if (slots.get(id) === worker) slots.delete(id);
        const cause = crash !== undefined ? `crashed: ${crash}` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
        if (!ready) return reject(new WorkerStartError(`worker ${id} ${cause} before it was ready`, 1));
        if (closing) return;
        const short = Date.now() - startedAt < SHORT_LIFE_MS;
        const lives = short ? (shortLives.get(id) ?? 0) + 1 : 0;
        shortLives.set(id, lives);
        const delay = lives === 0 ? 0 : Math.min(MAX_BACKOFF_MS, 250 * 2 ** (lives - 1));
        logger.warn(`worker ${id} (pid ${worker.process.pid}) ${cause}; starting another${delay ? ` in ${delay} ms` : ''}`);
        replace(id, delay);
      });
    });
  }

  /** Snapshots being collected, by collection id. */
  const collected = new Map<number, (metrics: unknown[]) => void>();
  let nextCollection = 0;

  /** A scrape reached one worker: every live worker's figures, added up (prom-client's cluster aggregation). */
  async function answerScrape(asker: Worker, id: number) {
    const snapshots = await Promise.all(
      [...live.keys()].map(
        (worker) =>
          new Promise<unknown[] | undefined>((resolve) => {
            const collection = ++nextCollection;
            // A worker busy past this (or dying) is left out rather than holding the scrape.
            const timer = setTimeout(() => finish(undefined), METRICS_TIMEOUT_MS);
            const finish = (metrics: unknown[] | undefined) => {
              clearTimeout(timer);
              collected.delete(collection);
              resolve(metrics);
            };
            collected.set(collection, finish);
            try {
              worker.send({ type: 'metrics-collect', id: collection });
            } catch {
              finish(undefined);
            }
          }),
      ),
    );
    let answer;
    try {
      // Required at the first scrape: the command imports this module whether or not it has workers.
      const { AggregatorRegistry } = require('prom-client') as typeof import('prom-client');
      const registry = AggregatorRegistry.aggregate(snapshots.filter((s): s is unknown[] => s !== undefined) as never);
      answer = { type: 'metrics-answer' as const, id, text: await registry.metrics(), contentType: registry.contentType };
    } catch (error) {
      answer = { type: 'metrics-answer' as const, id, error: (error as Error).message };
    }
    if (asker.isConnected()) asker.send(answer);
  }

  function replace(id: number, delay: number) {
    const timer = setTimeout(() => {
      restarts.delete(id);
      if (closing) return;
      fork(id).then(
        () => logger.info(`worker ${id} replaced (pid ${slots.get(id)?.process.pid})`),
        (error: Error) => {
          if (closing) return;
          const lives = (shortLives.get(id) ?? 0) + 1;
          shortLives.set(id, lives);
          const next = Math.min(MAX_BACKOFF_MS, 250 * 2 ** (lives - 1));
          logger.error(`worker ${id} could not be started again: ${error.message}; trying again in ${next} ms`);
          replace(id, next);
        },
      );
    }, delay);
    restarts.set(id, timer);
  }

  async function close() {
    closing = true;
    for (const timer of restarts.values()) clearTimeout(timer);
    restarts.clear();
    const workers = [...slots.values()].filter((w) => w.process.exitCode === null && w.process.signalCode === null);
    const gone = Promise.all(workers.map((w) => new Promise<void>((resolve) => (w.process.exitCode !== null || w.process.signalCode !== null ? resolve() : w.once('exit', () => resolve())))));
    for (const worker of workers) {
      try {
        worker.send({ type: 'close' });
      } catch {
        worker.process.kill('SIGTERM');
      }
    }
    // A worker stuck past its grace is killed: nothing of the command outlives it.
    const kill = setTimeout(() => {
      for (const worker of workers) worker.process.kill('SIGKILL');
    }, options.closeTimeoutMs ?? 5000);
    kill.unref();
    await gone;
    clearTimeout(kill);
  }

  try {
    first = await fork(1);
    await Promise.all(Array.from({ length: count - 1 }, (_, i) => fork(i + 2)));
  } catch (error) {
    await close();
    throw error;
  }
  return {
    ready: first,
    pids: () => [...slots.entries()].sort(([a], [b]) => a - b).map(([, w]) => w.process.pid!),
    close,
  };
}

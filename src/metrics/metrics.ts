import type { Metric, Registry } from 'prom-client';
import { streamOf, type MockResponse, type Step } from '../pipeline/types';
import type { AdminRoute } from '../admin/router';
import type { Logger } from '../log/logger';
import { answerFacts } from '../pipeline/text-answer';

/**
 * What a load test wants to watch: requests by operation and status, their latency, streams
 * open, tokens generated, rate-limit refusals; served as Prometheus text at
 * `GET /__admin/metrics`, and as a summary line every `statsInterval` seconds when asked.
 * Each server has its own registry: a test process starts many servers.
 */

export interface FrontMetrics {
  /**
   * Called by the HTTP front as an answer is about to be written; the function it returns is
   * called once it is written (a stream: once it ended), with the status that went out.
   */
  answer(operationId: string | undefined, result: MockResponse, started: bigint): (status: number) => void;
}

export interface Metrics {
  front: FrontMetrics;
  /** A pipeline step that counts the tokens of final answers (before they are streamed). */
  step: Step;
  /** For the rate-limit step: one refusal, by the limit that refused. */
  rejected(type: 'requests' | 'tokens'): void;
  adminRoutes: AdminRoute[];
  /** The figures as prom-client's JSON, for adding up with other processes' (`--workers`). */
  snapshot(): Promise<unknown[]>;
  /** Stops the summary line. */
  close(): void;
}

export interface MetricsOptions {
  logger: Logger;
  /** Seconds between summary lines (info level); undefined or 0: none. */
  statsInterval?: number;
}

const PREFIX = 'openai_mock_';
/** Seconds: from a fast mock's sub-millisecond answer to a paced reasoning model's minute. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Latencies kept per summary interval to take its percentiles from (a uniform sample past that). */
const RESERVOIR = 4096;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2).replace(/0$/, '')) + 'ms';

interface OperationCells {
  /** Requests by status. */
  statuses: Map<number, number>;
  /** Answers per duration bucket (not cumulative; the last is past the largest bound), their sum and count. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * The request-time histogram as prom-client's registry reads a metric (`get()`): prom-client's own
 * `Histogram.observe` hashes and checks its labels on every call (about 2 µs), too much for every
 * request of a load test, so the front counts in plain arrays and this reads them when scraped.
 */
function durationHistogram(name: string, help: string, cells: Map<string, OperationCells>) {
  const get = async () => {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const [operation, cell] of cells) {
      let cumulative = 0;
      BUCKETS.forEach((bound, i) => {
        cumulative += cell.buckets[i]!;
        values.push({ labels: { le: bound, operation }, value: cumulative, metricName: `${name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', operation }, value: cell.count, metricName: `${name}_bucket` });
      values.push({ labels: { operation }, value: cell.sum, metricName: `${name}_sum` });
      values.push({ labels: { operation }, value: cell.count, metricName: `${name}_count` });
    }
    return { name, help, type: 'histogram' as const, values, aggregator: 'sum' as const };
  };
  return { name, help, type: 'histogram', aggregator: 'sum', get, reset: () => cells.clear() };
}

export function createMetrics(options: MetricsOptions): Metrics {
  // Counted on the hot path in plain numbers; prom-client's metrics read them when scraped (`collect`).
  const operations = new Map<string, OperationCells>();
  const tokensBy = new Map<string, { operation: string; model: string; count: number }>();
  const rejectedBy = { requests: 0, tokens: 0 };
  let active = 0;

  // Built at the first scrape: prom-client costs about 100 ms and 1 MiB of heap to load, and most
  // runs are never scraped.
  let registry: Registry | undefined;
  const registryOf = (): Registry => {
    if (registry) return registry;
    const { Counter, Gauge, Registry } = require('prom-client') as typeof import('prom-client');
    registry = new Registry();
    new Counter({
      name: `${PREFIX}requests_total`,
      help: 'Requests answered, by operation and status.',
      labelNames: ['operation', 'status'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [operation, cell] of operations) for (const [status, count] of cell.statuses) this.inc({ operation, status: String(status) }, count);
      },
    });
    registry.registerMetric(
      durationHistogram(`${PREFIX}request_duration_seconds`, 'Time from request to the end of its answer (a stream: its last event), by operation.', operations) as unknown as Metric,
    );
    new Gauge({
      name: `${PREFIX}active_streams`,
      help: 'Streamed answers being written now.',
      registers: [registry],
      collect() {
        this.set(active);
      },
    });
    new Counter({
      name: `${PREFIX}tokens_generated_total`,
      help: 'Output tokens of the answers (their usage), by operation and model.',
      labelNames: ['operation', 'model'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const { operation, model, count } of tokensBy.values()) this.inc({ operation, model }, count);
      },
    });
    new Counter({
      name: `${PREFIX}rate_limit_rejections_total`,
      help: 'Requests refused with 429 rate_limit_exceeded, by the limit that refused (requests or tokens).',
      labelNames: ['type'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [type, count] of Object.entries(rejectedBy)) this.inc({ type }, count);
      },
    });
    return registry;
  };

  // The summary line's window.
  let windowCount = 0;
  let window429 = 0;
  let windowSamples: number[] = [];

  const observe = (operation: string, status: number, seconds: number) => {
    let cell = operations.get(operation);
    if (!cell) operations.set(operation, (cell = { statuses: new Map(), buckets: new Array<number>(BUCKETS.length + 1).fill(0), sum: 0, count: 0 }));
    cell.statuses.set(status, (cell.statuses.get(status) ?? 0) + 1);
    let bucket = 0;
    while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]!) bucket++;
    cell.buckets[bucket]!++;
    cell.sum += seconds;
    cell.count++;
    if (options.statsInterval) {
      windowCount++;
      if (status === 429) window429++;
      const millis = seconds * 1000;
      if (windowSamples.length < RESERVOIR) windowSamples.push(millis);
      else {
        const slot = Math.floor(Math.random() * windowCount);
        if (slot < RESERVOIR) windowSamples[slot] = millis;
      }
    }
  };

  const front: FrontMetrics = {
    // The duration runs from the request's arrival to the answer's end.
    answer(operationId, result, started) {
      const operation = operationId ?? 'unknown';
      const streamed = streamOf(result) !== undefined;
      if (streamed) active++;
      return (status) => {
        if (streamed) active--;
        observe(operation, status, Number(process.hrtime.bigint() - started) / 1e9);
      };
    },
  };

  const step: Step = async (exchange, next) => {
    const response = await next(exchange);
    if (response.status >= 200 && response.status < 300) {
      const facts = answerFacts(response);
      const count = facts.outputTokens;
      if (count > 0) {
        const body = exchange.request.body;
        const model = facts.model ?? (isRecord(body) && typeof body.model === 'string' ? body.model : 'unknown');
        const key = `${exchange.operationId}\u0000${model}`;
        const entry = tokensBy.get(key);
        if (entry) entry.count += count;
        else tokensBy.set(key, { operation: exchange.operationId, model, count });
      }
    }
    return response;
  };

  let timer: NodeJS.Timeout | undefined;
  if (options.statsInterval && options.statsInterval > 0) {
    const seconds = options.statsInterval;
    timer = setInterval(() => {
      if (windowCount === 0 && active === 0) return;
      const sorted = windowSamples.sort((a, b) => a - b);
      const rate = windowCount / seconds;
      options.logger.info(
        `requests ${windowCount} (${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)}/s), p50 ${ms(percentile(sorted, 50))} p99 ${ms(percentile(sorted, 99))}, streams ${active} active, 429s ${window429}`,
      );
      windowCount = 0;
      window429 = 0;
      windowSamples = [];
    }, seconds * 1000);
    timer.unref();
  }

  return {
    front,
    step,
    rejected: (type) => {
      rejectedBy[type]++;
    },
    adminRoutes: [
      {
        method: 'GET',
        path: '/metrics',
        handle: async () => {
          const registry = registryOf();
          return { body: await registry.metrics(), headers: { 'content-type': registry.contentType } };
        },
      },
    ],
    snapshot: () => registryOf().getMetricsAsJSON(),
    close: () => clearInterval(timer),
  };
}

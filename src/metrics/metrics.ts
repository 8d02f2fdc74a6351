import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MockResponse, Step } from '../pipeline/types';
import type { AdminRoute } from '../admin/router';
import type { Logger } from '../log/logger';
import { outputTokens } from '../latency/step';

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

const isAsyncIterable = (value: unknown) => typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2).replace(/0$/, '')) + 'ms';

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  const requests = new Counter({ name: `${PREFIX}requests_total`, help: 'Requests answered, by operation and status.', labelNames: ['operation', 'status'] as const, registers: [registry] });
  const duration = new Histogram({
    name: `${PREFIX}request_duration_seconds`,
    help: 'Time from request to the end of its answer (a stream: its last event), by operation.',
    labelNames: ['operation'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  const streams = new Gauge({ name: `${PREFIX}active_streams`, help: 'Streamed answers being written now.', registers: [registry] });
  const tokens = new Counter({ name: `${PREFIX}tokens_generated_total`, help: 'Output tokens of the answers (their usage), by operation and model.', labelNames: ['operation', 'model'] as const, registers: [registry] });
  const rejections = new Counter({ name: `${PREFIX}rate_limit_rejections_total`, help: 'Requests refused with 429 rate_limit_exceeded, by the limit that refused (requests or tokens).', labelNames: ['type'] as const, registers: [registry] });

  // Children by label values, looked up once: prom-client hashes the labels on every call otherwise.
  const requestChildren = new Map<string, Counter.Internal>();
  const durationChildren = new Map<string, Histogram.Internal<'operation'>>();

  // The summary line's window.
  let windowCount = 0;
  let window429 = 0;
  let windowSamples: number[] = [];
  let active = 0;

  const observe = (operation: string, status: number, seconds: number) => {
    const key = `${operation} ${status}`;
    let counter = requestChildren.get(key);
    if (!counter) requestChildren.set(key, (counter = requests.labels(operation, String(status))));
    counter.inc();
    let histogram = durationChildren.get(operation);
    if (!histogram) durationChildren.set(operation, (histogram = duration.labels(operation)));
    histogram.observe(seconds);
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
      const streamed = isAsyncIterable(result.body);
      if (streamed) {
        streams.inc();
        active++;
      }
      return (status) => {
        if (streamed) {
          streams.dec();
          active--;
        }
        observe(operation, status, Number(process.hrtime.bigint() - started) / 1e9);
      };
    },
  };

  const step: Step = async (exchange, next) => {
    const response = await next(exchange);
    if (response.status >= 200 && response.status < 300) {
      const count = outputTokens(response.body);
      if (count > 0) {
        const body = exchange.request.body;
        const model = isRecord(response.body) && typeof response.body.model === 'string' ? response.body.model : isRecord(body) && typeof body.model === 'string' ? body.model : 'unknown';
        tokens.labels(exchange.operationId, model).inc(count);
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
    rejected: (type) => rejections.labels(type).inc(),
    adminRoutes: [
      {
        method: 'GET',
        path: '/metrics',
        handle: async () => ({ body: await registry.metrics(), headers: { 'content-type': registry.contentType } }),
      },
    ],
    close: () => clearInterval(timer),
  };
}

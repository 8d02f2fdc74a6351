import type { SettingsInput } from '../settings/resolve';

/**
 * What the primary and its workers say to each other over the cluster's IPC channel. Plain data
 * only: a worker loads the config's modules itself, since functions do not cross processes.
 */

/** Primary -> worker, once, right after the fork. */
export interface StartOrder {
  type: 'start';
  /** The worker's slot, from 1; a replacement takes its predecessor's. */
  id: number;
  count: number;
  /** The command's settings as given (flags), with the config file the primary settled on. */
  given: SettingsInput;
  /** The port to ask for: undefined for the command's search from 12111 (the first worker only). */
  port?: number;
  httpsPort?: number;
}

export interface CloseOrder {
  type: 'close';
}

/** Primary -> worker: send your metrics (prom-client's JSON), for a scrape of all. */
export interface MetricsCollect {
  type: 'metrics-collect';
  id: number;
}

/** Primary -> worker: the Prometheus text of every worker together, for the scrape it asked for. */
export interface MetricsAnswer {
  type: 'metrics-answer';
  id: number;
  text?: string;
  contentType?: string;
  error?: string;
}

export type PrimaryMessage = StartOrder | CloseOrder | MetricsCollect | MetricsAnswer;

/** Worker -> primary: listening for orders (an order sent before would find no listener). */
export interface WaitingReport {
  type: 'waiting';
}

/** Worker -> primary: listening. */
export interface ReadyReport {
  type: 'ready';
  /** The port value that worked (0 stays 0: workers asking for 0 share the primary's one socket). */
  askedPort: number;
  port: number;
  httpsPort?: number;
  url: string;
  urls: string[];
  operations: number;
  specVersion: string;
}

/** Worker -> primary: could not start; the command ends with this message and exit code. */
export interface FailedReport {
  type: 'failed';
  message: string;
  exitCode: number;
}

/** Worker -> primary: an error nobody caught is ending the worker. */
export interface CrashReport {
  type: 'crash';
  message: string;
}

/** Worker -> primary: a scrape of /__admin/metrics came in; gather every worker's. */
export interface MetricsRequest {
  type: 'metrics-request';
  id: number;
}

/** Worker -> primary: this worker's metrics, for `MetricsCollect` `id`. */
export interface MetricsSnapshot {
  type: 'metrics-snapshot';
  id: number;
  metrics: unknown[];
}

export type WorkerMessage = WaitingReport | ReadyReport | FailedReport | CrashReport | MetricsRequest | MetricsSnapshot;

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'waiting' || type === 'ready' || type === 'failed' || type === 'crash' || type === 'metrics-request' || type === 'metrics-snapshot';
}

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'start' || type === 'close' || type === 'metrics-collect' || type === 'metrics-answer';
}

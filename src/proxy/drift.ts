import type { Logger } from '../log/logger';
import type { Exchange, MockResponse } from '../pipeline/types';
import { responseProblem } from '../overrides/check-response';
import type { AdminRoute } from '../admin/router';

/**
 * Where the live API's answers leave the spec's response schema (and so where the mock, built on
 * that spec, differs from the API): logged once per operation and problem, listed by
 * `GET /__admin/drift`.
 */

export interface DriftEntry {
  operation: string;
  /** `at \`choices[0].logprobs\`: must be object` */
  problem: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
}

export class DriftReport {
  private entries = new Map<string, DriftEntry>();

  constructor(private logger: Logger) {}

  /** Checks an upstream answer after it has gone out: the first check of an operation compiles its schema. */
  check(exchange: Exchange, response: MockResponse): void {
    setImmediate(() => {
      let problem: string | undefined;
      try {
        problem = responseProblem(exchange, response);
      } catch (error) {
        this.logger.debug(`drift: could not check ${exchange.operationId}: ${(error as Error).message}`);
        return;
      }
      if (problem) this.add(exchange.operationId, problem);
    });
  }

  add(operation: string, problem: string): void {
    const key = `${operation}\n${problem}`;
    const now = new Date().toISOString();
    const known = this.entries.get(key);
    if (known) {
      known.count++;
      known.lastSeen = now;
      return;
    }
    this.entries.set(key, { operation, problem, count: 1, firstSeen: now, lastSeen: now });
    this.logger.warn(`drift: the upstream's answer to ${operation} does not match the spec's response schema ${problem}`);
  }

  list(): DriftEntry[] {
    return [...this.entries.values()];
  }

  clear(): void {
    this.entries.clear();
  }
}

/** `GET /__admin/drift` lists, `DELETE /__admin/drift` forgets. */
export function driftRoutes(report: DriftReport): AdminRoute[] {
  return [
    { method: 'GET', path: '/drift', handle: () => ({ body: { object: 'list', data: report.list() } }) },
    {
      method: 'DELETE',
      path: '/drift',
      handle: () => {
        report.clear();
        return { status: 204 };
      },
    },
  ];
}

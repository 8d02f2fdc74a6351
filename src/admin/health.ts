import type { AdminRoute } from './router';
import type { WorkerInfo } from './per-process';

export interface HealthInfo {
  operations: number;
  spec: { version: string; sha256: string; source: string };
  version: string;
  startedAt: number;
  /** When the port is served by several processes: which one answers. */
  workers?: WorkerInfo;
}

/** `GET /__admin/health`: what CI waits on (no auth), and which spec and version answer. */
export function healthRoutes(info: HealthInfo): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/health',
      open: true,
      handle: () => ({
        body: {
          status: 'ok',
          operations: info.operations,
          spec: info.spec,
          version: info.version,
          uptimeMs: Math.round(performance.now() - info.startedAt),
          workers: info.workers?.count ?? 1,
          ...(info.workers ? { worker: { id: info.workers.id, pid: process.pid } } : {}),
        },
      }),
    },
  ];
}

import { adminError, type AdminRoute } from './router';

/** Which of the command's worker processes this is (`--workers`), and how many share the port. */
export interface WorkerInfo {
  id: number;
  count: number;
}

/**
 * The journal, the scripts and the proxy's drift report live in each process: under `--workers N` a request lands on one
 * worker, so a journal read answers about 1/N of the requests and a script added over HTTP
 * reaches one worker while the next request may go to another. A partial answer that looks
 * whole would mislead a test, so these routes answer 409 and say what to do instead.
 * (Routing every request through the primary would cost the throughput the workers are for.)
 */
export function perProcessRoutes(routes: readonly AdminRoute[], worker: WorkerInfo | undefined): AdminRoute[] {
  if (!worker || worker.count <= 1) return [...routes];
  return routes.map((route) => ({
    ...route,
    handle() {
      const what = route.path.startsWith('/journal') ? 'journal' : route.path.startsWith('/drift') ? 'drift report' : 'scripts';
      const reason =
        what === 'scripts'
          ? `scripts are kept in each worker process, and ${worker.count} workers share this port: a change here would reach worker ${worker.id} only, while requests go to all of them`
          : `the ${what} is kept in each worker process, and ${worker.count} workers share this port: worker ${worker.id} saw only the requests that reached it`;
      throw adminError(409, `${route.method} /__admin${route.path}: ${reason}. Run with --workers 1 to use the ${what} over HTTP (fixture scripts from files still apply in every worker).`, {
        code: 'per_worker_state',
      });
    },
  }));
}

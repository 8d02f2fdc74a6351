import { adminError, type AdminRequest, type AdminRoute } from '../admin/router';
import type { StateRuntime } from './setup';

/**
 * Stateful mode over HTTP, for suites in any language:
 *
 *   GET  /__admin/state            objects per session and kind, and the clock's offset
 *   POST /__admin/state/reset      { session? } (or ?session=): forget one session's objects, or all
 *   POST /__admin/state/advance    { ms }: move the lifecycle clock forward
 */
export function stateRoutes(state: StateRuntime): AdminRoute[] {
  const field = (request: AdminRequest, name: string): unknown => {
    const body = request.body;
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) throw adminError(400, 'The body must be a JSON object.');
    return (body as Record<string, unknown> | undefined)?.[name] ?? request.query.get(name) ?? undefined;
  };
  return [
    {
      method: 'GET',
      path: '/state',
      handle: () => ({ body: { object: 'state', store: state.file ?? 'memory', clock: { offsetMs: state.clockOffset() }, sessions: state.counts() } }),
    },
    {
      method: 'POST',
      path: '/state/reset',
      handle(request) {
        const session = field(request, 'session');
        if (session !== undefined && (typeof session !== 'string' || session === '')) throw adminError(400, 'session must be a session name (a string).', { param: 'session' });
        state.reset(session as string | undefined);
        return { body: { reset: true, session: session ?? null } };
      },
    },
    {
      method: 'POST',
      path: '/state/advance',
      handle(request) {
        const raw = field(request, 'ms');
        const ms = typeof raw === 'string' ? Number(raw) : raw;
        if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw adminError(400, `ms must be a number of milliseconds from 0, got ${JSON.stringify(raw ?? null)}.`, { param: 'ms' });
        state.advance(ms);
        return { body: { advanced: ms, offsetMs: state.clockOffset() } };
      },
    },
  ];
}

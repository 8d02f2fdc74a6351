import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Router } from '../http/router';
import type { Handler, StreamControl } from '../pipeline/types';
import type { Logger } from '../log/logger';
import type { WebSocketEndpoint } from '../transport/websocket';
import type { FrontHooks } from '../sessions/front';
import type { ValidatorStore } from '../validation/validator-store';
import type { AdminRoute } from '../admin/router';
import { AdminError } from '../admin/router';
import { credentialOf } from '../http/auth';
import { incorrectApiKey, missingApiKey, openAIError } from '../http/errors';
import { checkHost, type HostPolicy } from '../http/host-check';
import { foreignOrigin, judgeOrigin, type CorsPolicy } from '../http/cors';
import { createContentSource, type Json } from './content';
import { createEventChecker } from './validate';
import type { RealtimeEventSchemas } from './spec';
import { EphemeralKeys } from './secrets';
import { RealtimeSession } from './session';

/**
 * The Realtime API's socket (`wss://.../v1/realtime?model=...`): who may open it (as the HTTP
 * front decides: Host, Origin, then the key from `Authorization`, Azure's `api-key`, or the
 * `openai-insecure-api-key.<key>` subprotocol browsers send, or an ephemeral key minted here),
 * one RealtimeSession per socket, the journal's record of it, and the admin routes that list and
 * close sessions (to test a client's reconnects).
 */

export interface RealtimeOptions {
  router: Router;
  pipeline: () => Handler;
  schemas: RealtimeEventSchemas | undefined;
  logger: Logger;
  auth: boolean;
  apiKeys?: readonly string[];
  cors: CorsPolicy;
  hosts: HostPolicy;
  stream: () => StreamControl | undefined;
  front?: FrontHooks;
  /** Where compiled validators are kept between runs (the request validators' store). */
  validators?: ValidatorStore;
}

/** `/v1/realtime`, the bare `/realtime`, and Azure's `/openai/v1/realtime` and `/openai/realtime`. */
const PATH = /^(?:\/openai)?(?:\/v1)?\/realtime\/?$/;
const KEY_PROTOCOL = 'openai-insecure-api-key.';
/** A session's journal entry keeps this many events; the count of the rest is noted. */
const JOURNAL_EVENTS_MAX = 2000;
/** Base64 audio past this many characters is journaled as its size. */
const JOURNAL_AUDIO_MAX = 256;

interface OpenSession {
  session: RealtimeSession;
  socket: WebSocket;
  testSession: string | undefined;
  openedAt: string;
}

/** What the journal keeps of an event: audio as its size. */
function journaled(event: Json): Json {
  for (const key of ['delta', 'audio'] as const) {
    const value = event[key];
    if (typeof value === 'string' && value.length > JOURNAL_AUDIO_MAX && /audio/.test(String(event.type))) {
      return { ...event, [key]: `<${Math.floor((value.length * 3) / 4)} bytes of base64 audio>` };
    }
  }
  return event;
}

/** A push queue read as the async iterable of SSE text the journal's recorder reads. */
function eventFeed() {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  async function* frames(): AsyncGenerator<string> {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }
  return {
    frames,
    push(direction: string, data: unknown) {
      queue.push(`event: ${direction}\ndata: ${JSON.stringify(data)}\n\n`);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
  };
}

export function createRealtime(options: RealtimeOptions) {
  const { logger } = options;
  const keys = new EphemeralKeys();
  const check = createEventChecker(options.schemas, options.validators);
  const sessions = new Map<string, OpenSession>();
  const content = createContentSource(options.router, options.pipeline, {
    onAnswer(exchange, result, started) {
      const request = upgradeRequests.get(exchange.request.headers['x-mock-realtime'] as string);
      if (!request || !options.front) return;
      options.front.record({ request, session: exchange.session ?? 'default', seen: { operationId: exchange.operationId, body: exchange.request.body }, exchange, result, started })?.done();
    },
  });
  const upgradeRequests = new Map<string, IncomingMessage>();

  const keyOf = (request: IncomingMessage, offered: ReadonlySet<string>): string | undefined => {
    const fromHeader = credentialOf(request.headers);
    if (fromHeader) return fromHeader;
    for (const protocol of offered) if (protocol.startsWith(KEY_PROTOCOL)) return protocol.slice(KEY_PROTOCOL.length) || undefined;
    return undefined;
  };

  const endpoint: WebSocketEndpoint = {
    owns: (pathname) => PATH.test(pathname),
    admit(request, offered) {
      const verdict = judgeOrigin(request, options.cors);
      const refusal = checkHost(request.headers.host, options.hosts) ?? (verdict === 'foreign' ? foreignOrigin(String(request.headers.origin), false) : undefined);
      if (refusal) return refusal;
      if (!options.auth) return undefined;
      const key = keyOf(request, offered);
      if (key === undefined) return missingApiKey();
      if (keys.valid(key)) return undefined;
      if (options.apiKeys && options.apiKeys.length > 0 && !options.apiKeys.includes(key)) return incorrectApiKey(key);
      return undefined;
    },
    protocol: (offered) => (offered.has('realtime') ? 'realtime' : false),
    connected(socket, request) {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const testSession = options.front?.sessionOf(request);
      const feed = options.front ? eventFeed() : undefined;
      let journaledEvents = 0;
      const session = new RealtimeSession(
        {
          model: url.searchParams.get('model') ?? url.searchParams.get('deployment') ?? undefined,
          transcription: url.searchParams.get('intent') === 'transcription',
          headers: request.headers,
          testSession,
          content,
          check,
          stream: options.stream,
          logger,
          io: {
            send(event) {
              if (socket.readyState !== socket.OPEN) return false;
              socket.send(JSON.stringify(event));
              return true;
            },
            cut: () => socket.terminate(),
          },
        },
        feed
          ? (direction, event) => {
              if (++journaledEvents <= JOURNAL_EVENTS_MAX) feed.push(direction, journaled(event));
            }
          : undefined,
      );
      sessions.set(session.id, { session, socket, testSession, openedAt: new Date().toISOString() });
      upgradeRequests.set(session.id, request);
      if (feed && options.front) {
        const started = process.hrtime.bigint();
        const frames = feed.frames();
        const recording = options.front.record({
          request,
          session: testSession ?? 'default',
          // No operation of the spec: the entry's operation is null, its path the socket's.
          seen: { query: Object.fromEntries(url.searchParams) },
          result: { status: 101, headers: { upgrade: 'websocket' }, body: frames },
          started,
        });
        // The feed is written to the recorder as the HTTP writer writes a stream: each chunk to
        // its tap (the recorder no longer wraps the body), then the end.
        const tap = recording?.tap;
        if (recording) {
          void (async () => {
            for await (const chunk of frames) tap?.chunk(chunk);
          })()
            .then(() => tap?.end(), (error: unknown) => tap?.end(error))
            .finally(() => recording.done());
        }
      }
      socket.on('message', (data, isBinary) => {
        if (isBinary) {
          session.receive('\u0000binary');
          return;
        }
        void session.receive(data.toString());
      });
      socket.once('close', (code) => {
        session.close();
        sessions.delete(session.id);
        upgradeRequests.delete(session.id);
        if (feed) {
          if (journaledEvents > JOURNAL_EVENTS_MAX) feed.push('note', { omitted: journaledEvents - JOURNAL_EVENTS_MAX });
          feed.push('closed', { code });
          feed.end();
        }
      });
      session.start();
    },
  };

  const adminRoutes: AdminRoute[] = [
    {
      method: 'GET',
      path: '/realtime/sessions',
      handle: () => ({
        body: {
          object: 'list',
          data: [...sessions.values()].map((s) => ({ id: s.session.id, model: s.session.model, session: s.testSession ?? 'default', opened_at: s.openedAt })),
        },
      }),
    },
    {
      // Closes sockets on purpose, to test a client's reconnects: all, one (`id`), or a test session's (`session`).
      method: 'POST',
      path: '/realtime/close',
      handle: (request) => {
        const body = (request.body ?? {}) as { id?: unknown; session?: unknown; code?: unknown; reason?: unknown; abrupt?: unknown };
        const code = body.code === undefined ? 1011 : Number(body.code);
        if (!Number.isInteger(code) || !(code === 1000 || (code >= 1001 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999))) {
          throw new AdminError(openAIError(400, `code: ${String(body.code)} is not a close code a server may send (1000, 1001-1014 but 1004-1006, or 3000-4999).`, { param: 'code' }));
        }
        const reason = typeof body.reason === 'string' ? body.reason.slice(0, 120) : 'closed by the mock server';
        let closed = 0;
        for (const open of sessions.values()) {
          if (body.id !== undefined && open.session.id !== body.id) continue;
          if (body.session !== undefined && (open.testSession ?? 'default') !== body.session) continue;
          if (body.abrupt === true) open.socket.terminate();
          else open.socket.close(code, reason);
          closed++;
        }
        return { body: { closed } };
      },
    },
  ];

  return { endpoint, secretsStep: keys.step(), adminRoutes, keys, sessions };
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { locateSpec } from './openapi/locate';
import { loadSpec } from './openapi/load-spec';
import { cacheKey, defaultCacheDir, validatorsDir } from './openapi/cache';
import { createRouter } from './http/router';
import { createRequestHandler } from './http/handler';
import { corsPolicy, type CorsConfig } from './http/cors';
import { hostPolicy } from './http/host-check';
import { answerClientError, answerConnect, answerExpectation } from './http/client-error';
import { internalError } from './http/errors';
import { createPrismEngine } from './engine/prism-engine';
import type { Handler, Step, StreamControl } from './pipeline/types';
import { createStreamingStep } from './streaming/step';
import { createRealismStep } from './realism/step';
import { DEFAULT_ANSWER_LIMITS } from './realism/meter';
import { assemblePipeline, type PipelineParts } from './pipeline/assemble';
import { createLogger, type Logger, type LogLevel } from './log/logger';
import { compileOverrides, type LoadedOverride } from './overrides/set';
import { createOverridesStep } from './overrides/step';
import type { AnyOverride } from './overrides/types';
import type { LoadedConfig } from './config/load';
import { watchConfig } from './config/watch';
import { configFor, labelled, withConfig } from './config/server-options';

export interface MockServerOptions {
  /** Port to listen on; 0 lets the OS choose. Default 0. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`: nothing outside this machine can reach the mock. */
  host?: string;
  /** Spec file path or http(s) URL. Default: `OPENAI_MOCK_SPEC`, then the package's `spec/openapi.yaml`. */
  spec?: string;
  /** Folder for the prepared-spec cache; `false` turns the cache off. */
  cacheDir?: string | false;
  /** Check for `Authorization: Bearer ...` (any token). Default true. */
  auth?: boolean;
  /** Largest request body accepted, in bytes; larger ones get 413. Default 50 MiB. */
  bodyLimit?: number;
  /**
   * Web pages allowed to call the mock from a browser: by default (`true`) those served from this
   * machine (loopback origins); `{ origins, credentials }` adds origins and allows credentials;
   * `false` sends no CORS headers. Pages from other origins are always refused (see http/cors.ts).
   */
  cors?: boolean | CorsConfig;
  /** More allowed origins (the command's `--cors-origin`), added to `cors.origins`. */
  corsOrigins?: readonly string[];
  logLevel?: LogLevel;
  logger?: Logger;
  /** Extra steps, run after overrides and before realism and the engine (see `Step`). */
  steps?: readonly Step[];
  /**
   * Server-wide pacing and failures of streamed answers (`stream: true`): `firstEventDelayMs`,
   * `intervalMs`, `errorAfter` + `error`, `cutAfter`. All zero/off by default; a response's own
   * `stream` control (from an override) wins field by field.
   */
  stream?: StreamControl;
  /** Base for relative paths. Default `process.cwd()`. */
  cwd?: string;
  /**
   * Makes generated ids and timestamps deterministic (for snapshot tests): the same request then
   * gets the same body. A request's `Prefer: seed=...` header takes precedence.
   */
  seed?: string | number;
  /** Overrides (see `defineOverride`), applied in order after the config's. */
  overrides?: readonly AnyOverride[];
  /**
   * A config file to load (relative to `cwd`), `true` to search for one from `cwd`, or a config
   * loaded with `loadConfig`. Its settings apply where these options leave a value unset.
   */
  config?: string | boolean | LoadedConfig;
  /** Reload the config and its overrides when their files change (needs `config`). */
  watch?: boolean;
  /** Milliseconds a client has to send the request headers; then 408. Default 20 s. */
  headersTimeout?: number;
  /** Milliseconds a client has to send the whole request (headers and body); then 408. Default 60 s. */
  requestTimeout?: number;
  /** The most bytes one answer may have; a request asking for more gets a 400. Default 48 MiB. */
  maxAnswerBytes?: number;
  /** The most milliseconds of work one answer may take; then a 400. Default 500. */
  maxAnswerMs?: number;
}

export interface MockServer {
  /** `http://127.0.0.1:PORT`: the SDK's baseURL is this plus `/v1`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly operations: number;
  readonly specVersion: string;
  /** Milliseconds from the call to listening. */
  readonly readyMs: number;
  readonly fromCache: boolean;
  /** Replaces the extra steps, atomically: a request in flight finishes with the old ones. */
  setSteps(steps: readonly Step[]): void;
  /**
   * Replaces the overrides given in code (the config's stay, before them), atomically: a request
   * in flight finishes with the old set. Throws a `ConfigError` for an override that names no
   * operation of the spec, leaving the current set in force.
   */
  setOverrides(overrides: readonly AnyOverride[]): void;
  /** The config file in use, if any. */
  readonly configFile?: string;
  close(): Promise<void>;
}

export const DEFAULT_BODY_LIMIT = 50 * 1024 * 1024;

/** The host names of the configured origins: a page on one may reach the mock by that name. */
function corsHosts(cors: MockServerOptions['cors'], extra: readonly string[] | undefined): string[] {
  const origins = [...(typeof cors === 'object' && cors ? (cors.origins ?? []) : []), ...(extra ?? [])];
  const hosts: string[] = [];
  for (const origin of origins) {
    try {
      hosts.push(new URL(origin).hostname);
    } catch {
      // `*` or a malformed origin names no host.
    }
  }
  return hosts;
}

export async function createMockServer(given: MockServerOptions = {}): Promise<MockServer> {
  const started = performance.now();
  const cwd = given.cwd ?? process.cwd();
  const config = await configFor(given.config, cwd);
  const options = withConfig(given, config);
  const logger = options.logger ?? createLogger(options.logLevel ?? 'info');
  const location = locateSpec({ flag: options.spec, config: config?.settings.spec, env: process.env.OPENAI_MOCK_SPEC, cwd });
  const cacheDir = options.cacheDir === undefined ? process.env.OPENAI_MOCK_CACHE_DIR || defaultCacheDir() : options.cacheDir;
  const loaded = await loadSpec(location, { dir: cacheDir });
  if (loaded.cacheError) logger.warn(`could not write the spec cache in ${cacheDir}: ${loaded.cacheError}`);

  const answerLimits = {
    maxBytes: options.maxAnswerBytes ?? DEFAULT_ANSWER_LIMITS.maxBytes,
    maxMs: options.maxAnswerMs ?? DEFAULT_ANSWER_LIMITS.maxMs,
  };
  const router = createRouter(loaded.spec.operations);
  const engine = createPrismEngine();
  const parts: PipelineParts = {
    extra: options.steps ?? [],
    streaming: createStreamingStep({ defaults: () => options.stream }),
    realism: createRealismStep({ defaultBodies: loaded.spec.defaultBodies ?? {}, seed: options.seed, logger, limits: answerLimits }),
  };
  let pipeline: Handler = assemblePipeline(parts, engine);
  // Swapping the whole chain at once is what makes reloads atomic for requests in flight.
  const update = (change: Partial<PipelineParts>) => {
    Object.assign(parts, change);
    pipeline = assemblePipeline(parts, engine);
  };

  let fromConfig: readonly LoadedOverride[] = config?.overrides ?? [];
  let fromCode: readonly LoadedOverride[] = labelled(options.overrides);
  const applyOverrides = (fileOnes: readonly LoadedOverride[], codeOnes: readonly LoadedOverride[]) => {
    const set = compileOverrides([...fileOnes, ...codeOnes], loaded.spec.operations);
    update({ overrides: set.size > 0 ? createOverridesStep(set, logger) : undefined });
    [fromConfig, fromCode] = [fileOnes, codeOnes];
  };
  applyOverrides(fromConfig, fromCode);

  const host = options.host ?? '127.0.0.1';
  const handle = createRequestHandler({
    router,
    pipeline: () => pipeline,
    logger,
    auth: options.auth ?? true,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    cors: corsPolicy(options.cors ?? true, options.corsOrigins),
    hosts: hostPolicy(host, [...corsHosts(options.cors, options.corsOrigins)]),
    maxAnswerBytes: answerLimits.maxBytes,
    validators: cacheDir ? { dir: validatorsDir(cacheDir, cacheKey(loaded.spec.sha256)) } : undefined,
  });

  const headersTimeout = options.headersTimeout ?? 20_000;
  const requestTimeout = Math.max(options.requestTimeout ?? 60_000, headersTimeout);
  const server = http.createServer(
    {
      headersTimeout,
      requestTimeout,
      // Node looks for overdue requests this often (30 s by default, longer than the timeouts themselves).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    (request, response) => {
      handle(request, response).catch((error) => {
        logger.error(`unexpected failure: ${(error as Error).stack ?? error}`);
        if (response.headersSent) return void response.destroy();
        const failure = internalError(`The mock server failed to answer: ${(error as Error).message}`);
        response.writeHead(failure.status, failure.headers).end(JSON.stringify(failure.body));
      });
    },
  );
  // Slow or stalled clients must not hold sockets for ever; idle keep-alive sockets neither.
  server.keepAliveTimeout = 5_000;
  server.on('clientError', answerClientError);
  server.on('connect', answerConnect);
  server.on('checkExpectation', answerExpectation);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const readyMs = Math.round(performance.now() - started);
  const watcher =
    options.watch && config
      ? watchConfig(config, { cwd, logger, apply: (next) => applyOverrides(next.overrides, fromCode) })
      : undefined;
  await watcher?.ready;

  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    host,
    operations: loaded.spec.operations.length,
    specVersion: loaded.spec.version,
    readyMs,
    fromCache: loaded.fromCache,
    setSteps(steps) {
      update({ extra: steps });
    },
    setOverrides(overrides) {
      applyOverrides(fromConfig, labelled(overrides));
    },
    configFile: config?.file,
    async close() {
      await watcher?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests in flight get a moment to finish; then their sockets are cut.
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      // libuv releases the closed handles on the next turn: after it, nothing of the server is left.
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}

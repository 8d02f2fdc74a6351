import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSpec } from './openapi/load-spec';
import { cacheKey, validatorsDir } from './openapi/cache';
import { PACKAGE_VERSION } from './openapi/locate';
import { createRouter } from './http/router';
import { createRequestHandler } from './http/handler';
import { answerClientError, answerConnect, answerExpectation } from './http/client-error';
import { internalError } from './http/errors';
import { createPrismEngine } from './engine/prism-engine';
import type { Handler, Step } from './pipeline/types';
import { createStreamingStep } from './streaming/step';
import { createRealismStep } from './realism/step';
import { assemblePipeline, type PipelineParts } from './pipeline/assemble';
import { compileOverrides, labelled, type LoadedOverride } from './overrides/set';
import { createOverridesStep } from './overrides/step';
import type { AnyOverride } from './overrides/types';
import type { LoadedConfig } from './config/load';
import { watchConfig } from './config/watch';
import { resolveSettings, type Settings, type SettingsInput } from './settings/resolve';
import { needsRestart } from './settings/restart';
import { createAdminRouter } from './admin/router';
import { healthRoutes } from './admin/health';

/**
 * `createMockServer`'s options: every key of a config file (see `Config`), plus what only code
 * can give. Unset values come from `OPENAI_MOCK_*` environment variables, then the config file,
 * then the defaults; see the README's table of options.
 */
export type MockServerOptions = Omit<SettingsInput, 'readyFile'>;

export interface MockServer {
  /** `http://127.0.0.1:PORT`: the SDK's baseURL is this plus `/v1`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly operations: number;
  readonly specVersion: string;
  readonly specSha256: string;
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

export async function createMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const started = performance.now();
  const settings = await resolveSettings(options, { defaultLogLevel: 'warn', given: 'option' });
  return startServer({ ...settings, port: settings.port ?? 0 }, started);
}

/** Composes and starts the server from settled settings (the command and `createMockServer` both end here). */
export async function startServer(settings: Settings, started = performance.now()): Promise<MockServer> {
  const { logger, config, cacheDir } = settings;
  const loaded = await loadSpec(settings.spec, { dir: cacheDir });
  if (loaded.cacheError) logger.warn(`could not write the spec cache in ${cacheDir}: ${loaded.cacheError}`);

  const router = createRouter(loaded.spec.operations);
  const engine = createPrismEngine();
  const parts: PipelineParts = {
    extra: settings.steps,
    streaming: createStreamingStep({ defaults: () => settings.stream }),
    realism: createRealismStep({ defaultBodies: loaded.spec.defaultBodies ?? {}, seed: settings.seed }),
  };
  let pipeline: Handler = assemblePipeline(parts, engine);
  // Swapping the whole chain at once is what makes reloads atomic for requests in flight.
  const update = (change: Partial<PipelineParts>) => {
    Object.assign(parts, change);
    pipeline = assemblePipeline(parts, engine);
  };

  let fromConfig: readonly LoadedOverride[] = config?.overrides ?? [];
  let fromCode: readonly LoadedOverride[] = labelled(settings.overrides);
  const applyOverrides = (fileOnes: readonly LoadedOverride[], codeOnes: readonly LoadedOverride[]) => {
    const set = compileOverrides([...fileOnes, ...codeOnes], loaded.spec.operations);
    update({ overrides: set.size > 0 ? createOverridesStep(set, logger) : undefined });
    [fromConfig, fromCode] = [fileOnes, codeOnes];
  };
  applyOverrides(fromConfig, fromCode);

  const admin = createAdminRouter(
    healthRoutes({
      operations: loaded.spec.operations.length,
      spec: { version: loaded.spec.version, sha256: loaded.spec.sha256, source: settings.spec.source },
      version: PACKAGE_VERSION,
      startedAt: started,
    }),
    { token: settings.adminToken, logger },
  );
  const handle = createRequestHandler({
    router,
    pipeline: () => pipeline,
    logger,
    auth: settings.auth,
    apiKeys: settings.apiKeys,
    bodyLimit: settings.bodyLimit,
    cors: settings.cors,
    admin,
    validators: cacheDir ? { dir: validatorsDir(cacheDir, cacheKey(loaded.spec.sha256)) } : undefined,
    allowUnknownParams: settings.allowUnknownParams,
  });

  const { headersTimeout, requestTimeout } = settings;
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
        if (response.headersSent || response.destroyed) return void response.destroy();
        try {
          const failure = internalError(`The mock server failed to answer: ${(error as Error).message}`);
          response.writeHead(failure.status, failure.headers).end(JSON.stringify(failure.body));
        } catch {
          // Not even an error can be written: this connection alone goes.
          response.destroy();
        }
      });
    },
  );
  // Slow or stalled clients must not hold sockets for ever; idle keep-alive sockets neither.
  server.keepAliveTimeout = 5_000;
  server.on('clientError', answerClientError);
  server.on('connect', answerConnect);
  server.on('checkExpectation', answerExpectation);

  const { host } = settings;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Past listening, a failure of the listening socket (EMFILE on accept, say) is logged: the
  // connections already open keep being served.
  server.on('error', (error) => logger.error(`the server's socket failed: ${error.message}`));
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const readyMs = Math.round(performance.now() - started);
  const watcher =
    settings.watch && config
      ? watchConfig(config, {
          cwd: settings.cwd,
          logger,
          apply: (next) => {
            applyOverrides(next.overrides, fromCode);
            return needsRestart(settings, next, address.port);
          },
        })
      : undefined;
  await watcher?.ready;
  // The first answer that needs Prism (a `Prefer: code=429`, an undocumented example) would pay
  // for loading it (about 0.5 s): load it once the server is ready, after whoever awaited the
  // start has had its turn (the ready line, the first requests of a test).
  const warming = setTimeout(() => engine.warm(), 200);
  warming.unref();

  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    host,
    operations: loaded.spec.operations.length,
    specVersion: loaded.spec.version,
    specSha256: loaded.spec.sha256,
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
      clearTimeout(warming);
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

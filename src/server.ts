import path from 'node:path';
import { loadSpec } from './openapi/load-spec';
import { cacheKey, validatorsDir } from './openapi/cache';
import { PACKAGE_VERSION } from './openapi/locate';
import { createRouter } from './http/router';
import { createRequestHandler } from './http/handler';
import { corsPolicy } from './http/cors';
import { hostPolicy, originHosts } from './http/host-check';
import { internalError } from './http/errors';
import { createPrismEngine } from './engine/prism-engine';
import type { Handler, Step } from './pipeline/types';
import { createStreamingStep } from './streaming/step';
import { createRealismStep } from './realism/step';
import { DEFAULT_ANSWER_LIMITS } from './realism/meter';
import { createModelsStep, createStrictModelsStep } from './models/step';
import { buildCatalogue } from './models/served';
import { assembleInner, assemblePipeline, type PipelineParts } from './pipeline/assemble';
import { compileOverrides, labelled, type LoadedOverride, type OverrideSet } from './overrides/set';
import { createOverridesStep } from './overrides/step';
import type { AnyOverride } from './overrides/types';
import type { LoadedConfig } from './config/load';
import type { Logger } from './log/logger';
import { perProcessRoutes, type WorkerInfo } from './admin/per-process';
import { watchConfig } from './config/watch';
import { resolveSettings, type Settings, type SettingsInput } from './settings/resolve';
import { needsRestart } from './settings/restart';
import { createAdminRouter } from './admin/router';
import { healthRoutes } from './admin/health';
import { listen, PROTOCOLS, type Protocol } from './transport/listen';
import { loadTlsMaterial, TlsSetupError, type TlsMaterial } from './transport/tls';
import { createCompanion, type CompanionApi } from './sessions/companion';
import { readFixtures, watchFixtures, type FixtureEntry } from './scripts/fixtures';
import { createProxyStep } from './proxy/step';
import { DriftReport, driftRoutes } from './proxy/drift';
import { createCassetteSources } from './cassettes/wire';
import type { ReplayMode } from './cassettes/replay-step';
import { createRealtime } from './realtime/endpoint';
import { createWebSockets } from './transport/websocket';
import { invalidUrl } from './http/errors';
import { createStateRuntime, type StateRuntime } from './state/setup';
import { stateRoutes } from './state/admin';
import type { SessionStore } from './state/types';
import { createLatencyStep } from './latency/step';
import { createRateLimitStep } from './ratelimit/step';
import { createMetrics, type Metrics } from './metrics/metrics';
import type { AdminRoute } from './admin/router';

/**
 * `createMockServer`'s options: every key of a config file (see `Config`), plus what only code
 * can give. Unset values come from `OPENAI_MOCK_*` environment variables, then the config file,
 * then the defaults; see the README's table of options.
 */
export type MockServerOptions = Omit<SettingsInput, 'readyFile'>;

/** The test-suite companion's part (src/sessions/companion.ts): `journal`, `on`, `session`, `scripts`, `resetScripts`, `assertAllUsed`. */
export interface MockServer extends CompanionApi {
  /** `http://127.0.0.1:PORT` (`https://` with `tls: true` or when only HTTPS is served): the SDK's baseURL is this plus `/v1`. */
  readonly url: string;
  /** Every base URL served: `http://...` and `https://...` on the same port, and the `httpsPort`'s. */
  readonly urls: readonly string[];
  /** PEM of the local CA that signed the server's certificate, for an `https.Agent` or undici `Agent` (`{ ca }`); none with `tlsCert`. */
  readonly ca?: string;
  /** The file of `ca`, for `NODE_EXTRA_CA_CERTS` and the like. */
  readonly caFile?: string;
  /** The TLS-only second port (`httpsPort`), as bound. */
  readonly httpsPort?: number;
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
  /**
   * Answers from the cassettes in `dir` from now on (per test, like Polly.js or pytest-recording);
   * `mode` as `replay.mode` (record modes need `proxy`).
   */
  useCassettes(dir: string, options?: { mode?: ReplayMode }): void;
  /** Stateful mode (`state` option, `--stateful`); undefined when it is off. */
  readonly state?: MockState;
  /** The config file in use, if any. */
  readonly configFile?: string;
  /** Stops the server; scripts added in code or over HTTP that were never used up are logged as a warning. */
  close(): Promise<void>;
}

/** Stateful mode in code: what the admin API's `/__admin/state/...` routes do. */
export interface MockState {
  /** Forgets the objects of one session, or of all. */
  reset(session?: string): void;
  /** Moves the lifecycle clock forward: objects with durations move on as if that time had passed. */
  advance(ms: number): void;
  /** A session's store (default: `default`), to read or seed objects from a test. */
  session(name?: string): SessionStore;
}

export async function createMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const started = performance.now();
  const settings = await resolveSettings(options, { defaultLogLevel: 'warn', given: 'option' });
  // Processes are the command's to start (src/cluster): in a test run, one server per suite is the unit.
  if (settings.workers > 1 && settings.origins.workers === 'option "workers"') {
    settings.logger.warn('createMockServer serves from this process only: option "workers" is for the command (openai-mock --workers N)');
  }
  return startServer({ ...settings, port: settings.port ?? 0 }, started);
}

/** What the caller decides when the settings leave it open. */
export interface StartDefaults {
  /** What the port serves when `protocols` is not set; TLS had this way is dropped with a warning when no certificate can be kept. */
  protocols?: readonly Protocol[];
  /**
   * Set when this server is one of several processes sharing the port (the command's `--workers`):
   * its number, from 1. Answers then carry `x-mock-worker`, health names the worker, and the admin
   * routes whose state is per process (journal, scripts, drift report) refuse to give a part for the whole.
   */
  worker?: number;
  /** The config and fixture watchers' logger: all workers reload, one of them says so. */
  watchLogger?: Logger;
  /**
   * Several processes share the port: `GET /__admin/metrics` answers for all of them together.
   * `share` receives this server's own figures (for the others to add up); `gather` gives the
   * Prometheus text of all.
   */
  sharedMetrics?: { share(snapshot: () => Promise<unknown[]>): void; gather(): Promise<{ text: string; contentType: string }> };
}

/** `/__admin/metrics` as it is, or answering for every process sharing the port. */
function sharedMetricsRoutes(metrics: Metrics, shared: StartDefaults['sharedMetrics']): AdminRoute[] {
  if (!shared) return metrics.adminRoutes;
  shared.share(() => metrics.snapshot());
  return metrics.adminRoutes.map((route) =>
    route.path === '/metrics'
      ? {
          ...route,
          handle: async () => {
            const { text, contentType } = await shared.gather();
            return { body: text, headers: { 'content-type': contentType } };
          },
        }
      : route,
  );
}

/** Composes and starts the server from settled settings (the command and `createMockServer` both end here). */
export async function startServer(settings: Settings, started = performance.now(), defaults: StartDefaults = {}): Promise<MockServer> {
  const { logger, config, cacheDir } = settings;
  // Before the spec: a bad certificate file is the user's to fix, and says so at once.
  const protocols = settings.protocols ?? defaults.protocols ?? (settings.tls ? PROTOCOLS : ['http']);
  const wantsTls = protocols.includes('https') || settings.httpsPort !== undefined || settings.tls;
  let tls: TlsMaterial | undefined;
  let served = protocols;
  if (wantsTls) {
    const source = { host: settings.host, certFile: settings.tlsCert, keyFile: settings.tlsKey, origins: settings.origins, fallbackDir: cacheDir ? path.join(cacheDir, 'tls') : undefined };
    try {
      tls = await loadTlsMaterial(source);
    } catch (error) {
      // TLS nobody asked for (the command's default) is not worth failing the start over.
      const asked = settings.protocols !== undefined || settings.httpsPort !== undefined || settings.tls || settings.tlsCert || settings.tlsKey;
      if (asked || !(error instanceof TlsSetupError)) throw error;
      logger.warn(`serving plain HTTP only: ${error.message}`);
      served = protocols.filter((p) => p !== 'https');
    }
  }

  const loaded = await loadSpec(settings.spec, { dir: cacheDir });
  if (loaded.cacheError) logger.warn(`could not write the spec cache in ${cacheDir}: ${loaded.cacheError}`);

  const answerLimits = {
    maxBytes: settings.maxAnswerBytes ?? DEFAULT_ANSWER_LIMITS.maxBytes,
    maxMs: settings.maxAnswerMs ?? DEFAULT_ANSWER_LIMITS.maxMs,
  };
  const router = createRouter(loaded.spec.operations);
  const engine = createPrismEngine();
  const catalogue = buildCatalogue(settings.models, { anyFineTune: !settings.strictModels });
  const metrics = createMetrics({ logger, statsInterval: settings.statsInterval });
  const parts: PipelineParts = {
    extra: settings.steps,
    streaming: createStreamingStep({ defaults: () => settings.stream }),
    metrics: metrics.step,
    // Always there, even for `fast`: a request's `Prefer: latency=realistic` asks for it.
    latency: createLatencyStep({ latency: settings.latency, seed: settings.seed }),
    rateLimits: settings.rateLimits ? createRateLimitStep({ config: settings.rateLimits, onReject: metrics.rejected }) : undefined,
    strictModels: settings.strictModels ? createStrictModelsStep(catalogue) : undefined,
    models: createModelsStep(catalogue),
    realism: createRealismStep({ defaultBodies: loaded.spec.defaultBodies ?? {}, seed: settings.seed, logger, limits: answerLimits }),
  };
  let pipeline: Handler = assemblePipeline(parts, engine);
  // What stateful mode's answer() runs (a batch line): built on first use after each change.
  let inner: Handler | undefined;
  // Swapping the whole chain at once is what makes reloads atomic for requests in flight.
  const update = (change: Partial<PipelineParts>) => {
    Object.assign(parts, change);
    pipeline = assemblePipeline(parts, engine);
    inner = undefined;
  };

  const validators = cacheDir ? { dir: validatorsDir(cacheDir, cacheKey(loaded.spec.sha256)) } : undefined;
  // Stateful mode (src/state/): nothing of it is built, and no step added, when it is off.
  let state: StateRuntime | undefined;
  if (settings.state) {
    state = createStateRuntime(settings.state, {
      pipeline: () => (inner ??= assembleInner(parts, engine)),
      operations: loaded.spec.operations,
      validators,
      allowUnknownParams: settings.allowUnknownParams,
      seed: settings.seed,
    });
    update({ state: state.step, stateCommit: state.commit });
  }
  const stateOf = state ? (exchange: { session?: string }) => state.session(exchange.session) : undefined;

  // Proxy, record and replay (src/proxy, src/cassettes): steps of their own between overrides and realism.
  let overrideSet: OverrideSet | undefined;
  const drift = settings.proxy ? new DriftReport(logger) : undefined;
  const cassettes = createCassetteSources({
    record: settings.record,
    replay: settings.replay,
    specSha256: loaded.spec.sha256,
    logger,
    hasProxy: settings.proxy !== undefined,
    onReplayStep: (replay) => update({ replay }),
    needsWhole: (exchange) => (overrideSet?.forOperation(exchange.operationId).length ?? 0) > 0,
  });
  parts.replay = cassettes.replay;
  if (settings.proxy) {
    parts.proxy = createProxyStep({
      ...settings.proxy,
      logger,
      drift,
      recorder: cassettes.recorder,
      needsWhole: (exchange) => (overrideSet?.forOperation(exchange.operationId).length ?? 0) > 0,
    });
    // In proxy mode only configured origins may call it (settings/resolve.ts); said when the user widened that.
    const cors = settings.cors;
    const wide = cors === true || (typeof cors === 'object' && (cors.loopback !== false || cors.origins?.includes('*')));
    if (wide) logger.warn("proxy: CORS allows web pages beyond the configured origins, and they call the upstream with this server's key");
  }

  let fromConfig: readonly LoadedOverride[] = config?.overrides ?? [];
  let fromCode: readonly LoadedOverride[] = labelled(settings.overrides);
  const applyOverrides = (fileOnes: readonly LoadedOverride[], codeOnes: readonly LoadedOverride[]) => {
    const set = compileOverrides([...fileOnes, ...codeOnes], loaded.spec.operations);
    overrideSet = set;
    update({ overrides: set.size > 0 ? createOverridesStep(set, logger, stateOf) : undefined });
    [fromConfig, fromCode] = [fileOnes, codeOnes];
  };
  applyOverrides(fromConfig, fromCode);

  // Test-suite companion: journal, sessions, scripts (code, admin API, fixture files), one state for all three.
  const companion = createCompanion({ operations: loaded.spec.operations, logger, journalMax: settings.journalMax, sessions: settings.sessions });
  update({ scripts: companion.step });
  const inlineFixtures = (specs: readonly unknown[] | undefined): FixtureEntry[] =>
    (specs ?? []).map((spec, i) => ({ spec, label: `${config ? config.file : 'option'} "fixtures"[${i}]` }));
  let fixtureParts = { inline: inlineFixtures(settings.fixtures), files: settings.fixturesDir ? await readFixtures(settings.fixturesDir, settings.cwd) : [] };
  const applyFixtures = (next: Partial<typeof fixtureParts>) => {
    const parts = { ...fixtureParts, ...next };
    const count = companion.setFixtures([...parts.inline, ...parts.files]);
    fixtureParts = parts;
    return count;
  };
  applyFixtures({});

  const worker: WorkerInfo | undefined = defaults.worker !== undefined ? { id: defaults.worker, count: settings.workers } : undefined;
  const cors = corsPolicy(settings.cors, settings.corsOrigins);
  const hosts = hostPolicy(settings.host, originHosts(settings.cors, settings.corsOrigins));
  // The Realtime API's socket (src/realtime): its content from the same pipeline as the HTTP API's.
  const realtime = createRealtime({
    router,
    pipeline: () => pipeline,
    schemas: loaded.spec.realtimeEvents,
    logger,
    auth: settings.auth,
    apiKeys: settings.apiKeys,
    cors,
    hosts,
    stream: () => settings.stream,
    front: companion.front,
    validators,
  });
  update({ realtimeSecrets: realtime.secretsStep });
  const sockets = createWebSockets([realtime.endpoint], { logger, notFound: (request) => invalidUrl((request.method ?? 'GET').toUpperCase(), (request.url ?? '/').split('?')[0]!) });

  const admin = createAdminRouter(
    [
      ...healthRoutes({
        workers: worker,
        operations: loaded.spec.operations.length,
        spec: { version: loaded.spec.version, sha256: loaded.spec.sha256, source: settings.spec.source },
        version: PACKAGE_VERSION,
        startedAt: started,
      }),
      ...perProcessRoutes([...companion.adminRoutes, ...realtime.adminRoutes, ...(drift ? driftRoutes(drift) : []), ...(state ? stateRoutes(state) : [])], worker),
      ...sharedMetricsRoutes(metrics, defaults.sharedMetrics),
    ],
    { token: settings.adminToken, logger },
  );
  const handle = createRequestHandler({
    router,
    pipeline: () => pipeline,
    logger,
    auth: settings.auth,
    apiKeys: settings.apiKeys,
    bodyLimit: settings.bodyLimit,
    cors,
    hosts,
    maxAnswerBytes: answerLimits.maxBytes,
    admin,
    sessions: companion.front,
    metrics: metrics.front,
    validators,
    allowUnknownParams: settings.allowUnknownParams,
  });

  const workerHeader = worker ? String(worker.id) : undefined;
  const listening = await listen({
    host: settings.host,
    port: settings.port ?? 0,
    protocols: served,
    httpsPort: tls ? settings.httpsPort : undefined,
    tls,
    headersTimeout: settings.headersTimeout,
    requestTimeout: settings.requestTimeout,
    logger,
    onUpgrade: sockets.onUpgrade,
    onRequest: (request, response) => {
      if (workerHeader) response.setHeader('x-mock-worker', workerHeader);
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
  });
  // Once listening: a start that fails says only why.
  for (const note of tls?.notes ?? []) logger.info(note);
  const readyMs = Math.round(performance.now() - started);
  const watcher =
    settings.watch && config
      ? watchConfig(config, {
          cwd: settings.cwd,
          logger: defaults.watchLogger ?? logger,
          apply: (next) => {
            applyOverrides(next.overrides, fromCode);
            if (!settings.origins.fixtures?.startsWith('option')) applyFixtures({ inline: inlineFixtures(next.config.fixtures) });
            return needsRestart(settings, next, listening.port);
          },
        })
      : undefined;
  await watcher?.ready;
  const fixturesWatcher =
    settings.watch && settings.fixturesDir
      ? watchFixtures(settings.fixturesDir, { logger: defaults.watchLogger ?? logger, cwd: settings.cwd, apply: (files) => applyFixtures({ files }) })
      : undefined;
  await fixturesWatcher?.ready;
  const urls = [listening.urls.http, served.includes('https') ? `https://${listening.urlHost}:${listening.port}` : undefined, listening.httpsPort !== undefined ? `https://${listening.urlHost}:${listening.httpsPort}` : undefined].filter((u): u is string => u !== undefined);
  return {
    url: (settings.tls ? listening.urls.https : undefined) ?? listening.urls.http ?? listening.urls.https!,
    urls,
    ca: tls?.ca,
    caFile: tls?.caFile,
    httpsPort: listening.httpsPort,
    port: listening.port,
    host: settings.host,
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
    useCassettes(dir, options) {
      cassettes.use(path.resolve(settings.cwd, dir), options);
    },
    configFile: config?.file,
    state: state && { reset: state.reset, advance: state.advance, session: state.session },
    ...companion.api,
    async close() {
      companion.warnPending();
      metrics.close();
      await fixturesWatcher?.close();
      await watcher?.close();
      await sockets.close(500);
      // Requests in flight get a moment to finish; then their sockets are cut.
      await listening.close(1000);
      await state?.close();
    },
  };
}

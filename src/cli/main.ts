#!/usr/bin/env node
// First of all: the process may be replaced by one with a bounded young generation.
import './young-generation';
// Then V8's compile cache, before anything heavy is loaded.
import './compile-cache';
import cluster from 'node:cluster';
import { parseCliArgs, UsageError, USAGE } from './args';
import { startServer, type MockServer, type StartDefaults } from '../server';
import { SpecError } from '../openapi/prepare';
import { PACKAGE_VERSION } from '../openapi/locate';
import { ConfigError } from '../config/errors';
import { resolveSettings, SettingsError, type Settings } from '../settings/resolve';
import { flushStderr } from '../log/logger';
import { writeReadyFile } from './ready-file';
import { describeListenError, ListenError } from './listen-error';
import { servedText, tlsCommand } from './tls';
import { PROTOCOLS } from '../transport/listen';
import { TlsSetupError } from '../transport/tls';
import { StateStoreError } from '../state/file-store';
import { UpdateError } from '../openapi/update';
import { runSpecCommand } from './spec';
import { startCluster, WorkerStartError } from '../cluster/primary';
import { runWorker } from '../cluster/worker';

export const DEFAULT_PORT = 12111;
const MIN_NODE = 22;

function isAddressInUse(error: unknown) {
  return (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE';
}

/** The port a listen error is about (the main one, or --https-port's). */
function portOf(error: unknown, tried: number): number {
  const port = (error as { port?: unknown })?.port;
  return typeof port === 'number' ? port : tried;
}

/** The command's start of one server: on its --port, or on the first free port from 12111. */
async function startCommandServer(settings: Settings, extra: StartDefaults = {}): Promise<MockServer> {
  let server: MockServer | undefined;
  const { port, host } = settings;
  // An address the system refuses (no such host, not this machine's, taken, privileged) is the user's to fix: one line, no stack.
  const listenFailure = (error: unknown, tried: number) => {
    const message = describeListenError(error, host, portOf(error, tried));
    return message ? new ListenError(message) : error;
  };
  // The command serves HTTP and HTTPS on its port unless told otherwise.
  const defaults: StartDefaults = { protocols: PROTOCOLS, ...extra };
  if (port !== undefined) {
    try {
      return await startServer({ ...settings, port }, undefined, defaults);
    } catch (error) {
      throw listenFailure(error, port);
    }
  }
  // Without --port: the first free port from 12111, so a second instance just takes the next one.
  for (let port = DEFAULT_PORT; port < DEFAULT_PORT + 100 && !server; port++) {
    try {
      server = await startServer({ ...settings, port }, undefined, defaults);
    } catch (error) {
      // A taken --https-port is not solved by the next main port.
      if (!isAddressInUse(error) || portOf(error, port) !== port) throw listenFailure(error, port);
    }
  }
  if (!server) throw new UsageError(`no free port from ${DEFAULT_PORT} to ${DEFAULT_PORT + 99}; pass --port`);
  return server;
}

/** What the command prints and exits with when it cannot go on. */
function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof UsageError) return { message: `${error.message}\nRun openai-mock --help for the options.`, exitCode: 2 };
  if (error instanceof SettingsError) return { message: error.message, exitCode: 2 };
  if (error instanceof WorkerStartError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof SpecError || error instanceof ConfigError || error instanceof ListenError || error instanceof TlsSetupError || error instanceof UpdateError || error instanceof StateStoreError) {
    return { message: error.message, exitCode: 1 };
  }
  return { message: String((error as Error)?.stack ?? error), exitCode: 1 };
}

/** What the ready line and the ready file need, from one server or from the first worker of several. */
interface Served {
  url: string;
  urls: readonly string[];
  port: number;
  operations: number;
  specVersion: string;
  close(): Promise<void>;
}

async function main(argv: string[]): Promise<number> {
  // A worker of --workers: the primary sends what to start.
  if (cluster.isWorker) {
    runWorker({ start: startCommandServer, describe: describeFailure });
    return -1;
  }
  // Subcommands have flags of their own, which the server's parser would refuse.
  if (argv[0] === 'spec') return runSpecCommand(argv.slice(1));
  const args = parseCliArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (args.version) {
    process.stdout.write(PACKAGE_VERSION + '\n');
    return 0;
  }
  if (args.command[0] === 'tls') return tlsCommand(args.command.slice(1), args.given);
  if (args.command.length > 0) throw new UsageError(`unknown command "${args.command.join(' ')}"`);
  // Without --config (or OPENAI_MOCK_CONFIG), the first config found from here up.
  const settings = await resolveSettings({ ...args.given, config: args.given.config ?? true }, { env: process.env, defaultLogLevel: 'info', given: 'flag' });
  const { logger, config } = settings;
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor < MIN_NODE) logger.warn(`openai-mock supports Node.js ${MIN_NODE} and later; this is ${process.version}, on which it is not tested.`);
  if (settings.watch && !config && !settings.fixturesDir) logger.warn('--watch: no config file found, nothing to watch');

  let server: Served;
  let workersLine = '';
  if (settings.workers > 1 && settings.state) {
    // Objects live in each worker's store: a retrieve served by another worker would be a 404.
    throw new SettingsError(`--stateful keeps its objects in one process, and with --workers ${settings.workers} a retrieve could reach a worker that never saw the create; use --workers 1 with --stateful`);
  }
  if (settings.workers > 1) {
    // Each worker loads the config file the primary found (its overrides are code: they do not cross processes).
    const given = { ...args.given, config: config?.file ?? false };
    // Buckets live in each worker: a client whose connections reach several gets up to N times its limit.
    if (settings.rateLimits) logger.warn(`rate limits are counted per worker: with ${settings.workers} workers, a key whose connections reach several may get up to ${settings.workers} times its limit; use --workers 1 for exact limits`);
    const workers = await startCluster({ count: settings.workers, given, port: settings.port, logger });
    server = { ...workers.ready, close: () => workers.close() };
    workersLine = `, ${settings.workers} workers`;
  } else {
    server = await startCommandServer(settings);
  }

  // Handlers go in before the ready line: a supervisor may signal as soon as it reads it.
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info(`${signal}: closing`);
    server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  if (config) logger.info(`config ${config.file}: ${config.overrides.length} overrides, loaded in ${Math.round(config.ms)} ms`);
  else logger.info(`no config file (looked from ${settings.cwd} up for openai-mock.config.*, mock.config.*, .openai-mockrc*, package.json "openai-mock")`);
  // Before the ready line: whoever reads the line may look for the file at once.
  if (settings.readyFile) await writeReadyFile(settings.readyFile, server);
  // The ready line goes to stdout at every level but silent, so that `openai-mock --port 0 | head -1` finds the port.
  flushStderr();
  // The start's garbage, collected before a client is told to begin (see cli/young-generation.ts):
  // `gc` is there when the command gave itself --expose-gc, or its user did.
  (globalThis as { gc?: () => void }).gc?.();
  if (settings.logLevel !== 'silent') {
    process.stdout.write(
      `openai-mock listening on ${servedText(server.urls)} (${server.operations} operations, spec ${server.specVersion}${workersLine}, ready in ${Math.round(performance.now())} ms)\n`,
    );
  }
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error) => {
    const { message, exitCode } = describeFailure(error);
    process.stderr.write(`openai-mock: ${message}\n`);
    process.exitCode = exitCode;
  },
);

#!/usr/bin/env node
// First: it turns on V8's compile cache before anything heavy is loaded.
import './compile-cache';
import { parseCliArgs, UsageError, USAGE } from './args';
import { startServer, type MockServer } from '../server';
import { SpecError } from '../openapi/prepare';
import { PACKAGE_VERSION } from '../openapi/locate';
import { ConfigError } from '../config/errors';
import { resolveSettings, SettingsError } from '../settings/resolve';
import { writeReadyFile } from './ready-file';
import { describeListenError, ListenError } from './listen-error';
import { servedText, tlsCommand } from './tls';
import { PROTOCOLS } from '../transport/listen';
import { TlsSetupError } from '../transport/tls';
import { StateStoreError } from '../state/file-store';
import { UpdateError } from '../openapi/update';
import { runSpecCommand } from './spec';

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

async function main(argv: string[]): Promise<number> {
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

  let server: MockServer | undefined;
  const { port, host } = settings;
  // An address the system refuses (no such host, not this machine's, taken, privileged) is the user's to fix: one line, no stack.
  const listenFailure = (error: unknown, tried: number) => {
    const message = describeListenError(error, host, portOf(error, tried));
    return message ? new ListenError(message) : error;
  };
  // The command serves HTTP and HTTPS on its port unless told otherwise.
  const defaults = { protocols: PROTOCOLS, warmEngine: true };
  if (port !== undefined) {
    try {
      server = await startServer({ ...settings, port }, undefined, defaults);
    } catch (error) {
      throw listenFailure(error, port);
    }
  } else {
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
  }

  // Handlers go in before the ready line: a supervisor may signal as soon as it reads it.
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info(`${signal}: closing`);
    server!.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  if (config) logger.info(`config ${config.file}: ${config.overrides.length} overrides, loaded in ${Math.round(config.ms)} ms`);
  else logger.info(`no config file (looked from ${settings.cwd} up for openai-mock.config.*, mock.config.*, .openai-mockrc*, package.json "openai-mock")`);
  // Before the ready line: whoever reads the line may look for the file at once.
  if (settings.readyFile) await writeReadyFile(settings.readyFile, server);
  // The ready line goes to stdout at every level but silent, so that `openai-mock --port 0 | head -1` finds the port.
  if (settings.logLevel !== 'silent') {
    process.stdout.write(
      `openai-mock listening on ${servedText(server.urls)} (${server.operations} operations, spec ${server.specVersion}, ready in ${Math.round(performance.now())} ms)\n`,
    );
  }
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error) => {
    if (error instanceof UsageError) {
      process.stderr.write(`openai-mock: ${error.message}\nRun openai-mock --help for the options.\n`);
      process.exitCode = 2;
    } else if (error instanceof SettingsError) {
      process.stderr.write(`openai-mock: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof SpecError || error instanceof ConfigError || error instanceof ListenError || error instanceof TlsSetupError || error instanceof UpdateError || error instanceof StateStoreError) {
      process.stderr.write(`openai-mock: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`openai-mock: ${(error as Error).stack ?? error}\n`);
      process.exitCode = 1;
    }
  },
);

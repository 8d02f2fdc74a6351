#!/usr/bin/env node
// First: it turns on V8's compile cache before anything heavy is loaded.
import './compile-cache';
import { parseCliArgs, UsageError, USAGE } from './args';
import { createMockServer, type MockServer } from '../server';
import { createLogger } from '../log/logger';
import { SpecError } from '../openapi/prepare';
import { PACKAGE_ROOT } from '../openapi/locate';
import { loadConfig } from '../config/load';
import { ConfigError } from '../config/errors';
import { describeListenError, ListenError } from './listen-error';

export const DEFAULT_PORT = 12111;

function isAddressInUse(error: unknown) {
  return (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE';
}

async function main(argv: string[]): Promise<number> {
  const args = parseCliArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (args.version) {
    process.stdout.write(require(`${PACKAGE_ROOT}/package.json`).version + '\n');
    return 0;
  }
  // --config FILE, or the first config found from here up; its settings fill what flags leave unset.
  const config = await loadConfig({ file: args.config, cwd: process.cwd() });
  const logger = createLogger(args.logLevel ?? config?.settings.logLevel ?? 'info');
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor < 24) {
    logger.warn(`openai-mock is built and tested for Node.js 24; this is ${process.version}. In the project, \`npm start\` and \`npx openai-mock\` run the Node 24 it installs.`);
  }
  if (config) logger.info(`config ${config.file}: ${config.overrides.length} overrides, loaded in ${Math.round(config.ms)} ms`);
  const watch = args.watch ?? config?.settings.watch;
  if (watch && !config) logger.warn('--watch: no config file found, nothing to watch');
  const options = {
    host: args.host,
    spec: args.spec,
    auth: args.auth,
    cors: args.cors,
    corsOrigins: args.corsOrigins,
    cacheDir: args.cacheDir,
    bodyLimit: args.bodyLimit,
    seed: args.seed,
    maxAnswerBytes: args.maxAnswerBytes,
    maxAnswerMs: args.maxAnswerMs,
    config,
    watch,
    logger,
  };

  let server: MockServer | undefined;
  const port = args.port ?? config?.settings.port;
  const host = args.host ?? config?.settings.host ?? '127.0.0.1';
  // An address the system refuses (no such host, not this machine's, taken, privileged) is the user's to fix: one line, no stack.
  const listenFailure = (error: unknown, tried: number) => {
    const message = describeListenError(error, host, tried);
    return message ? new ListenError(message) : error;
  };
  if (port !== undefined) {
    try {
      server = await createMockServer({ ...options, port });
    } catch (error) {
      throw listenFailure(error, port);
    }
  } else {
    // Without --port: the first free port from 12111, so a second instance just takes the next one.
    for (let port = DEFAULT_PORT; port < DEFAULT_PORT + 100 && !server; port++) {
      try {
        server = await createMockServer({ ...options, port });
      } catch (error) {
        if (!isAddressInUse(error)) throw listenFailure(error, port);
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

  logger.info(
    `openai-mock listening on ${server.url} (${server.operations} operations, spec ${server.specVersion}, ready in ${Math.round(performance.now())} ms)`,
  );
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
    } else if (error instanceof SpecError || error instanceof ConfigError || error instanceof ListenError) {
      process.stderr.write(`openai-mock: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`openai-mock: ${(error as Error).stack ?? error}\n`);
      process.exitCode = 1;
    }
  },
);

import { parseArgs } from 'node:util';
import { isLogLevel, LOG_LEVELS, type LogLevel } from '../log/logger';

export interface CliArgs {
  port?: number;
  host?: string;
  spec?: string;
  config?: string;
  logLevel?: LogLevel;
  auth?: boolean;
  cors?: boolean;
  corsOrigins?: string[];
  watch?: boolean;
  cacheDir?: string | false;
  bodyLimit?: number;
  seed?: string;
  maxAnswerBytes?: number;
  maxAnswerMs?: number;
  help: boolean;
  version: boolean;
}

export class UsageError extends Error {}

export const USAGE = `Usage: openai-mock [options]

A mock server for the OpenAI API, from the official OpenAPI spec.

Options:
  --port N            port to listen on (default: first free from 12111; 0 lets the OS choose)
  --host H            interface to bind (default: 127.0.0.1)
  --spec PATH|URL     OpenAPI spec (default: config "spec", then $OPENAI_MOCK_SPEC,
                      then spec/openapi.yaml, filled by \`npm run fetch-spec\`)
  --config FILE       config file (default: searched from the working directory:
                      openai-mock.config.{ts,mts,cts,js,mjs,cjs,json,yaml,yml}, .openai-mockrc,
                      "openai-mock" in package.json)
  --watch, --no-watch reload the config and overrides when their files change (or not,
                      whatever the config says)
  --log-level L       ${LOG_LEVELS.join(', ')} (default: info)
  --no-auth           accept requests without an Authorization header
  --no-cors           no CORS headers, preflights get 404 (default: CORS on, for web apps)
  --cors-origin O     also allow web pages from origin O (repeatable; pages served
                      from this machine are allowed by default, others refused)
  --cache-dir DIR     where the prepared spec is cached (default: node_modules/.cache/openai-mock)
  --no-cache          do not read or write the prepared-spec cache
  --body-limit BYTES  largest request body accepted (default: 52428800)
  --seed S            deterministic ids and timestamps: the same request gets the same body
  --max-answer-bytes BYTES
                      the largest answer (default: 50331648); a request asking for more gets a 400
  --max-answer-ms MS  the most CPU time one answer may take (default: 500); then a 400
  -h, --help          show this help
  -v, --version       print the version

Point the official SDK at it:  new OpenAI({ baseURL: 'http://127.0.0.1:12111/v1', apiKey: 'test' })`;

function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        spec: { type: 'string' },
        config: { type: 'string', short: 'c' },
        watch: { type: 'boolean', short: 'w' },
        'no-watch': { type: 'boolean' },
        'log-level': { type: 'string' },
        auth: { type: 'boolean' },
        'no-auth': { type: 'boolean' },
        cors: { type: 'boolean' },
        'no-cors': { type: 'boolean' },
        'cors-origin': { type: 'string', multiple: true },
        'cache-dir': { type: 'string' },
        'no-cache': { type: 'boolean' },
        'body-limit': { type: 'string' },
        seed: { type: 'string' },
        'max-answer-bytes': { type: 'string' },
        'max-answer-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  const logLevel = v['log-level'];
  if (logLevel !== undefined && !isLogLevel(logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  return {
    port: integer('port', v.port, 0, 65535),
    host: v.host,
    spec: v.spec,
    config: v.config,
    watch: v['no-watch'] ? false : v.watch,
    logLevel: logLevel as LogLevel | undefined,
    auth: v['no-auth'] ? false : v.auth,
    cors: v['no-cors'] ? false : v.cors,
    corsOrigins: v['cors-origin'],
    cacheDir: v['no-cache'] ? false : v['cache-dir'],
    bodyLimit: integer('body-limit', v['body-limit'], 1, 2 ** 40),
    seed: v.seed,
    maxAnswerBytes: integer('max-answer-bytes', v['max-answer-bytes'], 1, 2 ** 40),
    maxAnswerMs: integer('max-answer-ms', v['max-answer-ms'], 1, 3_600_000),
    help: Boolean(v.help),
    version: Boolean(v.version),
  };
}

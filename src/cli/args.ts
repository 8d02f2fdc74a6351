import { parseArgs, type ParseArgsConfig } from 'node:util';
import { aliasesOf, envName, isBooleanOption, OPTIONS, OptionValueError, readText, type OptionDef } from '../settings/options';
import type { SettingsInput } from '../settings/resolve';
import { nearest } from '../util/nearest';

/** The command line, read from the options table: each flag sets its option's key. */

export interface CliArgs {
  /** The options the flags set (paths as written: the settings resolve them). */
  given: SettingsInput;
  /** A subcommand and its words, such as `spec update`. */
  command: string[];
  help: boolean;
  version: boolean;
}

export class UsageError extends Error {}

const DEFS = OPTIONS as readonly OptionDef<any>[];

function parseConfig(): ParseArgsConfig['options'] {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
  };
  for (const def of DEFS) {
    if (!def.flag) continue;
    const boolean = isBooleanOption(def);
    options[def.flag] = { type: boolean ? 'boolean' : 'string', ...(def.short ? { short: def.short } : {}), ...(def.repeat ? { multiple: true } : {}) };
    if (boolean) options[`no-${def.flag}`] = { type: 'boolean' };
    for (const alias of aliasesOf(def)) options[alias.flag] = { type: 'boolean' };
  }
  return options;
}

const PARSE_OPTIONS = parseConfig()!;

export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], strict: true, allowPositionals: true, options: PARSE_OPTIONS });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(message);
    if (unknown) {
      const suggestion = nearest(unknown[2]!, Object.keys(PARSE_OPTIONS).filter((name) => name.length > 1));
      throw new UsageError(`unknown option ${unknown[1]}${unknown[2]}${suggestion ? `; did you mean --${suggestion}?` : ''}`);
    }
    throw new UsageError(message.split('. To specify')[0]!);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const given: Record<string, unknown> = {};
  for (const def of DEFS) {
    if (!def.flag) continue;
    const raw = values[def.flag];
    if (isBooleanOption(def)) {
      if (values[`no-${def.flag}`]) given[def.key] = false;
      else if (raw !== undefined) given[def.key] = raw;
    } else if (raw !== undefined) {
      try {
        if (def.repeat && (raw as string[]).some((text) => text.trim() === '')) throw new OptionValueError(`needs a value, got ""`);
        given[def.key] = def.repeat ? (raw as string[]).flatMap((text) => readText(def, text) as string[]) : readText(def, raw as string);
      } catch (error) {
        if (error instanceof OptionValueError) throw new UsageError(`--${def.flag} ${error.message}`);
        throw error;
      }
    }
    for (const alias of aliasesOf(def)) if (values[alias.flag]) given[def.key] = alias.value;
  }
  return { given: given as SettingsInput, command: parsed.positionals, help: Boolean(values.help), version: Boolean(values.version) };
}

function flagText(def: OptionDef<any>): string[] {
  const lines: string[] = [];
  if (!def.flag) return lines;
  const short = def.short ? `-${def.short}, ` : '';
  const head = isBooleanOption(def) ? `${short}--${def.flag}, --no-${def.flag}` : `${short}--${def.flag} ${def.arg ?? 'VALUE'}${def.repeat ? ' (repeatable)' : ''}`;
  lines.push(head.length < 26 ? `  ${head.padEnd(26)}${def.help}` : `  ${head}\n  ${''.padEnd(26)}${def.help}`);
  const env = envName(def);
  if (env) lines.push(`  ${''.padEnd(26)}env ${env}`);
  for (const alias of aliasesOf(def)) lines.push(`  ${`--${alias.flag}`.padEnd(26)}${alias.help ?? ''}`);
  return lines;
}

export const USAGE = [
  'Usage: openai-mock [options]',
  '       openai-mock tls path      print the local CA certificate file (made if missing), to trust it',
  '       openai-mock spec update|info   update the OpenAI spec, or show the one in use (openai-mock spec --help)',
  '',
  'A mock server for the OpenAI API, from the official OpenAPI spec.',
  '',
  'Options (a flag wins over its environment variable, which wins over the config file):',
  ...DEFS.flatMap(flagText),
  `  ${'-h, --help'.padEnd(26)}show this help`,
  `  ${'-v, --version'.padEnd(26)}print the version`,
  '',
  "Point the official SDK at it:  new OpenAI({ baseURL: 'http://127.0.0.1:12111/v1', apiKey: 'test' })",
  'Wait for it in CI:             npx wait-on http://127.0.0.1:12111/__admin/health',
].join('\n');

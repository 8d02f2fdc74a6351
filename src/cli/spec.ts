import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { UsageError } from './args';
import { formatDiff } from '../openapi/spec-diff';
import { pinOf, updateSpec, UpdateError, UPSTREAM } from '../openapi/update';
import { loadSpec } from '../openapi/load-spec';
import { defaultCacheDir, defaultSpecPath, specHome } from '../openapi/locate';
import { resolveSettings } from '../settings/resolve';

/** `openai-mock spec update` and `openai-mock spec info`: the spec a start uses, and bringing it up to date. */

export const SPEC_USAGE = [
  'Usage: openai-mock spec update [--ref REF] [--from URL|PATH] [--dry-run]',
  '       openai-mock spec info [--spec PATH|URL] [--json]',
  '',
  `update  fetch the latest ${UPSTREAM.repository} spec (or --ref: a branch, tag or commit; or --from: the spec itself),`,
  '        check that it loads, show what changed, then write it and its pin where the next start reads it',
  `        (${specHome()})`,
  'info    the spec a start uses: source, version, commit, sha256, operations',
].join('\n');

const out = (line = '') => process.stdout.write(line + '\n');

function parse(argv: string[], options: ParseArgsOptionsConfig): { values: Record<string, string | boolean | undefined> } {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }) as { values: Record<string, string | boolean | undefined> };
  } catch (error) {
    throw new UsageError(`spec: ${(error as Error).message.split('. To specify')[0]}`);
  }
}

async function update(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ref: { type: 'string' }, from: { type: 'string' }, 'dry-run': { type: 'boolean' } });
  if (values.help) return out(SPEC_USAGE), 0;
  const v = values as { ref?: string; from?: string; 'dry-run'?: boolean };
  const settings = await resolveSettings({ config: false }, { env: process.env });
  let result;
  try {
    result = await updateSpec({ ref: v.ref, from: v.from, dryRun: v['dry-run'], cacheDir: settings.cacheDir });
  } catch (error) {
    if (!(error instanceof UpdateError)) throw error;
    throw new UpdateError(`spec update: ${error.message}. The current spec is unchanged (${defaultSpecPath()}).`);
  }
  const { pin } = result;
  const commit = pin.commit ? pin.commit.slice(0, 12) : 'no commit';
  out(`new spec: ${pin.url}`);
  out(`  version ${pin.version}, ${commit}${pin.date ? ` (${pin.date})` : ''}, sha256 ${pin.sha256.slice(0, 16)}…, ${result.operations} operations`);
  out(`current:  ${result.current ?? 'none'}`);
  if (result.unchanged) {
    out('The spec is already this one; nothing to write.');
    return 0;
  }
  for (const line of formatDiff(result.diff)) out(line);
  if (!result.written) {
    out(`Dry run: nothing written (would write openapi.yaml and pin.json in ${result.home}).`);
    return 0;
  }
  out(`Wrote ${result.home}/openapi.yaml and pin.json; the next start uses it.`);
  return 0;
}

async function info(argv: string[]): Promise<number> {
  const { values } = parse(argv, { spec: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return out(SPEC_USAGE), 0;
  const v = values as { spec?: string; json?: boolean };
  // The spec a start from here would use: --spec, OPENAI_MOCK_SPEC, the config's, or the default.
  const settings = await resolveSettings({ spec: v.spec, config: true }, { env: process.env, given: 'flag' });
  const loaded = await loadSpec(settings.spec, { dir: settings.cacheDir || defaultCacheDir() });
  const spec = loaded.spec;
  const pinned = await pinOf(settings.spec.source, spec.sha256);
  const report = {
    source: settings.spec.source,
    origin: settings.spec.origin,
    title: spec.title,
    version: spec.version,
    commit: pinned?.pin.commit ?? null,
    date: pinned?.pin.date ?? null,
    url: pinned?.pin.url ?? null,
    sha256: spec.sha256,
    operations: spec.operations.length,
    pin: pinned?.file ?? null,
  };
  if (v.json) return out(JSON.stringify(report, null, 2)), 0;
  const rows: [string, string][] = [
    ['source', `${report.source} (${report.origin})`],
    ['version', `${report.title} ${report.version}`],
    ['commit', pinned ? `${report.commit ?? `none (pinned from ${report.url})`}${report.date ? ` (${report.date})` : ''}` : 'unknown (no pin.json beside it describes this file)'],
    ['sha256', report.sha256],
    ['operations', String(report.operations)],
  ];
  if (report.pin) rows.push(['pin', report.pin]);
  for (const [key, value] of rows) out(`${key.padEnd(11)}${value}`);
  return 0;
}

export async function runSpecCommand(words: string[]): Promise<number> {
  const [sub, ...rest] = words;
  if (sub === 'update') return update(rest);
  if (sub === 'info') return info(rest);
  if (sub === undefined || sub === '--help' || sub === '-h') return out(SPEC_USAGE), 0;
  throw new UsageError(`unknown command "spec ${sub}"; spec has update and info`);
}

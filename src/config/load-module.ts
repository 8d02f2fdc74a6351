import Module, { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Message } from 'esbuild';
import { ConfigError } from './errors';

/**
 * Loads a TypeScript or JavaScript module (config or override) without a build step, fresh on
 * every call: esbuild bundles it with the local files it imports (packages stay `require`s), and
 * the bundle is compiled as a module that lives only in memory, named after the source file, so
 * that packages resolve from the file's own folder, and with an inline source map that
 * `mapStack` reads, so that stack traces point at the user's lines. Nothing is cached by Node: a reload sees every edit, also in
 * imported files, and the bundle's inputs are the files to watch.
 */

export interface LoadedModule {
  /** The default export if there is one, else the module's exports. */
  value: unknown;
  /** Absolute paths of the local files the module is made of (itself included). */
  inputs: string[];
  /** No export at all, default or named: a file not written yet. */
  exportsNothing: boolean;
}

/** `openai-mock` inside a config is this running package, wherever the config lives. */
const PACKAGE_NAME = 'openai-mock';
const publicApi = () => require('../authoring') as unknown;

function formatMessage(message: Message, cwd: string): string {
  const where = message.location;
  if (!where) return message.text;
  const file = path.resolve(cwd, where.file);
  const caret = `${' '.repeat(where.column)}^`;
  return `${file}:${where.line}:${where.column + 1}: ${message.text}\n    ${where.lineText}\n    ${caret}`;
}

/**
 * Source maps of the modules loaded, by the path they run under. Node's own mapping
 * (`setSourceMapsEnabled`) turned out unreliable for modules compiled in memory (whether it applied
 * depended on which other modules had been loaded), and costs every module loaded after it.
 */
const sourceMaps = new Map<string, { map: SourceMap; dir: string }>();

function rememberSourceMap(file: string, code: string): void {
  const inline = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
  if (!inline) return;
  try {
    sourceMaps.set(file, { map: new SourceMap(JSON.parse(Buffer.from(inline[1]!, 'base64').toString('utf8'))), dir: path.dirname(file) });
  } catch {
    sourceMaps.delete(file);
  }
}

/** Rewrites a stack's frames in loaded config and override modules to their TypeScript sources. */
export function mapStack(stack: string): string {
  if (sourceMaps.size === 0) return stack;
  return stack.replace(/((?:\/|[A-Za-z]:\\)[^():\s]*):(\d+):(\d+)/g, (whole, file: string, line: string, column: string) => {
    const known = sourceMaps.get(file);
    if (!known) return whole;
    const entry = known.map.findEntry(Number(line) - 1, Number(column) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (entry.originalSource === undefined || entry.originalLine === undefined) return whole;
    const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : path.resolve(known.dir, entry.originalSource);
    return `${source}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
}

/** The first frame of a stack that is in one of the module's own files: where a load error happened. */
function userFrame(stack: string, inputs: readonly string[]): string | undefined {
  for (const line of stack.split('\n')) {
    const frame = /\(?((?:\/|[A-Za-z]:\\)[^()]*?):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (frame && inputs.includes(frame[1]!)) return `${frame[1]}:${frame[2]}:${frame[3]}`;
  }
  return undefined;
}

export async function loadModule(file: string): Promise<LoadedModule> {
  const dir = path.dirname(file);
  let result;
  try {
    // Required here: a command without a config or overrides never holds esbuild's code.
    const { build } = require('esbuild') as typeof import('esbuild');
    result = await build({
      entryPoints: [file],
      absWorkingDir: dir,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node.split('.')[0]}`,
      packages: 'external',
      metafile: true,
      sourcemap: 'inline',
      sourcesContent: false,
      write: false,
      // Never written: it only places the source map's paths relative to the source's folder.
      outfile: path.join(dir, `${path.basename(file)}.bundle.cjs`),
      logLevel: 'silent',
      define: {
        'import.meta.url': JSON.stringify(pathToFileURL(file).href),
        'import.meta.filename': JSON.stringify(file),
        'import.meta.dirname': JSON.stringify(dir),
      },
    });
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (errors?.length) {
      const files = errors.flatMap((m) => (m.location ? [path.resolve(dir, m.location.file)] : []));
      throw new ConfigError(errors.map((m) => formatMessage(m, dir)).join('\n'), file, [file, ...files]);
    }
    throw new ConfigError(`${file}: ${(error as Error).message}`, file);
  }
  const inputs = Object.keys(result.metafile.inputs).map((input) => path.resolve(dir, input));
  const code = result.outputFiles[0]!.text;
  rememberSourceMap(file, code);

  const mod = new Module(file, undefined);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dir);
  const ownRequire = mod.require.bind(mod);
  mod.require = ((id: string) => (id === PACKAGE_NAME ? publicApi() : ownRequire(id))) as NodeJS.Require;
  try {
    (mod as unknown as { _compile(code: string, filename: string): void })._compile(code, file);
  } catch (error) {
    const stack = mapStack((error as Error)?.stack ?? String(error));
    const where = userFrame(stack, inputs) ?? file;
    throw new ConfigError(`${where}: ${(error as Error)?.message ?? error} (thrown while loading ${file})\n${stack}`, file, inputs);
  }
  const exports = mod.exports as Record<string, unknown>;
  const value = exports && typeof exports === 'object' && 'default' in exports ? exports.default : exports;
  const exportsNothing = exports === undefined || exports === null || (typeof exports === 'object' && Object.keys(exports).length === 0);
  return { value, inputs, exportsNothing };
}

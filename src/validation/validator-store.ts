import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { getAjv } from './ajv';

/**
 * Compiled request validators kept on disk as Ajv standalone modules, beside the prepared-spec
 * cache and keyed like it. Compiling a validator is the first request's cost for an operation
 * (about 75 ms for chat completions, 180 ms for responses); loading its stored code takes a few.
 * A store is one folder per prepared spec; `undefined` compiles only in memory.
 */
export interface ValidatorStore {
  dir: string;
}

const safeName = (key: string) => key.replace(/[^A-Za-z0-9_.-]/g, '_');

function load(code: string): ValidateFunction {
  const module = { exports: {} as Record<string, unknown> };
  // The code is Ajv's own output for the spec's schemas, written by this server: it requires only
  // Ajv's runtime helpers and ajv-formats.
  new Function('require', 'module', 'exports', code)(require, module, module.exports);
  return (module.exports.default ?? module.exports) as ValidateFunction;
}

function save(store: ValidatorStore, file: string, code: string): void {
  try {
    mkdirSync(store.dir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, code);
    renameSync(temporary, file);
  } catch {
    // A store that cannot be written costs the next start a compile, nothing else.
  }
}

export function compileValidator(kind: 'json' | 'text', schema: object, store: ValidatorStore | undefined, key: string): ValidateFunction {
  const file = store && path.join(store.dir, `${kind}-${safeName(key)}.js`);
  if (file) {
    try {
      return load(readFileSync(file, 'utf8'));
    } catch {
      // Not stored yet (or unreadable): compile it.
    }
  }
  const ajv = getAjv(kind);
  const validate = ajv.compile(schema);
  if (store && file) save(store, file, standaloneCode(ajv, validate));
  return validate;
}

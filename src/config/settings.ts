import type { Config } from './define';
import { ConfigError } from './errors';
import { explained, OPTIONS, type OptionDef } from '../settings/options';

/** Checks a config's keys and values against the options table, so that a typo or a wrong type is an error naming the key. */

const CONFIG_KEYS: ReadonlyMap<string, OptionDef<any>> = new Map(
  (OPTIONS as readonly OptionDef<any>[]).filter((o) => !o.cliOnly).map((o) => [o.key, o]),
);

export function checkConfig(value: unknown, file: string): Config {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${file}: the config must be an object (export default defineConfig({ ... })), got ${Array.isArray(value) ? 'an array' : typeof value}`, file);
  }
  for (const [key, v] of Object.entries(value)) {
    const rule = CONFIG_KEYS.get(key);
    if (!rule) throw new ConfigError(`${file}: unknown key "${key}" (known keys: ${[...CONFIG_KEYS.keys()].join(', ')})`, file);
    if (v !== undefined && !rule.check(v)) throw new ConfigError(`${file}: "${key}" must be ${rule.expect}, got ${JSON.stringify(v)}${explained(rule, v)}`, file);
  }
  return value as Config;
}

'use strict';
/** The bench commands' flags: parsed with node:util, their usage read from the command's own header comment. */
const fs = require('node:fs');
const { parseArgs } = require('node:util');

/**
 * The flags of the command in `file`, whose header comment lines [from, to) are its usage:
 * `--help` prints the usage; an unknown or malformed flag prints one line and the usage, exit 2,
 * as does one of `numbers` (names of string flags) given something other than a number >= 0.
 */
function readFlags(file, [from, to], options, numbers = []) {
  const usage = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .slice(from, to)
    .map((line) => line.replace(/^ \*( |$)/, ''))
    .join('\n');
  let flags;
  try {
    ({ values: flags } = parseArgs({ options: { help: { type: 'boolean', short: 'h' }, ...options } }));
  } catch (error) {
    process.stderr.write(`bench: ${error.message}\n\n${usage}\n`);
    process.exit(2);
  }
  if (flags.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  for (const name of numbers) {
    const value = flags[name];
    if (value !== undefined && !(Number(value) >= 0 && Number.isFinite(Number(value)))) {
      process.stderr.write(`bench: --${name} takes a number, got "${value}"\n\n${usage}\n`);
      process.exit(2);
    }
  }
  return { flags, usage };
}

module.exports = { readFlags };

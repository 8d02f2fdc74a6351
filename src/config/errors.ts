/**
 * A config or override that cannot be used: the message names the file (and line and column when
 * known) and says what is wrong, ready to print as it is.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    /** The file at fault, when one is. */
    readonly file?: string,
    /** Every file the failure involves (the one at fault, what it imports): watched until fixed. */
    readonly files: readonly string[] = file ? [file] : [],
  ) {
    super(message);
  }
}

/**
 * A config or override file with nothing in it yet: editors truncate a file before writing it, so
 * under `--watch` this is a save under way, never a config that means "no overrides".
 */
export class EmptyFileError extends ConfigError {
  override name = 'EmptyFileError';
  constructor(file: string, what: string, message?: string) {
    super(message ?? `${file}: the ${what} is empty (a save under way?); write ${what === 'config file' ? 'a config ({} for none)' : 'an override'} or remove the file`, file);
  }
}

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

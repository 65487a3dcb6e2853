/**
 * A configuration that cannot be used. The message is one line, `config: KEY.PATH: what is wrong`
 * (or `config: FILE: …` for a file that cannot be read or parsed), so an engineer fixes it from
 * the journal without reading code.
 */
export type ConfigErrorCode = 'CONFIG_INVALID' | 'CONFIG_READ' | 'CONFIG_JSON';

export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  /** The key path (`destinations[1].port`) or, for CONFIG_READ/CONFIG_JSON, the file. */
  readonly path: string;

  constructor(path: string, what: string, code: ConfigErrorCode = 'CONFIG_INVALID') {
    super(`config: ${path === '' ? '(top level)' : path}: ${what}`);
    this.name = 'ConfigError';
    this.code = code;
    this.path = path;
  }
}

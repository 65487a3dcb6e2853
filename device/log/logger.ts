/**
 * Structured logs as JSON lines: one object per event, so a service engineer can grep a cart's
 * log for a peer, an association or a DICOM status, and a machine can parse it. Tiny on
 * purpose: a level, fixed fields inherited by children, and a sink that takes whole lines.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose every line also carries `fields` (e.g. the association's peer). */
  child(fields: LogFields): Logger;
}

export interface JsonLoggerOptions {
  /** Lines below this level are dropped (default info). */
  readonly level?: LogLevel;
  /** Clock for the `time` field; injectable so tests get stable output. */
  readonly now?: () => Date;
}

/** Errors do not survive JSON.stringify on their own; keep what explains them. */
function jsonSafe(value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out['code'] = code;
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export function jsonLogger(write: (line: string) => void, options: JsonLoggerOptions = {}, base: LogFields = {}): Logger {
  const min = RANK[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[level] < min) return;
    const record: Record<string, unknown> = { time: now().toISOString(), level, msg, ...base };
    for (const [k, v] of Object.entries(fields ?? {})) record[k] = jsonSafe(v);
    write(JSON.stringify(record));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => jsonLogger(write, options, { ...base, ...fields }),
  };
}

/** Discards everything: the default where no log was asked for. */
export const nullLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => nullLogger,
};

/** Reads a level name (e.g. from SONICART_LOG); undefined for anything else. */
export function parseLogLevel(text: string | undefined): LogLevel | undefined {
  return text !== undefined && text in RANK ? (text as LogLevel) : undefined;
}

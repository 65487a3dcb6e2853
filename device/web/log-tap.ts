/**
 * A logger that also publishes its warn and error lines, for /api/events `log` messages (the
 * service screen's log view). Only warn and above: info lines may be many, and patient data is
 * never logged above debug anyway (COMMON rules), so nothing identifying reaches the screen this way.
 */
import { Subject, type Observable } from 'rxjs';
import type { LogFields, Logger } from '../log/logger.js';
import type { JsonValue, LogEntry } from './api-types.js';

function jsonValue(x: unknown): JsonValue {
  if (x === null || typeof x === 'string' || typeof x === 'boolean') return x;
  if (typeof x === 'number') return Number.isFinite(x) ? x : String(x);
  if (typeof x === 'bigint') return x.toString();
  if (x instanceof Error) {
    const code = (x as { code?: unknown }).code;
    return { name: x.name, message: x.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  if (Array.isArray(x)) return x.map(jsonValue);
  if (typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, jsonValue(v)]));
  return String(x);
}

export function teeLogger(base: Logger, now: () => Date = () => new Date()): { log: Logger; entries$: Observable<LogEntry> } {
  const subject = new Subject<LogEntry>();
  const wrap = (inner: Logger, bound: LogFields): Logger => {
    const publish = (level: 'warn' | 'error', msg: string, fields?: LogFields): void => {
      subject.next({ time: now().toISOString(), level, msg, fields: jsonValue({ ...bound, ...(fields ?? {}) }) as LogEntry['fields'] });
    };
    return {
      debug: (m, f) => inner.debug(m, f),
      info: (m, f) => inner.info(m, f),
      warn: (m, f) => {
        inner.warn(m, f);
        publish('warn', m, f);
      },
      error: (m, f) => {
        inner.error(m, f);
        publish('error', m, f);
      },
      child: (fields) => wrap(inner.child(fields), { ...bound, ...fields }),
    };
  };
  return { log: wrap(base, {}), entries$: subject.asObservable() };
}

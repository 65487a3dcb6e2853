/**
 * The configuration schema as code: small checkers that each take a value and its key path and
 * return the typed value or throw a ConfigError whose message is ONE line naming the key path
 * and what is wrong:
 *
 *   config: destinations[1].port: expected an integer 1-65535, got "abc"
 *
 * Objects fill absent keys from defaults and refuse unknown keys (a misspelt key silently
 * ignored is a setting silently not applied).
 */
import { ConfigError } from './errors.js';

export type Check<T> = (value: unknown, path: string) => T;

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

export function fail(path: string, what: string): never {
  throw new ConfigError(path, what);
}

export function int(min: number, max: number): Check<number> {
  return (v, p) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(p, `expected an integer ${min}-${max}, got ${describe(v)}`);
    return v;
  };
}

export function num(min: number, max: number): Check<number> {
  return (v, p) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(p, `expected a number ${min}-${max}, got ${describe(v)}`);
    return v;
  };
}

export const bool: Check<boolean> = (v, p) => {
  if (typeof v !== 'boolean') fail(p, `expected true or false, got ${describe(v)}`);
  return v;
};

export function str(o: { min?: number; max?: number; pattern?: RegExp; what?: string } = {}): Check<string> {
  return (v, p) => {
    const what = o.what ?? `a string${o.min ? ` of ${o.min}-${o.max ?? '∞'} characters` : ''}`;
    if (typeof v !== 'string') fail(p, `expected ${what}, got ${describe(v)}`);
    if ((o.min !== undefined && v.length < o.min) || (o.max !== undefined && v.length > o.max) || (o.pattern && !o.pattern.test(v))) {
      fail(p, `expected ${what}, got ${describe(v)}`);
    }
    return v;
  };
}

export function oneOf<T extends string>(values: readonly T[]): Check<T> {
  return (v, p) => {
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fail(p, `expected one of ${values.join(', ')}, got ${describe(v)}`);
    return v as T;
  };
}

export function arrayOf<T>(item: Check<T>, o: { min?: number; max?: number } = {}): Check<T[]> {
  return (v, p) => {
    if (!Array.isArray(v)) fail(p, `expected an array, got ${describe(v)}`);
    if (o.min !== undefined && v.length < o.min) fail(p, `expected at least ${o.min} item(s), got ${v.length}`);
    if (o.max !== undefined && v.length > o.max) fail(p, `expected at most ${o.max} item(s), got ${v.length}`);
    return v.map((x, i) => item(x, `${p}[${i}]`));
  };
}

/** A field of an object schema: its checker and, when the key may be absent, its default. */
export interface Field<T> {
  readonly check: Check<T>;
  /** Absent and no default: the key is required. `optional: true`: may stay absent (undefined). */
  readonly default?: T;
  readonly optional?: boolean;
}

type Fields<T> = { readonly [K in keyof T]-?: Field<T[K]> };

export function field<T>(check: Check<T>, dflt?: T): Field<T> {
  return dflt === undefined ? { check } : { check, default: dflt };
}
export function optional<T>(check: Check<T>): Field<T | undefined> {
  return { check: check as Check<T | undefined>, optional: true };
}

export function obj<T extends object>(fields: Fields<T>, extra?: (value: T, path: string) => void): Check<T> {
  return (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, `expected an object, got ${describe(v)}`);
    const input = v as Record<string, unknown>;
    const known = new Set(Object.keys(fields));
    for (const k of Object.keys(input)) if (!known.has(k)) fail(join(p, k), `unknown key (known: ${[...known].join(', ')})`);
    const out: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(fields) as [string, Field<unknown>][]) {
      const kp = join(p, k);
      if (input[k] === undefined) {
        if (f.default !== undefined) out[k] = f.check(f.default, kp);
        else if (!f.optional) fail(kp, 'required key is missing');
      } else {
        out[k] = f.check(input[k], kp);
      }
    }
    const result = out as T;
    extra?.(result, p);
    return result;
  };
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

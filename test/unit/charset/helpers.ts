import { CharsetError } from '../../../dicom/core/errors.js';

/** Bytes from ASCII strings (one byte per character), byte arrays and byte lists. */
export const bytes = (...parts: (string | number[] | Uint8Array)[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : [...p])));
export const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/), (x) => parseInt(x, 16));
export const ESC = 0x1b;

/** Runs fn and returns the CharsetError it throws (fails if it throws anything else or nothing). */
export function charsetError(fn: () => unknown): CharsetError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CharsetError) return e;
    throw new Error(`expected a CharsetError, got ${String(e)}`);
  }
  throw new Error('expected a CharsetError, nothing was thrown');
}

/**
 * Command-line values checked before anything touches the network or a file: each function
 * returns the parsed value or throws UsageError (exit 2) naming the option and what is wrong.
 * One module, so every command refuses the same bad input the same way (a port of "0x50" or
 * "1e3", an AE title of 17 characters, a date of 2024-13-45 sent to a peer as a query key).
 */
import { pdu } from '../../dicom/net/index.js';
import { UsageError } from './errors.js';

/** A whole number written plainly: digits only (no sign, hex, exponent, spaces or fraction). */
export function integerOption(option: string, text: string, min: number, max: number): number {
  const n = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${option} must be a whole number ${min}–${max}, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** A decimal number of seconds (e.g. 2.5), 0 < S ≤ max. */
export function secondsOption(option: string, text: string, max: number): number {
  const n = /^\d{1,6}(\.\d{1,6})?$/.test(text) ? Number(text) : NaN;
  if (!(n > 0 && n <= max)) throw new UsageError(`${option} must be a number of seconds, 0 < S ≤ ${max}, got ${JSON.stringify(text)}`);
  return n;
}

export function portOption(option: string, text: string): number {
  return integerOption(option, text, 1, 65535);
}

/** An AE title as PS3.5 VR AE allows: 1–16 characters, no backslash or control character, not all spaces. */
export function aeTitleOption(option: string, text: string): string {
  const problem = pdu.aeTitleProblem(text);
  if (problem) throw new UsageError(`${option} ${JSON.stringify(text)} ${problem} (an AE title is 1–16 printable ASCII characters, no backslash)`);
  return text;
}

/** A real calendar date YYYYMMDD (Gregorian, years 1900–9999: a DICOM DA the peer can match). */
export function calendarDate(option: string, text: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  const bad = (why: string): never => {
    throw new UsageError(`${option}: ${JSON.stringify(text)} ${why}`);
  };
  if (!m) return bad('is not a date YYYYMMDD');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900) bad('is before 1900');
  if (mo < 1 || mo > 12) bad(`has month ${m[2]}`);
  if (d < 1 || d > daysIn(y, mo)) bad(`has day ${m[3]}, but ${m[1]}-${m[2]} has ${daysIn(y, mo)} days`);
  return text;
}

/** `today` (the local date), YYYYMMDD, or a range YYYYMMDD-YYYYMMDD whose start is not after its end. */
export function dateOrRangeOption(option: string, text: string, now: Date): string {
  if (text === 'today') {
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}`;
  }
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) {
    const [from, to] = [calendarDate(option, range[1]!), calendarDate(option, range[2]!)];
    if (from > to) throw new UsageError(`${option}: the range ${JSON.stringify(text)} ends before it starts`);
    return text;
  }
  if (!/^\d+$/.test(text)) throw new UsageError(`${option} must be today, YYYYMMDD or YYYYMMDD-YYYYMMDD; got ${JSON.stringify(text)}`);
  return calendarDate(option, text);
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The frame source kinds `capture --source` knows; anything else is a usage error, not a capture failure. */
export function sourceOption(option: string, text: string): string {
  if (text === 'sim') return text;
  const m = /^(v4l2|file):(.+)$/.exec(text);
  if (!m) throw new UsageError(`${option} must be sim, v4l2:/dev/videoN or file:PATH; got ${JSON.stringify(text)}`);
  if (m[1] === 'v4l2' && !/^\/dev\/\S+$/.test(m[2]!)) throw new UsageError(`${option}: v4l2 needs a device path such as /dev/video0; got ${JSON.stringify(m[2])}`);
  return text;
}

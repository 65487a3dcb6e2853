/**
 * Application Entity titles (PS3.5 Table 6.2-1 VR AE, PS3.8 §9.3.2): 1–16 characters of the
 * default repertoire, no backslash, no control characters, not all spaces; leading and
 * trailing spaces are not significant. On the wire the field is always 16 bytes, padded with
 * spaces.
 */

export const AE_TITLE_LENGTH = 16;

/** Why `title` is not a valid AE title, or undefined when it is. */
export function aeTitleProblem(title: string): string | undefined {
  if (title.length === 0) return 'is empty';
  if (title.length > AE_TITLE_LENGTH) return `is longer than ${AE_TITLE_LENGTH} characters`;
  for (let i = 0; i < title.length; i++) {
    const c = title.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return `has control character 0x${c.toString(16).padStart(2, '0')} at ${i}`;
    if (c > 0x7e) return `has non-ASCII character U+${c.toString(16).toUpperCase().padStart(4, '0')} at ${i}`;
    if (c === 0x5c) return `has a backslash at ${i}`;
  }
  if (title.trim().length === 0) return 'is all spaces';
  return undefined;
}

export function isValidAeTitle(title: string): boolean {
  return aeTitleProblem(title) === undefined;
}

/** The significant part of an AE title (leading and trailing spaces removed). */
export function normalizeAeTitle(title: string): string {
  return title.replace(/^ +| +$/g, '');
}

/** AE titles compare without their non-significant spaces (PS3.8 §9.3.2). */
export function aeTitlesEqual(a: string, b: string): boolean {
  return normalizeAeTitle(a) === normalizeAeTitle(b);
}

/** The 16-byte wire field: the title padded with spaces. Callers validate first. */
export function aeTitleField(title: string): Uint8Array {
  const out = new Uint8Array(AE_TITLE_LENGTH).fill(0x20);
  for (let i = 0; i < title.length && i < AE_TITLE_LENGTH; i++) out[i] = title.charCodeAt(i) & 0xff;
  return out;
}

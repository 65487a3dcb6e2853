import { DicomError } from './errors.js';

/**
 * UIDs under the `2.25.` root (PS3.5 §B.2): the decimal value of a 128-bit UUID. The library
 * has no source of randomness of its own (it is pure); callers pass one in, so tests can be
 * deterministic and the device uses the operating system's CSPRNG.
 */
export type RandomBytes = (count: number) => Uint8Array;

/** Our Implementation Class UID (PS3.7 D.3.3.2): fixed for this implementation, derived from a UUID. */
export const IMPLEMENTATION_CLASS_UID = '2.25.327517356769672623406750656419055931466';
/** Our Implementation Version Name, at most 16 characters. */
export const IMPLEMENTATION_VERSION_NAME = 'SONICART_0_1';

/** A `2.25.` UID from 16 random bytes, made a version-4 UUID as RFC 4122 §4.4 says. */
export function uidFromRandom(bytes16: Uint8Array): string {
  if (bytes16.length !== 16) throw new DicomError('UID_BAD_UUID_BYTES', 'a UUID needs 16 bytes');
  const b = bytes16.slice();
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return `2.25.${v.toString()}`;
}

export function uidGenerator(random: RandomBytes): () => string {
  return () => uidFromRandom(random(16));
}

/** PS3.5 §9.1: digits and dots, components without leading zeros, at most 64 characters. */
export function isValidUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= 64 && /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/.test(uid);
}

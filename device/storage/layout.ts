/**
 * Where an instance lives in the data directory: instances/<study>/<series>/<sop>.dcm. UIDs
 * become path components only after checking they are UIDs (PS3.5 §9: digits and dots, at most
 * 64 characters), so an object received from outside can never name '../..'.
 */
import { join, relative, sep } from 'node:path';
import { StorageError } from './errors.js';

export const INSTANCES_DIR = 'instances';
/** Received objects being written, before their study and series are known (same file system). */
export const INCOMING_DIR = 'incoming';
const UID = /^[0-9]+(\.[0-9]+)*$/;

export function checkUid(uid: string, what: string): string {
  if (uid.length === 0 || uid.length > 64 || !UID.test(uid)) {
    throw new StorageError('STORAGE_BAD_UID', `${what} ${JSON.stringify(uid.slice(0, 80))} is not a UID (digits and dots, at most 64 characters)`);
  }
  return uid;
}

/** Path relative to the data directory (what the database stores, so the directory can move). */
export function relativeInstancePath(study: string, series: string, sop: string): string {
  return join(INSTANCES_DIR, checkUid(study, 'Study Instance UID'), checkUid(series, 'Series Instance UID'), `${checkUid(sop, 'SOP Instance UID')}.dcm`);
}

/** A temporary file of the atomic write ('.x.dcm.<pid>.<ms>.tmp') or of the capture spool ('.x.spool'). */
export function isLeftover(name: string): boolean {
  return name.startsWith('.') && (name.endsWith('.tmp') || name.endsWith('.spool'));
}

export function toRelative(dataDir: string, abs: string): string {
  return relative(dataDir, abs).split(sep).join('/');
}

/**
 * Hand-written validators for the request bodies and query parameters of the API. Each rejects
 * with ApiError 400 API_INVALID naming the field ("patient.birthDate", "examIds[2]", "?limit"),
 * and returns a value of the exact request type, with unknown fields refused (a typo in a field
 * name must not be silently ignored on a medical device).
 */
import type { CancelExamRequest, DicomJsonDataset, DiscontinuationReason, ExamState, ExportRequest, JobKind, JobState, PatientSex, StartExamRequest, StoreCineRequest } from './api-types.js';
import { invalid } from './errors.js';

type Obj = Readonly<Record<string, unknown>>;

export function object(value: unknown, field: string, allowed: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'must be a JSON object');
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw invalid(field === '' ? key : `${field}.${key}`, `unknown field (allowed: ${allowed.join(', ')})`);
  }
  return value as Obj;
}

function join(field: string, key: string): string {
  return field === '' ? key : `${field}.${key}`;
}

export function string(value: unknown, field: string, opts: { min?: number; max?: number; pattern?: RegExp; patternText?: string } = {}): string {
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (opts.min !== undefined && value.length < opts.min) throw invalid(field, opts.min === 1 ? 'must not be empty' : `must be at least ${opts.min} characters`);
  if (opts.max !== undefined && value.length > opts.max) throw invalid(field, `must be at most ${opts.max} characters`);
  if (opts.pattern && !opts.pattern.test(value)) throw invalid(field, `must be ${opts.patternText ?? `like ${opts.pattern.source}`}`);
  return value;
}

export function number(value: unknown, field: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, 'must be a number');
  if (opts.integer && !Number.isInteger(value)) throw invalid(field, 'must be a whole number');
  if (opts.min !== undefined && value < opts.min) throw invalid(field, `must be at least ${opts.min}`);
  if (opts.max !== undefined && value > opts.max) throw invalid(field, `must be at most ${opts.max}`);
  return value;
}

export function oneOf<T extends string>(value: unknown, field: string, values: readonly T[]): T {
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) throw invalid(field, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
  return value as T;
}

/** A calendar date YYYYMMDD that exists (20260230 does not). */
export function dicomDate(value: unknown, field: string): string {
  const s = string(value, field, { pattern: /^\d{8}$/, patternText: 'a date YYYYMMDD' });
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(4, 6));
  const d = Number(s.slice(6, 8));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1800 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) throw invalid(field, `${s} is not a calendar date`);
  return s;
}

/**
 * A Person Name as the kiosk types it: up to three component groups separated by '=', each of
 * up to five components separated by '^', at most 64 characters per group (PS3.5 PN), no
 * control characters and no backslash (the value delimiter).
 */
export function personName(value: unknown, field: string): string {
  const s = string(value, field, { min: 1 });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(s)) throw invalid(field, 'must not contain control characters or a backslash');
  const groups = s.split('=');
  if (groups.length > 3) throw invalid(field, 'has more than three component groups (alphabetic=ideographic=phonetic)');
  groups.forEach((g, i) => {
    if ([...g].length > 64) throw invalid(field, `component group ${i + 1} is longer than 64 characters`);
    if (g.split('^').length > 5) throw invalid(field, `component group ${i + 1} has more than five components`);
  });
  if (groups[0]!.replace(/\^/g, '').trim() === '' && groups.every((g) => g.replace(/\^/g, '').trim() === '')) throw invalid(field, 'must contain a name');
  return s;
}

const SEXES: readonly PatientSex[] = ['M', 'F', 'O'];

/** A DICOM JSON data set: an object whose keys are 8 hex digits and whose values carry a VR. */
export function dicomJsonDataset(value: unknown, field: string): DicomJsonDataset {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'must be a DICOM JSON object');
  const entries = Object.entries(value);
  if (entries.length === 0) throw invalid(field, 'must not be empty');
  for (const [tag, attr] of entries) {
    if (!/^[0-9A-Fa-f]{8}$/.test(tag)) throw invalid(`${field}.${tag}`, 'is not a tag (8 hex digits)');
    if (typeof attr !== 'object' || attr === null || Array.isArray(attr)) throw invalid(`${field}.${tag}`, 'must be an attribute object');
    const vr = (attr as { vr?: unknown }).vr;
    if (typeof vr !== 'string' || !/^[A-Z]{2}$/.test(vr)) throw invalid(`${field}.${tag}.vr`, 'must be a two-letter VR');
    const v = (attr as { Value?: unknown }).Value;
    if (v !== undefined && !Array.isArray(v)) throw invalid(`${field}.${tag}.Value`, 'must be an array');
  }
  return value as DicomJsonDataset;
}

/** POST /api/exams */
export function startExamRequest(body: unknown): StartExamRequest {
  const o = object(body, '', ['worklistItem', 'patient']);
  const hasItem = o['worklistItem'] !== undefined;
  const hasPatient = o['patient'] !== undefined;
  if (hasItem === hasPatient) throw invalid(hasItem ? 'patient' : 'worklistItem', 'give exactly one of worklistItem and patient');
  if (hasItem) return { worklistItem: dicomJsonDataset(o['worklistItem'], 'worklistItem') };
  const p = object(o['patient'], 'patient', ['name', 'id', 'sex', 'birthDate']);
  const patient: { name: string; id?: string; sex?: PatientSex; birthDate?: string } = { name: personName(p['name'], 'patient.name') };
  if (p['id'] !== undefined) {
    // LO: 64 characters, no backslash or control characters
    // eslint-disable-next-line no-control-regex
    patient.id = string(p['id'], 'patient.id', { min: 1, max: 64, pattern: /^[^\u0000-\u001f\\]*$/, patternText: 'free of control characters and backslashes' });
  }
  if (p['sex'] !== undefined) patient.sex = oneOf(p['sex'], 'patient.sex', SEXES);
  if (p['birthDate'] !== undefined) patient.birthDate = dicomDate(p['birthDate'], 'patient.birthDate');
  return { patient };
}

/** POST /api/exams/current/cines; `maxSeconds` from the configuration. */
export function storeCineRequest(body: unknown, maxSeconds: number): StoreCineRequest {
  const o = object(body, '', ['seconds', 'mode']);
  if (o['seconds'] === undefined) throw invalid('seconds', 'is required');
  if (o['mode'] === undefined) throw invalid('mode', 'is required');
  const seconds = number(o['seconds'], 'seconds', { max: maxSeconds });
  if (seconds <= 0) throw invalid('seconds', 'must be more than 0');
  return { seconds, mode: oneOf(o['mode'], 'mode', ['prospective', 'retrospective'] as const) };
}

/** POST /api/media/{id}/export */
export function exportRequest(body: unknown): ExportRequest {
  const o = object(body, '', ['examIds']);
  const ids = o['examIds'];
  if (!Array.isArray(ids)) throw invalid('examIds', 'must be an array of exam ids');
  if (ids.length === 0) throw invalid('examIds', 'must name at least one exam');
  if (ids.length > 1000) throw invalid('examIds', 'must name at most 1000 exams');
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    const s = string(id, `examIds[${i}]`, { min: 1, max: 64 });
    if (seen.has(s)) throw invalid(`examIds[${i}]`, `${s} is named twice`);
    seen.add(s);
  });
  return { examIds: [...seen] };
}


/* Query parameters ---------------------------------------------------------------------------- */

/** Refuses query parameters that the route does not know. */
export function queryKeys(q: URLSearchParams, allowed: readonly string[]): void {
  for (const key of q.keys()) if (!allowed.includes(key)) throw invalid(`?${key}`, `unknown query parameter (allowed: ${allowed.join(', ') || 'none'})`);
}

export function querySingle(q: URLSearchParams, key: string): string | undefined {
  const all = q.getAll(key);
  if (all.length > 1) throw invalid(`?${key}`, 'must be given once');
  return all[0];
}

export function queryInt(q: URLSearchParams, key: string, dflt: number, min: number, max: number): number {
  const s = querySingle(q, key);
  if (s === undefined) return dflt;
  if (!/^\d+$/.test(s)) throw invalid(`?${key}`, 'must be a whole number');
  const n = Number(s);
  if (n < min || n > max) throw invalid(`?${key}`, `must be between ${min} and ${max}`);
  return n;
}

export function queryOneOf<T extends string>(q: URLSearchParams, key: string, values: readonly T[]): T | undefined {
  const s = querySingle(q, key);
  return s === undefined ? undefined : oneOf(s, `?${key}`, values);
}

export function queryString(q: URLSearchParams, key: string, max = 64): string | undefined {
  const s = querySingle(q, key);
  return s === undefined ? undefined : string(s, `?${key}`, { min: 1, max });
}

export const EXAM_STATES: readonly ExamState[] = ['idle', 'patient-selected', 'live', 'frozen', 'storing-live', 'storing-frozen', 'review', 'ended', 'cancelled'];
export const JOB_STATES: readonly JobState[] = ['scheduled', 'in-progress', 'completed', 'warning', 'failed', 'retry', 'committed', 'commit-failed'];
export const JOB_KINDS: readonly JobKind[] = ['store', 'mpps', 'commitment', 'export'];

export const DISCONTINUATION_REASONS: readonly DiscontinuationReason[] = ['unspecified', 'wrongWorklistEntry', 'patientRefused', 'equipmentFailure', 'patientCondition'];

/** POST /api/exams/current/cancel: `{}` or `{"reason": …}`. */
export function cancelExamRequest(body: unknown): CancelExamRequest {
  const o = object(body, '', ['reason']);
  return o['reason'] === undefined ? {} : { reason: oneOf(o['reason'], 'reason', DISCONTINUATION_REASONS) };
}

/**
 * An unscheduled patient as typed: checked against the PN/LO/DA/CS rules before anything is
 * written, and given an ID by the configured rule when the user typed none.
 */
import type { PatientIdRule } from '../config/types.js';
import type { PatientInput } from '../device.js';
import { ExamError } from './errors.js';

/**
 * PN (PS3.5 6.2): at most three component groups (alphabetic=ideographic=phonetic), at most five
 * components each, 64 characters per group, no backslash or control characters (ESC is added
 * by the encoder, never typed).
 */
export function checkPersonName(name: string): void {
  if (typeof name !== 'string') throw new ExamError('EXAM_BAD_PATIENT', 'patient.name: expected a string');
  if (/[\\\x00-\x1f\x7f]/.test(name)) throw new ExamError('EXAM_BAD_PATIENT', 'patient.name: a backslash or control character cannot be part of a name');
  const groups = name.split('=');
  if (groups.length > 3) throw new ExamError('EXAM_BAD_PATIENT', `patient.name: at most 3 component groups (alphabetic=ideographic=phonetic), got ${groups.length}`);
  groups.forEach((g, i) => {
    if ([...g].length > 64) throw new ExamError('EXAM_BAD_PATIENT', `patient.name: component group ${i + 1} is longer than 64 characters`);
    if (g.split('^').length > 5) throw new ExamError('EXAM_BAD_PATIENT', `patient.name: component group ${i + 1} has more than 5 components`);
  });
  if (name.replace(/[=^ ]/g, '') === '') throw new ExamError('EXAM_BAD_PATIENT', 'patient.name: a name is required');
}

/** YYYYMMDD of a real calendar day, not in the future. */
export function checkBirthDate(d: string, today: string): void {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(d);
  const dt = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !dt || dt.getUTCFullYear() !== Number(m[1]) || dt.getUTCMonth() !== Number(m[2]) - 1 || dt.getUTCDate() !== Number(m[3])) {
    throw new ExamError('EXAM_BAD_PATIENT', `patient.birthDate: expected a date YYYYMMDD, got ${JSON.stringify(d)}`);
  }
  if (d > today) throw new ExamError('EXAM_BAD_PATIENT', `patient.birthDate: ${d} is in the future`);
}

/** LO: 64 characters, no backslash or control characters. */
export function checkPatientId(id: string): void {
  if (id.trim() === '' || id.length > 64 || /[\\\x00-\x1f\x7f]/.test(id)) {
    throw new ExamError('EXAM_BAD_PATIENT', 'patient.id: expected 1-64 characters without backslash or control characters');
  }
}

export function checkPatient(p: PatientInput, today: string): void {
  checkPersonName(p.name);
  if (p.id !== undefined) checkPatientId(p.id);
  if (p.sex !== undefined && !['M', 'F', 'O', ''].includes(p.sex)) throw new ExamError('EXAM_BAD_PATIENT', `patient.sex: expected M, F, O or empty, got ${JSON.stringify(p.sex)}`);
  if (p.birthDate !== undefined && p.birthDate !== '') checkBirthDate(p.birthDate, today);
}

/** The configured template with {date} {time} {seq} {ae} filled in; `seq` is 1-based per day. */
export function makePatientId(rule: PatientIdRule, v: { date: string; time: string; seq: number; ae: string }): string {
  return rule.template
    .replaceAll('{date}', v.date)
    .replaceAll('{time}', v.time.slice(0, 6))
    .replaceAll('{seq}', String(v.seq).padStart(3, '0'))
    .replaceAll('{ae}', v.ae.trim());
}

/**
 * Today's schedule of the simulated hospital: one ultrasound procedure step per character set
 * of conformance §6 (so the cart's worklist shows every script it must handle), spread over the
 * day from 08:00, for the cart's station AE title.
 */
import { SPECIFIC_CHARACTER_SET } from '../../dicom/core/index.js';
import { DataSet } from '../../dicom/dataset/index.js';
import { tagForKeyword } from '../../dicom/dictionary/index.js';

const t = (k: string): number => tagForKeyword(k)!;

export interface ScheduledPatient {
  readonly characterSet: readonly string[];
  readonly patientName: string;
  readonly patientId: string;
  readonly description: string;
}

/** Conformance §6: default repertoire, ISO 2022 IR 87, IR 13 + IR 87, Latin-1, UTF-8, GB18030. */
export const SCHEDULED_PATIENTS: readonly ScheduledPatient[] = [
  { characterSet: [], patientName: 'Doe^John', patientId: 'H-ASCII', description: 'Abdomen' },
  { characterSet: ['', 'ISO 2022 IR 87'], patientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう', patientId: 'H-IR87', description: '腹部エコー' },
  { characterSet: ['ISO 2022 IR 13', 'ISO 2022 IR 87'], patientName: 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう', patientId: 'H-IR13', description: 'ｼﾝｿﾞｳ' },
  { characterSet: ['ISO_IR 100'], patientName: 'Buc^Jérôme', patientId: 'H-LATIN1', description: 'Échographie cardiaque' },
  { characterSet: ['ISO_IR 192'], patientName: 'Wang^XiaoDong=王^小東', patientId: 'H-UTF8', description: 'Ультразвук' },
  { characterSet: ['GB18030'], patientName: 'Wang^XiaoDong=王^小东', patientId: 'H-GB18030', description: '腹部超声' },
];

function dicomDate(d: Date): string {
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

/** The worklist entries for the day of `today` (local time), each in its own character set. */
export function todaysSchedule(today: Date, stationAeTitle: string, newUid: () => string): DataSet[] {
  const date = dicomDate(today);
  return SCHEDULED_PATIENTS.map((p, i) => {
    const e = new DataSet();
    if (p.characterSet.length > 0) e.putStrings(SPECIFIC_CHARACTER_SET, 'CS', [...p.characterSet]);
    e.putStrings(t('AccessionNumber'), 'SH', `HACC${String(i + 1).padStart(4, '0')}`);
    e.putStrings(t('ReferringPhysicianName'), 'PN', 'Referring^Doctor');
    e.putStrings(t('PatientName'), 'PN', p.patientName);
    e.putStrings(t('PatientID'), 'LO', p.patientId);
    e.putStrings(t('PatientBirthDate'), 'DA', `19${60 + i * 5}0101`);
    e.putStrings(t('PatientSex'), 'CS', i % 2 === 0 ? 'M' : 'F');
    e.putStrings(t('StudyInstanceUID'), 'UI', newUid());
    e.putStrings(t('RequestingPhysician'), 'PN', 'Requesting^Doctor');
    e.putStrings(t('RequestedProcedureDescription'), 'LO', p.description);
    e.putStrings(t('RequestedProcedureID'), 'SH', `HRP${i + 1}`);
    const sps = new DataSet(e);
    sps.putStrings(t('Modality'), 'CS', 'US');
    sps.putStrings(t('ScheduledStationAETitle'), 'AE', stationAeTitle);
    sps.putStrings(t('ScheduledProcedureStepStartDate'), 'DA', date);
    sps.putStrings(t('ScheduledProcedureStepStartTime'), 'TM', `${String(8 + i).padStart(2, '0')}0000`);
    sps.putStrings(t('ScheduledPerformingPhysicianName'), 'PN', 'Performing^Doctor');
    sps.putStrings(t('ScheduledProcedureStepDescription'), 'LO', p.description);
    sps.putStrings(t('ScheduledProcedureStepID'), 'SH', `HSPS${i + 1}`);
    e.putSequence(t('ScheduledProcedureStepSequence'), [sps]);
    return e;
  });
}

/**
 * Ultrasound test objects made with our data layer: proper US Image Storage instances with the
 * patient, study and series attributes a file-set needs (and that dciodvfy and dcentvfy expect),
 * written as Part 10 files in any of the uncompressed syntaxes, or with fake encapsulated
 * "JPEG" fragments where only the copying matters.
 */
import { writeFile } from 'node:fs/promises';
import { tag } from '../../../dicom/core/index.js';
import { DataSet } from '../../../dicom/dataset/index.js';
import { EXPLICIT_VR_LE, JPEG_BASELINE, transferSyntax } from '../../../dicom/encoding/index.js';
import { buildFileMeta, writePart10 } from '../../../dicom/part10/index.js';

export const US_IMAGE = '1.2.840.10008.5.1.4.1.1.6.1';
export const US_MULTIFRAME = '1.2.840.10008.5.1.4.1.1.3.1';
export const RETIRED_US = '1.2.840.10008.5.1.4.1.1.6';
export const RAW_DATA = '1.2.840.10008.5.1.4.1.1.66';

export interface UsSpec {
  readonly patientName: string;
  readonly patientId: string;
  readonly charset?: string;
  readonly study: string;
  readonly series: string;
  readonly sop: string;
  readonly instanceNumber?: number;
  readonly studyId?: string;
  readonly sopClass?: string;
  readonly ts?: string;
  readonly rows?: number;
  readonly columns?: number;
  readonly studyDescription?: string;
}

const t = (g: number, e: number): number => tag(g, e);

export function usDataSet(s: UsSpec): DataSet {
  const ds = new DataSet();
  if (s.charset) ds.putStrings(t(0x0008, 0x0005), 'CS', s.charset.split('\\'));
  ds.putStrings(t(0x0008, 0x0008), 'CS', ['ORIGINAL', 'PRIMARY']);
  ds.putStrings(t(0x0008, 0x0016), 'UI', s.sopClass ?? US_IMAGE);
  ds.putStrings(t(0x0008, 0x0018), 'UI', s.sop);
  ds.putStrings(t(0x0008, 0x0020), 'DA', '20240501');
  ds.putStrings(t(0x0008, 0x0023), 'DA', '20240501');
  ds.putStrings(t(0x0008, 0x0030), 'TM', '101500');
  ds.putStrings(t(0x0008, 0x0033), 'TM', '101501');
  ds.putStrings(t(0x0008, 0x0050), 'SH', 'ACC' + s.patientId.slice(-4));
  ds.putStrings(t(0x0008, 0x0060), 'CS', 'US');
  ds.putStrings(t(0x0008, 0x0070), 'LO', 'Sonicart');
  ds.putStrings(t(0x0008, 0x0090), 'PN', '');
  ds.putStrings(t(0x0008, 0x1030), 'LO', s.studyDescription ?? 'Abdomen');
  ds.putStrings(t(0x0010, 0x0010), 'PN', s.patientName);
  ds.putStrings(t(0x0010, 0x0020), 'LO', s.patientId);
  ds.putStrings(t(0x0010, 0x0030), 'DA', '19700101');
  ds.putStrings(t(0x0010, 0x0040), 'CS', 'F');
  ds.putStrings(t(0x0018, 0x0015), 'CS', 'ABDOMEN');
  ds.putStrings(t(0x0020, 0x000d), 'UI', s.study);
  ds.putStrings(t(0x0020, 0x000e), 'UI', s.series);
  ds.putStrings(t(0x0020, 0x0010), 'SH', s.studyId ?? '1');
  ds.putNumbers(t(0x0020, 0x0011), 'IS', 1);
  ds.putNumbers(t(0x0020, 0x0013), 'IS', s.instanceNumber ?? 1);
  ds.putStrings(t(0x0020, 0x0020), 'CS', ['', '']);
  ds.putStrings(t(0x0020, 0x0060), 'CS', '');
  ds.putNumbers(t(0x0028, 0x0002), 'US', 1);
  ds.putStrings(t(0x0028, 0x0004), 'CS', 'MONOCHROME2');
  const rows = s.rows ?? 16;
  const cols = s.columns ?? 16;
  ds.putNumbers(t(0x0028, 0x0010), 'US', rows);
  ds.putNumbers(t(0x0028, 0x0011), 'US', cols);
  ds.putNumbers(t(0x0028, 0x0100), 'US', 8);
  ds.putNumbers(t(0x0028, 0x0101), 'US', 8);
  ds.putNumbers(t(0x0028, 0x0102), 'US', 7);
  ds.putNumbers(t(0x0028, 0x0103), 'US', 0);
  ds.putStrings(t(0x0028, 0x2110), 'CS', '00');
  const ts = s.ts ?? EXPLICIT_VR_LE;
  if (transferSyntax(ts)?.encapsulated) {
    ds.putStrings(t(0x0028, 0x2110), 'CS', '01');
    // Not a decodable JPEG: export copies encapsulated data as it is, and these tests only copy.
    ds.put(t(0x7fe0, 0x0010), 'OB', { type: 'encapsulated', offsetTable: new Uint8Array(0), fragments: [Uint8Array.of(0xff, 0xd8, 1, 2, 3, 4, 0xff, 0xd9)] });
  } else {
    const px = new Uint8Array(rows * cols);
    for (let i = 0; i < px.length; i++) px[i] = (i * 7) & 0xff;
    ds.put(t(0x7fe0, 0x0010), 'OB', { type: 'raw', bytes: px });
  }
  return ds;
}

export async function writeUsFile(path: string, s: UsSpec): Promise<void> {
  const ts = transferSyntax(s.ts ?? EXPLICIT_VR_LE)!;
  const ds = usDataSet(s);
  const meta = buildFileMeta({ sopClassUid: s.sopClass ?? US_IMAGE, sopInstanceUid: s.sop, transferSyntaxUid: ts.uid });
  await writeFile(path, writePart10(meta, ds, ts));
}

export const JPEG = JPEG_BASELINE;

/** Three patients whose names need three different character sets, as conformance §6 lists. */
export const INTERNATIONAL: readonly Pick<UsSpec, 'patientName' | 'patientId' | 'charset'>[] = [
  { patientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう', patientId: 'JP-0001', charset: '\\ISO 2022 IR 87' },
  { patientName: 'Müller^Jürgen=Мюллер^Юрген', patientId: 'U8-0002', charset: 'ISO_IR 192' },
  { patientName: 'Wang^XiaoDong=王^小东', patientId: 'GB-0003', charset: 'GB18030' },
];

/** Writes `count` instances per patient into `dir`; returns the file paths. */
export async function writeStudySet(
  dir: string,
  opts: { prefix: string; patients?: readonly Pick<UsSpec, 'patientName' | 'patientId' | 'charset'>[]; perPatient?: number; ts?: string; rows?: number; columns?: number },
): Promise<string[]> {
  const patients = opts.patients ?? [{ patientName: 'Doe^Jane', patientId: 'P-0001' }];
  const paths: string[] = [];
  let n = 0;
  for (const [pi, p] of patients.entries()) {
    for (let i = 0; i < (opts.perPatient ?? 2); i++) {
      const path = `${dir}/${opts.prefix}${pi}_${i}.dcm`;
      await writeUsFile(path, {
        ...p,
        study: `2.25.${hashOf(opts.prefix)}${pi + 1}01`,
        series: `2.25.${hashOf(opts.prefix)}${pi + 1}02`,
        sop: `2.25.${hashOf(opts.prefix)}${pi + 1}1${String(++n).padStart(4, '0')}`,
        instanceNumber: i + 1,
        ...(opts.ts ? { ts: opts.ts } : {}),
        ...(opts.rows ? { rows: opts.rows } : {}),
        ...(opts.columns ? { columns: opts.columns } : {}),
      });
      paths.push(path);
    }
  }
  return paths;
}

function hashOf(s: string): string {
  let h = 7;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) % 100000;
  return String(h + 1);
}

/**
 * The network layer's small pure pieces: the conversion policy (never lossless → lossy), the
 * streamed re-encoding of a file in another uncompressed syntax, DICOM JSON, the proposals,
 * the TSV line and the JSON-line logger.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tag } from '../../../dicom/core/index.js';
import { DataSet } from '../../../dicom/dataset/index.js';
import { EXPLICIT_VR_BE, EXPLICIT_VR_LE, IMPLICIT_VR_LE, JPEG_BASELINE, JPEG_LOSSLESS_SV1, readDataSet, transferSyntax } from '../../../dicom/encoding/index.js';
import { readDicomFileHeader } from '../../../device/files/read-header.js';
import { jsonLogger } from '../../../device/log/logger.js';
import { toDicomJson } from '../../../dicom/iod/index.js';
import { conversionFor, dataSetChunks } from '../../../device/net/scu/store-stream.js';
import { storageProposals } from '../../../device/net/scu/store.js';
import { MWL, worklistIdentifier } from '../../../device/net/scu/worklist.js';
import { worklistTsvLine } from '../../../device/net/scu/worklist-format.js';
import { writeTestImage } from './fixtures.js';

const ts = (uid: string) => transferSyntax(uid)!;
let dir: string;
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'sonicart-nethelpers-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('conversion policy', () => {
  it('uncompressed ↔ uncompressed is re-encoded; the same syntax goes as it is', () => {
    expect(conversionFor(ts(EXPLICIT_VR_BE), ts(IMPLICIT_VR_LE))).toEqual({ ok: true, kind: 're-encode' });
    expect(conversionFor(ts(JPEG_BASELINE), ts(JPEG_BASELINE))).toEqual({ ok: true, kind: 'as-is' });
  });
  it('never lossless → lossy, and no codec runs on its own', () => {
    const r = conversionFor(ts(EXPLICIT_VR_LE), ts(JPEG_BASELINE));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/would be lossy/);
    expect(conversionFor(ts(JPEG_LOSSLESS_SV1), ts(EXPLICIT_VR_LE)).ok).toBe(false);
  });
});

describe('dataSetChunks', () => {
  for (const [from, to] of [
    [EXPLICIT_VR_LE, EXPLICIT_VR_BE],
    [EXPLICIT_VR_BE, IMPLICIT_VR_LE],
    [IMPLICIT_VR_LE, EXPLICIT_VR_LE],
  ] as const) {
    it(`re-encodes ${ts(from).name} → ${ts(to).name} in chunks, values unchanged`, async () => {
      const path = await writeTestImage(join(dir, `c-${from}-${to}.dcm`), { rows: 100, columns: 90, ts: from });
      const h = await readDicomFileHeader(path);
      const parts: Uint8Array[] = [];
      for await (const c of dataSetChunks(h, ts(to), 4096)) parts.push(c.slice());
      expect(Math.max(...parts.map((p) => p.length))).toBeLessThanOrEqual(16 * 1024);
      const bytes = Buffer.concat(parts);
      const got = readDataSet(new Uint8Array(bytes), { explicitVR: ts(to).explicitVR, littleEndian: ts(to).littleEndian }).dataset;
      const orig = readDataSet(new Uint8Array(await readFile(path)), { explicitVR: ts(from).explicitVR, littleEndian: ts(from).littleEndian, start: h.file.datasetOffset }).dataset;
      expect(got.string(tag(0x0010, 0x0010))).toBe('Test^Patient');
      expect(Buffer.from(got.get(tag(0x7fe0, 0x0010))!.bytes!).equals(Buffer.from(orig.get(tag(0x7fe0, 0x0010))!.bytes!))).toBe(true);
    });
  }
});

describe('proposals', () => {
  it('a compressed syntax gets its own context; uncompressed ones share one, ours first', () => {
    const p = storageProposals([
      { sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1', transferSyntax: ts(JPEG_BASELINE) },
      { sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1', transferSyntax: ts(IMPLICIT_VR_LE) },
    ]);
    expect(p).toEqual([
      { abstractSyntax: '1.2.840.10008.5.1.4.1.1.6.1', transferSyntaxes: [JPEG_BASELINE] },
      { abstractSyntax: '1.2.840.10008.5.1.4.1.1.6.1', transferSyntaxes: [IMPLICIT_VR_LE, EXPLICIT_VR_LE, EXPLICIT_VR_BE] },
    ]);
  });
});

describe('worklist formatting', () => {
  const entry = (): DataSet => {
    const ds = new DataSet();
    ds.putStrings(MWL.SpecificCharacterSet, 'CS', 'ISO_IR 192');
    ds.putStrings(MWL.PatientName, 'PN', 'Yamada^Tarou=山田^太郎=やまだ^たろう');
    ds.putStrings(MWL.PatientID, 'LO', 'P1');
    ds.putNumbers(MWL.PatientWeight, 'DS', 61.5);
    const sps = new DataSet();
    ds.putSequence(MWL.ScheduledProcedureStepSequence, [sps]);
    sps.putStrings(MWL.Modality, 'CS', 'US');
    sps.putStrings(MWL.ScheduledProcedureStepStartDate, 'DA', '20240315');
    return ds;
  };
  it('TSV: the nine columns, PatientName last with its groups', () => {
    expect(worklistTsvLine(entry()).split('\t')).toEqual(['P1', '', '20240315', '', 'US', '', '', '', 'Yamada^Tarou=山田^太郎=やまだ^たろう']);
  });
  it('DICOM JSON (PS3.18 F)', () => {
    const j = toDicomJson(entry());
    expect(j['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎', Phonetic: 'やまだ^たろう' }] });
    expect(j['00101030']).toEqual({ vr: 'DS', Value: [61.5] });
    expect(j['00400100']).toEqual({ vr: 'SQ', Value: [{ '00080060': { vr: 'CS', Value: ['US'] }, '00400002': { vr: 'DA', Value: ['20240315'] } }] });
  });
  it('the identifier refuses a malformed date before anything is sent', () => {
    expect(() => worklistIdentifier({ date: '2024-03-15' })).toThrow(expect.objectContaining({ code: 'WORKLIST_BAD_DATE' }));
  });
});

describe('jsonLogger', () => {
  it('writes one JSON object per line with inherited fields, filtered by level', () => {
    const lines: string[] = [];
    const log = jsonLogger((l) => lines.push(l), { level: 'info', now: () => new Date(0) }).child({ peer: 'A@h:1' });
    log.debug('hidden');
    log.warn('timer expired', { timer: 'inactivity', error: new RangeError('x') });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { time: '1970-01-01T00:00:00.000Z', level: 'warn', msg: 'timer expired', peer: 'A@h:1', timer: 'inactivity', error: { name: 'RangeError', message: 'x' } },
    ]);
  });
});

/**
 * Our file-sets against the real readers: DCMTK (dcmdump, dcmmkdir with the USB/SD JPEG
 * profile, both over our files and appending to our DICOMDIR), dicom3tools (dciodvfy on the
 * DICOMDIR, dcentvfy across the instances) and pydicom's FileSet. Patients in ISO 2022 IR 87,
 * UTF-8 and GB18030 share one file-set.
 */
import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPLICIT_VR_LE } from '../../dicom/encoding/index.js';
import { exportFileSet } from '../../device/media/export.js';
import { checkReferencedFiles, readFileSetAt } from '../../device/media/read-fileset.js';
import { runPython, runTool, scratchDir } from '../helpers/run-tool.js';
import { INTERNATIONAL, writeStudySet, writeUsFile } from '../unit/media/us-files.js';

let dir: string;
let cleanup: () => Promise<void>;
let stick: string;
let files: string[];
const IMAGES = 8;

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-media-tools-'));
  const src = join(dir, 'src');
  stick = join(dir, 'stick');
  await mkdir(src);
  await mkdir(stick);
  await writeStudySet(src, { prefix: 'intl', patients: INTERNATIONAL, perPatient: 2 });
  const base = { patientName: 'Doe^Jane', patientId: 'P-0100', study: '2.25.7001', series: '2.25.7002' };
  await writeUsFile(join(src, 'implicit.dcm'), { ...base, sop: '2.25.7003', ts: IMPLICIT_VR_LE });
  // A real JPEG Baseline file made by DCMTK from one of ours: it must be copied as it is.
  await writeUsFile(join(dir, 'plain.dcm'), { ...base, sop: '2.25.7004', instanceNumber: 2 });
  const cj = await runTool('dcmcjpeg', ['+eb', join(dir, 'plain.dcm'), join(src, 'jpeg.dcm')]);
  expect(cj.code, cj.stderr).toBe(0);
  const report = await exportFileSet({ profile: 'STD-GEN-USB-JPEG', out: stick, inputs: [src], fileSetId: 'SONICART' });
  expect(report.written).toHaveLength(IMAGES);
  files = report.written.map((w) => w.fileId.split('\\').join('/'));
});
afterAll(() => cleanup());

describe('DCMTK', () => {
  it('dcmdump reads the DICOMDIR', async () => {
    const r = await runTool('dcmdump', ['-q', join(stick, 'DICOMDIR')]);
    expect(r.code, r.stderr).toBe(0);
    const types = [...r.stdout.matchAll(/\(0004,1430\) CS \[(\w+)/g)].map((m) => m[1]);
    expect(types.filter((t) => t === 'IMAGE')).toHaveLength(IMAGES);
    expect(types.filter((t) => t === 'PATIENT')).toHaveLength(4);
  });

  it('dcmmkdir -Pfl over a scratch copy of our files adds every one', async () => {
    const copy = join(dir, 'dcmmkdir-fresh');
    await cp(stick, copy, { recursive: true });
    await rm(join(copy, 'DICOMDIR'));
    const r = await runTool('dcmmkdir', ['-Pfl', '+r', 'DICOM'], { cwd: copy });
    const said = r.stdout + r.stderr;
    expect(said).not.toMatch(/cannot be added/);
    expect(r.code, said).toBe(0);
  });

  it('dcmmkdir -Pfl +A reads our DICOMDIR and finds every instance already in it', async () => {
    const copy = join(dir, 'dcmmkdir-append');
    await cp(stick, copy, { recursive: true });
    const r = await runTool('dcmmkdir', ['-Pfl', '+A', '-nb', '+r', 'DICOM'], { cwd: copy });
    const said = r.stdout + r.stderr;
    expect(said).not.toMatch(/^E:|^F:|cannot be added/m);
    expect(r.code, said).toBe(0);
    expect([...said.matchAll(/directory record for this SOP instance already exists/g)]).toHaveLength(IMAGES);
  });
});

describe('dicom3tools', () => {
  it('dciodvfy finds no error in the DICOMDIR', async () => {
    const r = await runTool('dciodvfy', [join(stick, 'DICOMDIR')]);
    const said = r.stdout + r.stderr;
    expect(said).not.toMatch(/^Error/m);
    expect(r.code, said).toBe(0);
  });

  it('dcentvfy finds the instances consistent per entity', async () => {
    const r = await runTool('dcentvfy', files.map((f) => join(stick, f)));
    const said = r.stdout + r.stderr;
    expect(said).not.toMatch(/^Error/m);
    expect(r.code, said).toBe(0);
  });
});

describe('pydicom FileSet', () => {
  it('loads the file-set, finds every instance and decodes every name', async () => {
    const r = await runPython(
      `
import sys, json, pydicom
from pydicom.fileset import FileSet
fs = FileSet(pydicom.dcmread(sys.argv[1]))
out = {"id": fs.ID, "n": len(fs), "loaded": 0, "names": sorted(str(n) for n in fs.find_values("PatientName"))}
for inst in fs:
    ds = inst.load()
    assert ds.SOPInstanceUID == inst.SOPInstanceUID, inst.path
    out["loaded"] += 1
print(json.dumps(out, ensure_ascii=False))
`,
      [join(stick, 'DICOMDIR')],
    );
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as { id: string; n: number; loaded: number; names: string[] };
    expect(got.id).toBe('SONICART');
    expect(got.n).toBe(IMAGES);
    expect(got.loaded).toBe(IMAGES);
    expect(got.names).toEqual([...INTERNATIONAL.map((p) => p.patientName), 'Doe^Jane'].sort());
  });
});

describe('our own reader', () => {
  it('every offset points at a record and every referenced file exists and matches', async () => {
    const found = (await readFileSetAt(stick))!;
    expect(found.fileSet.warnings).toEqual([]);
    expect(found.fileSet.recordsInFile).toBe(4 * 3 + IMAGES);
    expect(await checkReferencedFiles(stick, found.fileSet)).toEqual([]);
  });
});

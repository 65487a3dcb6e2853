/**
 * Our encoder is never checked by our own decoder alone: files we write, in each uncompressed
 * syntax and in the character sets of conformance §6, are read by DCMTK (no warning) and by
 * pydicom (the same values, names decoded to the same Unicode).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPLICIT_VR_BE, EXPLICIT_VR_LE, IMPLICIT_VR_LE, transferSyntax } from '../../dicom/encoding/index.js';
import { buildFileMeta, writePart10 } from '../../dicom/part10/index.js';
import { DataSet } from '../../dicom/dataset/index.js';
import { T, US_IMAGE_STORAGE, smallUsImage } from '../helpers/build-dataset.js';
import { runPython, runTool, scratchDir } from '../helpers/run-tool.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(async () => cleanup());

const NAMES: { charset: string; name: string }[] = [
  { charset: '', name: 'Doe^Jane' },
  { charset: 'ISO_IR 100', name: 'Müller^Zoë' },
  { charset: '\\ISO 2022 IR 87', name: 'Yamada^Tarou=山田^太郎=やまだ^たろう' },
  { charset: 'ISO 2022 IR 13\\ISO 2022 IR 87', name: 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう' },
  { charset: 'ISO_IR 192', name: 'Wang^XiaoDong=王^小東=𠮷^' },
  { charset: 'GB18030', name: 'Wang^XiaoDong=王^小东=𠮷' },
];

const PYDICOM_READ = `
import sys, json, pydicom
out = []
for p in sys.argv[1:]:
    ds = pydicom.dcmread(p)
    out.append({'name': str(ds.PatientName), 'rows': ds.Rows, 'smallest': ds.SmallestImagePixelValue,
                'delta': ds.SequenceOfUltrasoundRegions[0].PhysicalDeltaX, 'fip': int(ds.FrameIncrementPointer),
                'px': ds.PixelData.hex(), 'ts': str(ds.file_meta.TransferSyntaxUID)})
print(json.dumps(out))
`;

describe('files we write', () => {
  it('are read by dcmdump without a warning and by pydicom with the same values, in every syntax and character set', async () => {
    const files: { path: string; name: string; ts: string }[] = [];
    for (const uid of [IMPLICIT_VR_LE, EXPLICIT_VR_LE, EXPLICIT_VR_BE]) {
      for (const [i, n] of NAMES.entries()) {
        const ds: DataSet = smallUsImage();
        if (n.charset) ds.putStrings(T.SpecificCharacterSet, 'CS', n.charset.split('\\'));
        ds.putStrings(T.PatientName, 'PN', n.name);
        const bytes = writePart10(
          buildFileMeta({ sopClassUid: US_IMAGE_STORAGE, sopInstanceUid: '2.25.1234567890', transferSyntaxUid: uid }),
          ds,
          transferSyntax(uid)!,
        );
        const path = join(dir, `w-${uid}-${i}.dcm`);
        await writeFile(path, bytes);
        files.push({ path, name: n.name, ts: uid });
        const d = await runTool('dcmdump', ['-q', path]);
        expect(d.code, d.stderr).toBe(0);
        expect(d.stderr, `dcmdump warned on ${path}`).toBe('');
      }
    }
    const r = await runPython(PYDICOM_READ, files.map((f) => f.path));
    expect(r.code, r.stderr).toBe(0);
    const seen = JSON.parse(r.stdout) as { name: string; rows: number; smallest: number; delta: number; fip: number; px: string; ts: string }[];
    const px = Buffer.from(smallUsImage().get(T.PixelData)!.bytes!).toString('hex');
    seen.forEach((s, i) => {
      expect(s.name.replace(/[=^]+$/, '')).toBe(files[i]!.name.replace(/[=^]+$/, ''));
      expect(s.ts).toBe(files[i]!.ts);
      expect([s.rows, s.smallest, s.delta, s.fip]).toEqual([4, -5, 0.0125, 0x00181063]);
      // pydicom returns OW pixel data in the file's byte order; compare as little endian
      const le = files[i]!.ts === EXPLICIT_VR_BE ? Buffer.from(s.px, 'hex').swap16().toString('hex') : s.px;
      expect(le).toBe(px);
    });
  });
});

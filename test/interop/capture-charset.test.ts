/** Names from a worklist entry (DICOM JSON) come out right in the captured object, as pydicom decodes them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSetFromDicomJson, examFromWorklist } from '../../dicom/iod/index.js';
import { runPython, runTool, scratchDir } from '../helpers/run-tool.js';
import { captureToDir, sim, WHEN } from '../unit/capture/capture-helpers.js';

const entry = (charset: (string | null)[], name: { Alphabetic: string; Ideographic?: string; Phonetic?: string }) => ({
  '00080005': { vr: 'CS', Value: charset },
  '00100010': { vr: 'PN', Value: [name] },
  '00100020': { vr: 'LO', Value: ['PID1'] },
  '0020000D': { vr: 'UI', Value: ['1.2.826.0.1.3680043.2.1125.1'] },
  '00080050': { vr: 'SH', Value: ['A1'] },
  '00321060': { vr: 'LO', Value: [name.Ideographic ?? name.Alphabetic ?? ''] },
});

const CASES = [
  { label: 'Japanese, ISO 2022 IR 87', charset: [null, 'ISO 2022 IR 87'], name: { Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎', Phonetic: 'やまだ^たろう' }, expectCharset: ['', 'ISO 2022 IR 87'] },
  { label: 'UTF-8', charset: ['ISO_IR 192'], name: { Alphabetic: 'Gérard^Dupont', Ideographic: '王^小東' }, expectCharset: ['ISO_IR 192'] },
  { label: 'GB18030', charset: ['GB18030'], name: { Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小东' }, expectCharset: ['GB18030'] },
];

const READ = String.raw`
import sys, json, pydicom
ds = pydicom.dcmread(sys.argv[1])
cs = ds.SpecificCharacterSet
print(json.dumps({'name': str(ds.PatientName), 'desc': str(ds.get('StudyDescription', '')), 'charset': list(cs) if not isinstance(cs, str) else [cs], 'study': ds.StudyInstanceUID, 'ras': len(ds.RequestAttributesSequence), 'acc': ds.AccessionNumber}, ensure_ascii=False))
`;

describe('worklist names in captured objects', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await scratchDir('sonicart-capture-cs-')));
  afterAll(() => cleanup());

  for (const c of CASES) {
    it(c.label, async () => {
      const exam = examFromWorklist(dataSetFromDicomJson(entry(c.charset, c.name)), WHEN, () => 'unused');
      const r = await captureToDir(sim(), 'still', 'explicit', dir, { exam });
      const py = await runPython(READ, [r.path]);
      expect(py.code, py.stderr).toBe(0);
      const out = JSON.parse(py.stdout) as Record<string, unknown>;
      expect(out.name).toBe([c.name.Alphabetic, c.name.Ideographic ?? '', (c.name as { Phonetic?: string }).Phonetic ?? ''].join('=').replace(/=+$/, ''));
      expect(out.desc).toBe(c.name.Ideographic);
      expect(out.charset).toEqual(c.expectCharset);
      expect(out.study).toBe('1.2.826.0.1.3680043.2.1125.1');
      expect(out.ras).toBe(1);
      expect(out.acc).toBe('A1');
      const v = await runTool('dciodvfy', [r.path]);
      expect(v.stderr.split('\n').filter((l) => l.startsWith('Error')), v.stderr).toEqual([]);
    });
  }
});

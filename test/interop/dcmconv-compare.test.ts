/**
 * Converting between the three uncompressed transfer syntaxes must give, element for element,
 * what DCMTK's dcmconv gives; and DCMTK must read everything we write without a warning.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertFile } from '../../device/files/convert.js';
import { ByteSink } from '../../dicom/core/index.js';
import { transferSyntaxByAlias, writeDataSet } from '../../dicom/encoding/index.js';
import { readPart10, writePart10 } from '../../dicom/part10/index.js';
import { normalizeDcmdump } from '../helpers/dcmdump-normalize.js';
import { PYDICOM_DATA, runTool, scratchDir } from '../helpers/run-tool.js';

const CORPUS = join(PYDICOM_DATA, 'test_files');
/** Uncompressed files of the pydicom corpus with sequences, big endian, implicit VR, waveforms, multi-frame, odd sizes. */
const FILES = [
  'CT_small.dcm',
  'MR_small.dcm',
  'MR_small_bigendian.dcm',
  'MR_small_implicit.dcm',
  'ExplVR_BigEnd.dcm',
  'rtplan.dcm',
  'rtstruct.dcm',
  'rtdose.dcm',
  'waveform_ecg.dcm',
  'test-SR.dcm',
  'liver_1frame.dcm',
  'SC_rgb_small_odd.dcm',
  'reportsi.dcm',
];
const TARGETS = [
  { alias: 'implicit', dcmconv: '+ti' },
  { alias: 'explicit', dcmconv: '+te' },
  { alias: 'big', dcmconv: '+tb' },
] as const;

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(async () => cleanup());

async function dcmdump(path: string): Promise<{ lines: string[]; stderr: string; code: number }> {
  const r = await runTool('dcmdump', ['-q', '+L', '-M', '+sd', path]);
  return { lines: normalizeDcmdump(r.stdout), stderr: r.stderr, code: r.code };
}

describe('convert matches dcmconv, element for element', () => {
  for (const name of FILES) {
    for (const t of TARGETS) {
      it(`${name} → ${t.alias}`, async () => {
        const src = join(CORPUS, name);
        const ours = join(dir, `${name}.${t.alias}.ours.dcm`);
        const theirs = join(dir, `${name}.${t.alias}.dcmtk.dcm`);
        await convertFile(src, ours, transferSyntaxByAlias(t.alias)!);
        const conv = await runTool('dcmconv', [t.dcmconv, src, theirs]);
        expect(conv.code, conv.stderr).toBe(0);
        const a = await dcmdump(ours);
        const b = await dcmdump(theirs);
        expect(a.code, a.stderr).toBe(0);
        expect(a.stderr, 'dcmdump warned about our file').toBe('');
        expect(a.lines).toEqual(b.lines);
        const tsLine = (await runTool('dcmdump', ['-q', '-M', '-Un', '+P', '0002,0010', ours])).stdout;
        expect(tsLine).toContain(transferSyntaxByAlias(t.alias)!.uid);
      });
    }
  }
});

describe('read → write without change gives identical bytes', () => {
  for (const name of FILES) {
    it(name, async () => {
      const original = new Uint8Array(await readFile(join(CORPUS, name)));
      const f = readPart10(original);
      let again: Uint8Array;
      if (f.hasMeta) again = writePart10(f.meta, f.dataset, f.transferSyntax, f.preamble ? { preamble: f.preamble } : {});
      else {
        // A bare data set (no preamble, no meta group) is written back bare.
        const sink = new ByteSink();
        writeDataSet(f.dataset, sink, f.transferSyntax);
        again = sink.toBytes();
      }
      expect(Buffer.compare(Buffer.from(again), Buffer.from(original))).toBe(0);
    });
  }
});

describe('a file converted there and back is unchanged in content', () => {
  it('explicit → big → implicit → explicit', async () => {
    const src = join(CORPUS, 'MR_small.dcm');
    const a = join(dir, 'chain-a.dcm');
    await copyFile(src, a);
    let prev = a;
    for (const alias of ['big', 'implicit', 'explicit']) {
      const next = join(dir, `chain-${alias}.dcm`);
      await convertFile(prev, next, transferSyntaxByAlias(alias)!);
      prev = next;
    }
    expect((await dcmdump(prev)).lines).toEqual((await dcmdump(src)).lines);
  });
});

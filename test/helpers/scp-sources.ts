/**
 * What the listener tests send: an 8-bit image of each storage class of conformance §2 in each
 * of the five transfer syntaxes (DCMTK's dcmconv / dcmcjpeg make the other four from Explicit VR
 * LE), with the storescu option that proposes exactly that syntax; and how a received file is
 * compared with its source (data set bytes after the meta group, dcmdump without group 0002).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tag, uidFromRandom } from '../../dicom/core/index.js';
import { DataSet } from '../../dicom/dataset/index.js';
import { EXPLICIT_VR_BE, EXPLICIT_VR_LE, IMPLICIT_VR_LE, JPEG_BASELINE, JPEG_LOSSLESS_SV1, transferSyntax } from '../../dicom/encoding/index.js';
import { buildFileMeta, readPart10, writePart10 } from '../../dicom/part10/index.js';
import { CART_STORAGE_CLASSES } from '../../device/net/scu/services.js';
import { runTool } from './run-tool.js';

/** An 8-bit image of a storage class (RGB, or MONOCHROME2 for the grayscale byte class), 2 frames for the multi-frame ones. */
export function scpTestImage(sopClassUid: string): { ds: DataSet; uid: string } {
  const gray = sopClassUid === '1.2.840.10008.5.1.4.1.1.7.2';
  const multi = sopClassUid.endsWith('.3.1') || sopClassUid.endsWith('.7.4') || gray;
  const frames = multi ? 2 : 1;
  const samples = gray ? 1 : 3;
  const uid = uidFromRandom(randomBytes(16));
  const ds = new DataSet();
  ds.putStrings(tag(0x0008, 0x0016), 'UI', sopClassUid);
  ds.putStrings(tag(0x0008, 0x0018), 'UI', uid);
  ds.putStrings(tag(0x0008, 0x0060), 'CS', 'US');
  ds.putStrings(tag(0x0010, 0x0010), 'PN', 'Scp^Test');
  ds.putStrings(tag(0x0010, 0x0020), 'LO', 'SCP-1');
  ds.putStrings(tag(0x0020, 0x000d), 'UI', uidFromRandom(randomBytes(16)));
  ds.putStrings(tag(0x0020, 0x000e), 'UI', uidFromRandom(randomBytes(16)));
  ds.putNumbers(tag(0x0028, 0x0002), 'US', samples);
  ds.putStrings(tag(0x0028, 0x0004), 'CS', gray ? 'MONOCHROME2' : 'RGB');
  if (!gray) ds.putNumbers(tag(0x0028, 0x0006), 'US', 0);
  if (multi) ds.putStrings(tag(0x0028, 0x0008), 'IS', String(frames));
  ds.putNumbers(tag(0x0028, 0x0010), 'US', 48);
  ds.putNumbers(tag(0x0028, 0x0011), 'US', 64);
  ds.putNumbers(tag(0x0028, 0x0100), 'US', 8);
  ds.putNumbers(tag(0x0028, 0x0101), 'US', 8);
  ds.putNumbers(tag(0x0028, 0x0102), 'US', 7);
  ds.putNumbers(tag(0x0028, 0x0103), 'US', 0);
  const px = new Uint8Array(48 * 64 * samples * frames);
  for (let i = 0; i < px.length; i++) px[i] = (i * 7 + (i >> 8) * 13) & 0xff;
  ds.put(tag(0x7fe0, 0x0010), 'OB', { type: 'raw', bytes: px });
  return { ds, uid };
}

/** What each storescu run proposes, and how its files are made from the Explicit VR LE originals. */
export const SCP_SYNTAXES = [
  { ts: EXPLICIT_VR_LE, propose: '-xe', make: undefined },
  { ts: IMPLICIT_VR_LE, propose: '-xi', make: ['dcmconv', '+ti'] },
  { ts: EXPLICIT_VR_BE, propose: '-xb', make: ['dcmconv', '+tb'] },
  { ts: JPEG_BASELINE, propose: '-xy', make: ['dcmcjpeg', '+eb'] },
  { ts: JPEG_LOSSLESS_SV1, propose: '-xs', make: ['dcmcjpeg', '+e1'] },
] as const;

export interface ScpSource {
  readonly path: string;
  readonly ts: string;
  readonly uid: string;
  readonly sopClassUid: string;
}

/** Five classes × five syntaxes under `dir` (created). */
export async function makeScpSources(dir: string): Promise<ScpSource[]> {
  await mkdir(dir, { recursive: true });
  const sources: ScpSource[] = [];
  for (const s of SCP_SYNTAXES) {
    for (const c of CART_STORAGE_CLASSES) {
      const { ds, uid } = scpTestImage(c.uid);
      const base = join(dir, `${uid}.orig.dcm`);
      await writeFile(base, writePart10(buildFileMeta({ sopClassUid: c.uid, sopInstanceUid: uid, transferSyntaxUid: EXPLICIT_VR_LE }), ds, transferSyntax(EXPLICIT_VR_LE)!));
      let path = base;
      if (s.make) {
        path = join(dir, `${uid}.dcm`);
        const r = await runTool(s.make[0], [s.make[1], base, path]);
        if (r.code !== 0) throw new Error(`${s.make.join(' ')}: ${r.stderr}`);
      }
      // dcmcjpeg gives a lossy result a new SOP Instance UID: the file says which.
      const made = readPart10(new Uint8Array(await readFile(path)), { stopBeforePixelData: true });
      sources.push({ path, ts: s.ts, uid: made.meta.string(tag(0x0002, 0x0003))!, sopClassUid: c.uid });
    }
  }
  return sources;
}

/** The data set bytes of a Part 10 file: everything after the file meta group. */
export function dataSetBytes(file: Uint8Array): Uint8Array {
  return file.subarray(readPart10(file, { stopBeforePixelData: true }).datasetOffset);
}

/** dcmdump of a file without its meta group (ours differs: Source AE, implementation). */
export const dumpWithoutMeta = async (p: string): Promise<string[]> => (await runTool('dcmdump', ['-q', p])).stdout.split('\n').filter((l) => !l.startsWith('(0002,'));

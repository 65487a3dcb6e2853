/**
 * C-STORE with conversion by the sender (conformance §2: the object goes out in the transfer
 * syntax the SCP accepted; never lossless → lossy on our own), against DCMTK's storescp:
 * (a) storescp as installed (uncompressed only) receives our JPEG Lossless / JPEG Baseline
 *     captures and corpus files decoded, pixels byte for byte those of dcmdjpeg;
 * (b) storescp configured (-xf) to accept JPEG Lossless SV1 only receives uncompressed files as
 *     JPEG Lossless, and dcmdjpeg gives the original pixels back;
 * (c) storescp configured to accept JPEG Baseline only: an uncompressed file is not sent, and the
 *     status line says it would be lossy; with `allowLossy` it goes out lossy, marked so.
 */
import { cli } from '../helpers/cli-capture.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPart10 } from '../../dicom/part10/index.js';
import { main } from '../../device/cli/main.js';
import { storeFiles, type StoreOptions, type StoreOutcome } from '../../device/net/scu/store.js';
import { normalizeDcmdump } from '../helpers/dcmdump-normalize.js';
import { receivedBy } from '../helpers/service-peers.js';
import { freePort, startPeer, type PeerProcess } from '../helpers/net-peers.js';
import { PYDICOM_DATA, runSonicart, runTool, scratchDir } from '../helpers/run-tool.js';
import { writeTestImage } from '../unit/device-net/fixtures.js';

const CORPUS = join(PYDICOM_DATA, 'test_files');
const sonicart = (...args: string[]) => runSonicart(args);

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.70';

/** storescp profiles: one compressed syntax per storage class we send, Verification uncompressed. */
const STORESCP_CFG = `
[[TransferSyntaxes]]
[Uncompressed]
TransferSyntax1 = LocalEndianExplicit
TransferSyntax2 = LittleEndianImplicit
[LosslessOnly]
TransferSyntax1 = JPEGLossless:Non-hierarchical-1stOrderPrediction
[BaselineOnly]
TransferSyntax1 = JPEGBaseline

[[PresentationContexts]]
${['Lossless', 'Baseline']
  .map(
    (k) => `[${k}Contexts]
PresentationContext1 = VerificationSOPClass\\Uncompressed
${['UltrasoundImageStorage', 'UltrasoundMultiframeImageStorage', 'SecondaryCaptureImageStorage', 'MultiframeTrueColorSecondaryCaptureImageStorage', 'CTImageStorage']
  .map((c, i) => `PresentationContext${i + 2} = ${c}\\${k}Only`)
  .join('\n')}`,
  )
  .join('\n')}

[[Profiles]]
[LosslessOnly]
PresentationContexts = LosslessContexts
[BaselineOnly]
PresentationContexts = BaselineContexts
`;

let dir = '';
let cleanup: () => Promise<void> = async () => {};
let cfg = '';
const peers: PeerProcess[] = [];
/** JPEG files: our captures, pydicom's DCMTK-made baseline file, a corpus file we made JPEG Lossless. */
const jpeg: Record<'capLossless' | 'capLosslessCine' | 'capBaseline' | 'scRgbBaseline' | 'ctLossless', string> = {
  capLossless: '',
  capLosslessCine: '',
  capBaseline: '',
  scRgbBaseline: join(CORPUS, 'SC_rgb_jpeg_dcmtk.dcm'),
  ctLossless: '',
};
const LOSSLESS_SOURCES = new Set<string>();
/** Uncompressed files: RGB cine, 16-bit grey big endian, pydicom's CT (signed 16-bit). */
let plain: string[] = [];

async function capture(name: string, kind: 'still' | 'cine', ts: string): Promise<string> {
  const out = join(dir, `cap-${name}`);
  await mkdir(out);
  const r = await sonicart('capture', '--kind', kind, ...(kind === 'cine' ? ['--seconds', '0.2'] : []), '--ts', ts, '--out', out);
  if (r.code !== 0) throw new Error(`capture ${name}: ${r.stderr}`);
  return join(out, (await readdir(out)).find((f) => f.endsWith('.dcm'))!);
}

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-net-transcode-'));
  cfg = join(dir, 'storescp.cfg');
  await writeFile(cfg, STORESCP_CFG);
  [jpeg.capLossless, jpeg.capLosslessCine, jpeg.capBaseline] = await Promise.all([
    capture('lossless', 'still', 'jpeg-lossless'),
    capture('lossless-cine', 'cine', 'jpeg-lossless'),
    capture('baseline', 'cine', 'jpeg-baseline'),
  ]);
  jpeg.ctLossless = join(dir, 'CT_small-jpeg-lossless.dcm');
  const c = await sonicart('convert', join(CORPUS, 'CT_small.dcm'), '--ts', 'jpeg-lossless', '-o', jpeg.ctLossless);
  if (c.code !== 0) throw new Error(`convert: ${c.stderr}`);
  for (const p of [jpeg.capLossless, jpeg.capLosslessCine, jpeg.ctLossless]) LOSSLESS_SOURCES.add(p);
  await mkdir(join(dir, 'images'));
  plain = [
    await writeTestImage(join(dir, 'images', 'rgb-cine.dcm'), { rows: 96, columns: 128, samples: 3, frames: 4 }),
    await writeTestImage(join(dir, 'images', 'grey16-be.dcm'), { rows: 33, columns: 31, ts: '1.2.840.10008.1.2.2' }),
    join(CORPUS, 'CT_small.dcm'),
  ];
}, 120_000);

afterAll(async () => {
  for (const p of peers) await p.stop();
  await cleanup();
});

async function storescp(name: string, args: readonly string[]): Promise<{ port: number; out: string }> {
  const out = join(dir, name);
  await mkdir(out, { recursive: true });
  const port = await freePort();
  peers.push(await startPeer('storescp', ['--fork', '-od', out, ...args, String(port)], port));
  return { port, out };
}

async function send(port: number, paths: readonly string[], extra: Partial<StoreOptions> = {}): Promise<StoreOutcome[]> {
  const out: StoreOutcome[] = [];
  for await (const o of storeFiles(paths, { peer: { aeTitle: 'STORESCP', host: '127.0.0.1', port }, callingAeTitle: 'US_CART', ...extra })) out.push(o);
  return out;
}

function fileInfo(path: string): { ts: string; pixels: Uint8Array; lossy: string | undefined; photometric: string | undefined } {
  const f = readPart10(new Uint8Array(readFileSync(path)));
  return {
    ts: f.transferSyntax.uid,
    pixels: f.dataset.get(0x7fe00010)?.bytes ?? new Uint8Array(0),
    lossy: f.dataset.string(0x00282110)?.trim(),
    photometric: f.dataset.string(0x00280004)?.trim(),
  };
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex').slice(0, 16);

async function dcmdjpeg(input: string, out: string): Promise<string> {
  const r = await runTool('dcmdjpeg', [input, out], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`dcmdjpeg ${input}: ${r.stderr}`);
  return out;
}

/**
 * dcmdump of the data set without Pixel Data (compared as bytes: dcmdjpeg writes 8-bit pixels as
 * OW, we as OB) and Data Set Trailing Padding (storescp drops it).
 */
async function dumpWithoutPixels(path: string): Promise<string[]> {
  const r = await runTool('dcmdump', ['-q', '+L', path]);
  expect(r.code, r.stderr).toBe(0);
  return normalizeDcmdump(r.stdout).filter((l) => !l.startsWith('(7fe0,0010)') && !l.startsWith('(fffc,fffc)'));
}

describe('(a) storescp accepting only uncompressed: JPEG files are decoded by the sender', () => {
  it('every JPEG file arrives uncompressed, data set and pixels those of dcmdjpeg', async () => {
    const scp = await storescp('a', []);
    const spool = join(dir, 'spool-a');
    await mkdir(spool);
    const files = Object.values(jpeg);
    const outcomes = await send(scp.port, files, { spoolDir: spool });
    const got = await receivedBy(scp.out);
    for (const o of outcomes) {
      const name = o.path.split('/').pop()!;
      const source = fileInfo(o.path).ts;
      expect([name, o.status?.hex, o.action, o.transferSyntax], o.why).toEqual([name, '0000', 'next', EXPLICIT_LE]);
      expect(o.conversion).toEqual({ from: source, to: EXPLICIT_LE, kind: 'transcode', lossy: false });
      const theirs = got.get(o.sopInstanceUid!)!;
      expect(theirs, `${name} not received`).toBeDefined();
      const reference = await dcmdjpeg(o.path, join(dir, `dj-${name}`));
      const [a, b] = [fileInfo(theirs), fileInfo(reference)];
      expect(a.ts).toBe(EXPLICIT_LE);
      // Lossless: identical to the decoded original; baseline: identical to dcmdjpeg's decode.
      expect(a.pixels.length, name).toBe(b.pixels.length);
      expect(sha(a.pixels), name).toBe(sha(b.pixels));
      expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels)), name).toBe(true);
      expect(await dumpWithoutPixels(theirs), name).toEqual(await dumpWithoutPixels(reference));
      // Decoding never makes an object less lossy than it was, nor lossy when it was not.
      expect(a.lossy, name).toBe(LOSSLESS_SOURCES.has(o.path) ? fileInfo(o.path).lossy : '01');
    }
    expect(outcomes).toHaveLength(files.length);
    // The lossless CT goes back to exactly the pixels of pydicom's uncompressed CT_small.
    const ct = outcomes.find((o) => o.path === jpeg.ctLossless)!;
    expect(sha(fileInfo(got.get(ct.sopInstanceUid!)!).pixels)).toBe(sha(fileInfo(join(CORPUS, 'CT_small.dcm')).pixels));
    // The spool files were removed once sent.
    expect(await readdir(spool)).toEqual([]);
  });

  it('sonicart send prints "converted FROM → TO" on each converted instance, exit 0', async () => {
    const scp = await storescp('a-cli', []);
    const c = cli();
    const code = await main(['send', '--host', '127.0.0.1', '--port', String(scp.port), '--called-ae', 'STORESCP', jpeg.capBaseline, jpeg.capLossless], c.io);
    expect(code, c.err.join('\n')).toBe(0);
    expect(c.out).toEqual([
      expect.stringMatching(/\t0000 Success\tnext\tconverted JPEG Baseline \(Process 1\) → Explicit VR Little Endian$/),
      expect.stringMatching(/\t0000 Success\tnext\tconverted JPEG Lossless, Non-Hierarchical, First-Order Prediction \(Process 14, SV1\) → Explicit VR Little Endian$/),
    ]);
  });
});

describe('(b) storescp accepting only JPEG Lossless: uncompressed files are encoded by the sender', () => {
  it('they arrive as JPEG Lossless SV1, and dcmdjpeg restores the original pixels', async () => {
    const scp = await storescp('b', ['-xf', cfg, 'LosslessOnly']);
    const outcomes = await send(scp.port, plain);
    const got = await receivedBy(scp.out);
    expect(outcomes).toHaveLength(plain.length);
    for (const o of outcomes) {
      const name = o.path.split('/').pop()!;
      expect([name, o.status?.hex, o.action, o.transferSyntax], o.why).toEqual([name, '0000', 'next', JPEG_LOSSLESS]);
      expect(o.conversion).toMatchObject({ to: JPEG_LOSSLESS, kind: 'transcode', lossy: false });
      const theirs = got.get(o.sopInstanceUid!)!;
      expect(fileInfo(theirs).ts).toBe(JPEG_LOSSLESS);
      const decoded = fileInfo(await dcmdjpeg(theirs, join(dir, `dj-b-${name}`)));
      // The original as DCMTK reads it, in Explicit VR LE (the big-endian file's words swapped by dcmconv).
      const le = join(dir, `le-b-${name}`);
      const r = await runTool('dcmconv', ['+te', o.path, le]);
      expect(r.code, r.stderr).toBe(0);
      const original = fileInfo(le);
      expect(decoded.pixels.length, name).toBe(original.pixels.length);
      expect(Buffer.from(decoded.pixels).equals(Buffer.from(original.pixels)), name).toBe(true);
      expect(decoded.lossy ?? '00', name).not.toBe('01');
    }
  });
});

describe('(c) storescp accepting only JPEG Baseline: never lossy on our own', () => {
  it('an uncompressed file is not sent, and the status line says it would be lossy', async () => {
    const scp = await storescp('c', ['-xf', cfg, 'BaselineOnly']);
    const c = cli();
    const code = await main(['send', '--host', '127.0.0.1', '--port', String(scp.port), '--called-ae', 'STORESCP', plain[0]!], c.io);
    expect(code).toBe(1);
    expect(c.out).toHaveLength(1);
    expect(c.out[0]).toMatch(
      new RegExp(`^${plain[0]}\\t2\\.25\\.\\d+\\tnot sent\\tnot-sent: peer STORESCP@127\\.0\\.0\\.1:${scp.port}, step C-STORE 2\\.25\\.\\d+, reason .*Explicit VR Little Endian → JPEG Baseline \\(Process 1\\) would be lossy`),
    );
    expect(c.err).toEqual([expect.stringMatching(/^1 of 1 instances not stored; first: .*would be lossy/)]);
    expect(await readdir(scp.out)).toEqual([]);
  });

  it('a JPEG Lossless file is not made lossy either; a JPEG Baseline file goes as it is', async () => {
    const scp = await storescp('c-jpeg', ['-xf', cfg, 'BaselineOnly']);
    const outcomes = await send(scp.port, [jpeg.capLossless, jpeg.capBaseline]);
    expect(outcomes.map((o) => [o.action, o.transferSyntax ?? null, o.conversion ?? null])).toEqual([
      ['not-sent', null, null],
      ['next', JPEG_BASELINE, null],
    ]);
    expect(outcomes[0]!.why).toMatch(/JPEG Lossless.* → JPEG Baseline \(Process 1\) would be lossy/);
  });

  it('with allowLossy (the user chose lossy) it goes out as JPEG Baseline, Lossy Image Compression 01', async () => {
    const scp = await storescp('c-lossy', ['-xf', cfg, 'BaselineOnly']);
    const outcomes = await send(scp.port, [plain[0]!], { allowLossy: true });
    expect(outcomes.map((o) => [o.status?.hex, o.transferSyntax, o.conversion?.lossy])).toEqual([['0000', JPEG_BASELINE, true]]);
    const theirs = (await receivedBy(scp.out)).get(outcomes[0]!.sopInstanceUid!)!;
    const f = fileInfo(theirs);
    expect([f.ts, f.lossy]).toEqual([JPEG_BASELINE, '01']);
    const r = await runTool('dcmdjpeg', [theirs, join(dir, 'dj-c-lossy.dcm')]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('the command line: --allow-lossy is how the user chooses it, and the line says so', async () => {
    const scp = await storescp('c-cli', ['-xf', cfg, 'BaselineOnly']);
    const c = cli();
    const code = await main(['send', '--host', '127.0.0.1', '--port', String(scp.port), '--called-ae', 'STORESCP', '--allow-lossy', plain[0]!], c.io);
    expect(code, c.err.join('\n')).toBe(0);
    expect(c.out).toEqual([expect.stringMatching(/\t0000 Success\tnext\tconverted Explicit VR Little Endian → JPEG Baseline \(Process 1\), lossy$/)]);
  });
});

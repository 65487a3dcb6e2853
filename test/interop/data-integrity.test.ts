/**
 * Paths where data used to be lost with exit status 0 (issue 8): each file below is read whole
 * or refused with a typed error, and what `dump` shows and `convert` writes is checked against
 * DCMTK's dcmdump of the same bytes.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-capture.js';
import { freePort, startPeer } from '../helpers/net-peers.js';
import { PYDICOM_DATA, runTool, scratchDir } from '../helpers/run-tool.js';
import { T, smallUsImage } from '../helpers/build-dataset.js';
import { findElement, outOfOrderFile, part10 } from '../helpers/odd-files.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(async () => cleanup());

/** The data set's tags as dcmdump lists them (top level and nested, in order), upper case. */
async function dcmdumpTags(path: string): Promise<string[]> {
  const r = await runTool('dcmdump', ['+L', '-q', path]);
  expect(r.code, r.stderr).toBe(0);
  const body = r.stdout.slice(r.stdout.indexOf('# Dicom-Data-Set'));
  return [...body.matchAll(/^\s*\(([0-9a-f]{4},[0-9a-f]{4})\)/gim)].map((m) => m[1]!.toUpperCase()).filter((t) => !t.startsWith('FFFE'));
}

function dumpedTags(lines: string[]): string[] {
  const body = lines.slice(lines.indexOf('# Dicom-Data-Set') + 1);
  return body.flatMap((l) => (/^\s*\(([0-9A-F]{4},[0-9A-F]{4})\)/.exec(l)?.[1] ?? [])).filter((t) => !t.startsWith('FFFE'));
}

const run = (...args: string[]) => runCli(args);

describe('a data set is read whole or refused', () => {
  it('an element out of tag order: dump shows every element with a warning, as dcmdump does; convert writes them all', async () => {
    const f = join(dir, 'order.dcm');
    await writeFile(f, outOfOrderFile());
    const theirs = await runTool('dcmdump', [f]);
    expect(theirs.stderr).toMatch(/not in ascending tag order/);
    const expected = await dcmdumpTags(f);
    expect(expected).toContain('7FE0,0010');

    const d = await run('dump', f);
    expect(d.code, d.err.join('\n')).toBe(0);
    expect(d.out.join('\n')).toMatch(/warning: tag \(0010,0010\) out of ascending order/);
    expect(dumpedTags(d.out)).toEqual(expected);

    const out = join(dir, 'order-converted.dcm');
    const c = await run('convert', f, '--ts', 'implicit', '-o', out);
    expect(c.code, c.err.join('\n')).toBe(0);
    const written = await runTool('dcmdump', [out]);
    expect(written.stderr).toBe('');
    expect(await dcmdumpTags(out)).toEqual(expected);

    // export: accepted (it used to blame a missing Study Instance UID), written sorted
    const medium = join(dir, 'medium-order');
    await mkdir(medium);
    const e = await run('export', '--profile', 'STD-GEN-USB-JPEG', '--out', medium, f);
    expect(e.code, e.err.join('\n')).toBe(0);
    const onMedium = (await readdir(medium, { recursive: true, withFileTypes: true })).filter((x) => x.isFile() && x.name !== 'DICOMDIR');
    expect(onMedium).toHaveLength(1);
    const exported = join(onMedium[0]!.parentPath, onMedium[0]!.name);
    expect((await runTool('dcmdump', [exported])).stderr).toBe('');
    expect(await dcmdumpTags(exported)).toEqual(expected);
  });

  it('pydicom image_dfl.dcm (Deflated Explicit VR LE): dump and convert keep every element, Pixel Data included', async () => {
    const f = join(PYDICOM_DATA, 'test_files/image_dfl.dcm');
    const expected = await dcmdumpTags(f);
    expect(expected).toContain('7FE0,0010');
    const d = await run('dump', f);
    expect(d.code, d.err.join('\n')).toBe(0);
    expect(dumpedTags(d.out)).toEqual(expected);

    const out = join(dir, 'dfl-explicit.dcm');
    const c = await run('convert', f, '--ts', 'explicit', '-o', out);
    expect(c.code, c.err.join('\n')).toBe(0);
    expect(await dcmdumpTags(out)).toEqual(expected);
    // Same pixel values as DCMTK's own inflate of the file.
    const dcmtk = join(dir, 'dfl-dcmtk.dcm');
    expect((await runTool('dcmconv', ['+te', f, dcmtk])).code).toBe(0);
    const px = async (p: string): Promise<string> => (await runTool('dcmdump', ['+P', '7fe0,0010', '+L', '-q', '+U8', p])).stdout;
    expect(await px(out)).toBe(await px(dcmtk));
  });

  it('a deflated file larger than the first header read (written by dcmconv +td) keeps its Pixel Data', async () => {
    const plain = join(dir, 'big-plain.dcm');
    const ds = smallUsImage(200, 300);
    const px = ds.get(T.PixelData)!.bytes!;
    for (let i = 0, x = 1; i < px.length; i++) px[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24; // incompressible
    const big = part10(ds);
    await writeFile(plain, big);
    const deflated = join(dir, 'big-deflated.dcm');
    expect((await runTool('dcmconv', ['+td', plain, deflated])).code).toBe(0);
    expect((await readFile(deflated)).length).toBeGreaterThan(16 * 1024);
    const d = await run('dump', deflated);
    expect(d.code, d.err.join('\n')).toBe(0);
    expect(dumpedTags(d.out)).toEqual(await dcmdumpTags(plain));
    const out = join(dir, 'big-inflated.dcm');
    expect((await run('convert', deflated, '--ts', 'explicit', '-o', out)).code).toBe(0);
    const a = await readFile(out);
    expect(Buffer.compare(a.subarray(a.length - 120_000), big.subarray(big.length - 120_000))).toBe(0);
  });

  it('bytes that are no element before the Pixel Data are refused with a typed error, not ignored as trailing garbage', async () => {
    const b = part10();
    const at = findElement(b, 0x0018, 0x1063); // FrameTime DS: out of order tag and a VR that is none
    const bad = new Uint8Array(b);
    bad.set([0x08, 0x00, 0x01, 0x00, 0xde, 0xad], at);
    const f = join(dir, 'garbage-inside.dcm');
    await writeFile(f, bad);
    const d = await run('dump', f);
    expect(d.code).toBe(1);
    expect(d.err.join('\n')).toMatch(/no valid VR.*PARSE_BAD_VR|PARSE_BAD_VR/);
    const out = join(dir, 'never.dcm');
    expect((await run('convert', f, '--ts', 'explicit', '-o', out)).code).toBe(1);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  it('bytes after the Pixel Data that are no element are padding: ignored with a warning, every element before them kept', async () => {
    const b = part10();
    const plain = join(dir, 'unpadded.dcm');
    await writeFile(plain, b);
    const f = join(dir, 'padded.dcm');
    await writeFile(f, Buffer.concat([b, Uint8Array.of(0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x55, 0x00)]));
    const d = await run('dump', f);
    expect(d.code, d.err.join('\n')).toBe(0);
    expect(d.out.join('\n')).toMatch(new RegExp(`ignored 8 bytes after the data set at offset ${b.length}`));
    // dcmdump refuses the padded file outright; the elements are those it lists without the padding.
    expect(dumpedTags(d.out)).toEqual(await dcmdumpTags(plain));
    // send: the padding is not sent on (storescp keeps what dcmdump reads without an error)
    const got = join(dir, 'stored-padded');
    await mkdir(got);
    const port = await freePort();
    const scp = await startPeer('storescp', ['--fork', '-od', got, String(port)], port);
    try {
      const r = await run('send', '--host', '127.0.0.1', '--port', String(port), '--called-ae', 'STORESCP', f);
      expect(r.code, r.err.join('\n')).toBe(0);
    } finally {
      await scp.stop();
    }
    const stored = await readdir(got);
    expect(stored).toHaveLength(1);
    const theirs = await runTool('dcmdump', [join(got, stored[0]!)]);
    expect(theirs.code, theirs.stderr).toBe(0);
    expect(await dcmdumpTags(join(got, stored[0]!))).toEqual(await dcmdumpTags(plain));
  });
});

describe('zeros inside a data set, beyond the first header read', () => {
  it('are not taken for padding when elements follow them: refused with a typed error, not read as a file without Pixel Data', async () => {
    const b = part10();
    const px = findElement(b, 0x7fe0, 0x0010);
    const f = join(dir, 'zeros-inside.dcm');
    await writeFile(f, Buffer.concat([b.subarray(0, px), new Uint8Array(40_000), b.subarray(px)]));
    const d = await run('dump', f);
    expect(d.code).toBe(1);
    expect(d.err.join('\n')).toMatch(/\[PARSE_/);
    expect((await run('convert', f, '--ts', 'explicit', '-o', join(dir, 'zeros-out.dcm'))).code).toBe(1);
  });
});

describe('a transfer syntax we do not know', () => {
  it('dump shows what it can read but exits 1 with DUMP_UNKNOWN_TRANSFER_SYNTAX (dcmdump reads the same elements)', async () => {
    const b = part10();
    const at = Buffer.from(b).indexOf('1.2.840.10008.1.2.1\0');
    const odd = new Uint8Array(b);
    odd.set(new TextEncoder().encode('1.2.3.4.5.6.7.8.9.1\0'), at);
    const f = join(dir, 'unknown-ts.dcm');
    await writeFile(f, odd);
    const d = await run('dump', f);
    expect(d.code).toBe(1);
    expect(d.err).toEqual([expect.stringMatching(/unknown transfer syntax 1\.2\.3\.4\.5\.6\.7\.8\.9\.1.*\[DUMP_UNKNOWN_TRANSFER_SYNTAX\]$/)]);
    expect(dumpedTags(d.out)).toEqual(await dcmdumpTags(f));
  });
});

/**
 * Odd-length values (tolerated on read) are padded to even length when written or sent
 * (PS3.5 §7.1: UI with NUL, other text with space, binary with NUL), with a warning. Before,
 * `send` copied the file's bytes and DCMTK's storescp aborted the association on the odd PDV.
 * Checked against storescp (what it stored, dcmdump'd) and dcmdump of what convert wrote.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../device/cli/main.js';
import { cli } from '../helpers/cli-capture.js';
import { freePort, startPeer, type PeerProcess } from '../helpers/net-peers.js';
import { ODD_SOP_INSTANCE_UID, oddLengthFile } from '../helpers/odd-files.js';
import { runPython, runTool, scratchDir } from '../helpers/run-tool.js';

let dir: string;
let cleanup: () => Promise<void>;
let scp: PeerProcess | undefined;
let file: string;

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir());
  file = join(dir, 'odd.dcm');
  await writeFile(file, oddLengthFile());
});
afterAll(async () => {
  await scp?.stop();
  await cleanup();
});

/** dcmdump of a file: exit status, warnings, and the data set lines with their lengths. */
async function dcmdump(path: string): Promise<{ code: number; stderr: string; stdout: string }> {
  return runTool('dcmdump', ['+L', path]);
}

/** A file dcmdump reads without a word, whose values pydicom finds padded as PS3.5 §7.1 says. */
async function expectCleanAndPadded(path: string): Promise<void> {
  const r = await dcmdump(path);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/\(7fe0,0010\) OB 01\\02\\03\\04\\05\\06\\07\\08\\09\\00\s+#\s+10, 1 PixelData/);
  const raw = await runPython(
    'import pydicom,sys\nds=pydicom.dcmread(sys.argv[1])\nprint(" ".join(ds.get_item(t).value.hex() for t in (0x00080018,0x00100010,0x00100020,0x00280004)))',
    [path],
  );
  expect(raw.stdout.trim().split(' ')).toEqual([
    Buffer.from('2.25.123456\0').toString('hex'), // UI: NUL
    Buffer.from('Doe^J ').toString('hex'), // text: space
    Buffer.from('ABC ').toString('hex'),
    Buffer.from('MONOCHROME2 ').toString('hex'),
  ]);
}

describe('odd-length values', () => {
  it('the file really has odd lengths (dcmdump sees them)', async () => {
    const r = await dcmdump(file);
    expect(r.stderr).toMatch(/Length of element \(0008,0018\) is odd/);
    expect(r.stderr).toMatch(/Length of element \(7fe0,0010\) is odd/);
  });

  it('send: stored by storescp, with a warning per padded value; what storescp kept is clean and padded', async () => {
    const got = join(dir, 'stored');
    await mkdir(got);
    const port = await freePort();
    scp = await startPeer('storescp', ['--fork', '-od', got, String(port)], port);
    const c = cli();
    const code = await main(['send', '--host', '127.0.0.1', '--port', String(port), '--called-ae', 'STORESCP', file], c.io);
    expect(code, c.err.join('\n')).toBe(0);
    expect(c.out.join('\n')).toMatch(new RegExp(`${ODD_SOP_INSTANCE_UID}\\t0000 Success`));
    expect(c.err.join('\n')).toMatch(/warning: \(0010,0020\) LO has odd length 3 .*padded to 4/);
    expect(c.err.join('\n')).toMatch(/warning: Pixel Data has odd length 9/);
    const stored = await readdir(got);
    expect(stored).toHaveLength(1);
    await expectCleanAndPadded(join(got, stored[0]!));
  });

  it('convert (same syntax and big endian): padded, with warnings; dcmdump reads the output without a complaint', async () => {
    for (const ts of ['explicit', 'big']) {
      const out = join(dir, `odd-${ts}.dcm`);
      const c = cli();
      expect(await main(['convert', file, '--ts', ts, '-o', out], c.io), c.err.join('\n')).toBe(0);
      expect(c.err.join('\n')).toMatch(/warning: \(0008,0018\) UI has odd length 11/);
      await expectCleanAndPadded(out);
    }
  });

  it('export: the file on the medium is rewritten padded (not copied), dcmdump reads it without a complaint', async () => {
    const medium = join(dir, 'medium');
    await mkdir(medium);
    const c = cli();
    expect(await main(['export', '--profile', 'STD-GEN-USB-JPEG', '--out', medium, file], c.io), c.err.join('\n')).toBe(0);
    const files = (await readdir(medium, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && e.name !== 'DICOMDIR');
    expect(files).toHaveLength(1);
    await expectCleanAndPadded(join(files[0]!.parentPath, files[0]!.name));
  });
});

/**
 * Sequence nesting is limited (MAX_SEQUENCE_DEPTH, 128 levels: why in dicom/core/limits.ts)
 * with a typed error in the reader, the writer, the dump and the DICOM JSON reader, so that a
 * 20,000-deep file is refused at once by dump, convert, send and export instead of costing
 * gigabytes. A 100-deep file, below the limit, is read and written whole (checked with dcmdump).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ByteSink, DicomError, MAX_SEQUENCE_DEPTH } from '../../dicom/core/index.js';
import { DataSet } from '../../dicom/dataset/index.js';
import { dumpLines } from '../../dicom/dump/index.js';
import { writeDataSet } from '../../dicom/encoding/index.js';
import { dataSetFromDicomJson } from '../../dicom/iod/index.js';
import { runCliText } from '../helpers/cli-capture.js';
import { normalizeDcmdump } from '../helpers/dcmdump-normalize.js';
import { freePort, startPeer, type PeerProcess } from '../helpers/net-peers.js';
import { deeplyNestedFile, part10 } from '../helpers/odd-files.js';
import { runTool, scratchDir } from '../helpers/run-tool.js';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
let cleanup: () => Promise<void>;
let scp: PeerProcess | undefined;
let deep: string;
let ok: string;

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir());
  deep = join(dir, 'deep-20000.dcm');
  ok = join(dir, 'deep-100.dcm');
  await writeFile(deep, deeplyNestedFile(20_000));
  await writeFile(ok, deeplyNestedFile(100));
});
afterAll(async () => {
  await scp?.stop();
  await cleanup();
});

const run = (...args: string[]) => runCliText(args);

function nested(depth: number): DataSet {
  const top = new DataSet();
  let ds = top;
  for (let i = 0; i < depth; i++) {
    const item = new DataSet();
    ds.putSequence(0x0040a730, [item]);
    ds = item;
  }
  return top;
}

describe('below the limit', () => {
  it('100 levels: dump shows every level; convert writes what dcmdump reads element for element as the source', async () => {
    const d = await run('dump', ok);
    expect(d.code, d.err).toBe(0);
    expect(d.out).toMatch(new RegExp(`^ {${2 * 2 * 100}}\\(0040,A160\\) UT \\[deep\\]`, 'm'));
    const out = join(dir, 'deep-100-implicit.dcm');
    expect((await run('convert', ok, '--ts', 'implicit', '-o', out)).code).toBe(0);
    const dump = async (p: string) => normalizeDcmdump((await runTool('dcmdump', ['-q', '+L', p])).stdout);
    expect(await dump(out)).toEqual(await dump(ok));
  });
});

describe('beyond the limit', () => {
  it('dump (the command, through a pipe): exit 1, one line naming the offset and PARSE_NESTING_TOO_DEEP, no output', async () => {
    const r = await runTool('bash', ['-c', `set -o pipefail; node bin/sonicart.js dump "$1" | cat`, 'bash', deep], { cwd: ROOT });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/deep-20000\.dcm: byte \d+: \(0040,A730\) opens sequence level 129.*\[PARSE_NESTING_TOO_DEEP\]$/)]);
  });

  it('convert and export refuse it and write nothing', async () => {
    const out = join(dir, 'never.dcm');
    const c = await run('convert', deep, '--ts', 'explicit', '-o', out);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/PARSE_NESTING_TOO_DEEP/);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
    const medium = join(dir, 'medium');
    await mkdir(medium);
    const e = await run('export', '--profile', 'STD-GEN-USB-JPEG', '--out', medium, deep);
    expect(e.code).toBe(1);
    expect(e.out + e.err).toMatch(/PARSE_NESTING_TOO_DEEP/);
    expect(await readdir(medium)).toEqual([]);
  });

  it('send: not sent, storescp receives nothing', async () => {
    const got = join(dir, 'stored');
    await mkdir(got);
    const port = await freePort();
    scp = await startPeer('storescp', ['--fork', '-od', got, String(port)], port);
    const r = await run('send', '--host', '127.0.0.1', '--port', String(port), '--called-ae', 'STORESCP', deep);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(/PARSE_NESTING_TOO_DEEP|opens sequence level 129/);
    expect(await readdir(got)).toEqual([]);
  });

  it('a data set built in memory: the writer and the dump refuse level 129 with a typed error, 128 levels pass', () => {
    const sink = new ByteSink();
    expect(() => writeDataSet(nested(MAX_SEQUENCE_DEPTH + 1), sink, { explicitVR: true, littleEndian: true })).toThrow(
      expect.objectContaining({ code: 'ENCODE_NESTING_TOO_DEEP' }),
    );
    expect(() => [...dumpLines(nested(MAX_SEQUENCE_DEPTH + 1))]).toThrow(expect.objectContaining({ code: 'DUMP_NESTING_TOO_DEEP' }));
    writeDataSet(nested(MAX_SEQUENCE_DEPTH), new ByteSink(), { explicitVR: true, littleEndian: true });
    expect([...dumpLines(nested(MAX_SEQUENCE_DEPTH))]).toHaveLength(2 * MAX_SEQUENCE_DEPTH);
  });

  it('DICOM JSON nested 10,000 deep: IOD_BAD_JSON, not a stack overflow', () => {
    let obj: Record<string, unknown> = { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe' }] } };
    for (let i = 0; i < 10_000; i++) obj = { '0040A730': { vr: 'SQ', Value: [obj] } };
    let err: unknown;
    try {
      dataSetFromDicomJson(obj);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DicomError);
    expect((err as DicomError).code).toBe('IOD_BAD_JSON');
  });
});

describe('output to a pipe that closes early', () => {
  it('`dump | head -1` of a 40,000-line dump: exit 0, no stack trace', async () => {
    const ds = new DataSet();
    ds.putSequence(
      0x0040a730,
      Array.from({ length: 20_000 }, (_, i) => new DataSet().putStrings(0x0040a160, 'UT', `item ${i}`)),
    );
    const f = join(dir, 'many-items.dcm');
    await writeFile(f, part10(ds));
    const r = await runTool('bash', ['-c', `set -o pipefail; node bin/sonicart.js dump "$1" | head -1`, 'bash', f], { cwd: ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^# File: /);
    expect(r.stderr).toBe('');
  });
});

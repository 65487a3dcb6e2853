/**
 * Two `sonicart export --add` processes onto one medium at the same moment. Without a lock
 * both read the same DICOMDIR, plan the same File IDs, overwrite each other's files, and the
 * last DICOMDIR wins: records pointing at another image, records and files lost, both exit 0.
 * With the lock the second waits for the first; the file-set is checked by DCMTK and pydicom.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSonicart, scratchDir } from '../helpers/run-tool.js';
import { sopsOf, verifyFileSet } from '../helpers/fileset-check.js';
import { writeStudySet } from '../unit/media/us-files.js';


let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await scratchDir('sonicart-media-race-')));
afterEach(() => cleanup());

const sonicart = (args: readonly string[]) => runSonicart(args);

describe('two export processes onto one medium at once', () => {
  it('both succeed one after the other; every record points at its own file and nothing is lost', async () => {
    const stick = join(dir, 'stick');
    const [first, a, b] = [join(dir, 'first'), join(dir, 'a'), join(dir, 'b')];
    for (const d of [stick, first, a, b]) await mkdir(d);
    const base = await writeStudySet(first, { prefix: 'base', perPatient: 2 });
    // Same patient in all three, so both exports merge into the same PATIENT record and
    // would pick the same next File IDs if they interleaved.
    const fromA = await writeStudySet(a, { prefix: 'procA', perPatient: 20, rows: 512, columns: 512 });
    const fromB = await writeStudySet(b, { prefix: 'procB', perPatient: 20, rows: 512, columns: 512 });
    const made = await sonicart(['export', '--profile', 'STD-GEN-USB-JPEG', '--out', stick, first]);
    expect(made.code, made.stderr).toBe(0);

    const [ra, rb] = await Promise.all([
      sonicart(['export', '--profile', 'STD-GEN-USB-JPEG', '--out', stick, '--add', a]),
      sonicart(['export', '--profile', 'STD-GEN-USB-JPEG', '--out', stick, '--add', b]),
    ]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    expect(ra.stdout).toMatch(/^FSU .*: 20 file\(s\)/);
    expect(rb.stdout).toMatch(/^FSU .*: 20 file\(s\)/);

    const expected = await sopsOf([...base, ...fromA, ...fromB]);
    const seen = await verifyFileSet(stick, dir, expected);
    expect(seen.sops).toHaveLength(42);
  });
});

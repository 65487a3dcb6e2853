import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomically } from '../../../device/files/atomic-write.js';
import { JOURNAL_NAME, isLeftoverTemp, recoverInterrupted, writeJournal } from '../../../device/media/leftovers.js';
import { scratchDir } from '../../helpers/run-tool.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await scratchDir('sonicart-leftovers-')));
afterEach(() => cleanup());

describe('our temporary names', () => {
  it('match what the atomic writer really creates (so a change there cannot silently stop the clean-up)', async () => {
    let seen: string[] = [];
    await writeFileAtomically(join(dir, 'I0000001'), async (write) => {
      await write(new Uint8Array(4));
      seen = await readdir(dir);
    });
    expect(seen).toHaveLength(1);
    expect(isLeftoverTemp(seen[0]!)).toBe(true);
  });

  it.each(['DICOMDIR', 'I0000001', '.DS_Store', '.Trashes', '.hidden.tmp', '._I0000001', '.sonicart-export.lock', 'x.123.456.tmp'])('never match a name that is not ours: %s', (name) => {
    expect(isLeftoverTemp(name)).toBe(false);
  });

  it('match the transcoder spool name', () => {
    expect(isLeftoverTemp('.sonicart-transcode-4242-0a1b2c3d4e5f.spool')).toBe(true);
  });
});

describe('recovering from an export killed before its commit', () => {
  it('removes temporaries and the journal files the DICOMDIR does not name; keeps what it names and what is not ours', async () => {
    const leaf = join(dir, 'DICOM', 'P0000001', 'S0000001', 'X0000001');
    await mkdir(leaf, { recursive: true });
    await mkdir(join(dir, 'DICOM', 'P0000002', 'S0000001', 'X0000001'), { recursive: true });
    for (const f of ['I0000001', 'I0000002', '.I0000003.77.1700000000000.tmp']) await writeFile(join(leaf, f), 'x');
    await writeFile(join(dir, 'DICOM', 'P0000002', 'S0000001', 'X0000001', 'I0000001'), 'x');
    await writeFile(join(dir, '.DS_Store'), 'not ours');
    await writeJournal(dir, ['DICOM/P0000001/S0000001/X0000001/I0000001', 'DICOM/P0000001/S0000001/X0000001/I0000002', 'DICOM/P0000002/S0000001/X0000001/I0000001']);
    // The DICOMDIR (as committed before the kill) names only the first file.
    const named = async () => new Set(['DICOM/P0000001/S0000001/X0000001/I0000001']);
    const r = await recoverInterrupted(dir, named);
    expect(r.temps.map((p) => p.slice(dir.length))).toEqual(['/DICOM/P0000001/S0000001/X0000001/.I0000003.77.1700000000000.tmp']);
    expect(r.orphans.map((p) => p.slice(dir.length)).sort()).toEqual(['/DICOM/P0000001/S0000001/X0000001/I0000002', '/DICOM/P0000002/S0000001/X0000001/I0000001']);
    expect(await readdir(leaf)).toEqual(['I0000001']);
    expect((await readdir(join(dir, 'DICOM'))).sort()).toEqual(['P0000001']); // the emptied folders went too
    expect((await readdir(dir)).sort()).toEqual(['.DS_Store', 'DICOM']);
    expect(await readdir(dir)).not.toContain(JOURNAL_NAME);
  });

  it('a journal path that climbs out of the medium is ignored', async () => {
    await mkdir(join(dir, 'medium'));
    await writeFile(join(dir, 'outside'), 'x');
    await writeJournal(join(dir, 'medium'), ['../outside']);
    await recoverInterrupted(join(dir, 'medium'), async () => new Set());
    expect((await readdir(dir)).sort()).toEqual(['medium', 'outside']);
  });
});

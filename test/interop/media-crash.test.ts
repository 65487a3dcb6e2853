/**
 * `sonicart export --add` killed with SIGKILL at random moments while it writes. The old
 * file-set must stay whole after each kill, and the next scan (`media read`) and the next
 * export remove what the killed one left: our hidden temporaries and the files it wrote but
 * never recorded. Nothing on the medium is ever taken for an instance because of its name.
 * Checked by pydicom FileSet, DCMTK (dcmdump, dcmmkdir +A) and dicom3tools (dcentvfy).
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IMPLICIT_VR_LE } from '../../dicom/encoding/index.js';
import { REPO_ROOT, runSonicart, runTool, SONICART_BIN, scratchDir } from '../helpers/run-tool.js';
import { sopsOf, verifyFileSet } from '../helpers/fileset-check.js';
import { writeStudySet } from '../unit/media/us-files.js';
import { mulberry32 } from '../../hw-sim/frame-grabber/prng.js';

const KILLS = 10;
/** Fixed so a failure can be replayed; SONICART_CRASH_SEED tries others. */
const SEED = Number(process.env['SONICART_CRASH_SEED'] ?? 20260430);

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await scratchDir('sonicart-media-crash-')));
afterEach(() => cleanup());

const run = (args: readonly string[]) => runSonicart(args);

async function hiddenOn(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && e.name.startsWith('.')).map((e) => e.name);
}

/** Starts an export, waits until it is writing (a hidden file of ours appears), then SIGKILLs it after `extraMs`. */
async function killWhileWriting(args: readonly string[], stick: string, extraMs: number): Promise<'killed' | 'finished'> {
  const child = spawn(process.execPath, [SONICART_BIN, ...args], { cwd: REPO_ROOT, stdio: 'ignore' });
  let exited = false;
  const exit = new Promise<void>((r) => child.on('exit', () => ((exited = true), r())));
  while (!exited && (await hiddenOn(stick)).length === 0) await new Promise((r) => setTimeout(r, 2));
  if (!exited) {
    await new Promise((r) => setTimeout(r, extraMs));
    if (!exited) child.kill('SIGKILL');
  }
  await exit;
  return child.signalCode === 'SIGKILL' ? 'killed' : 'finished';
}

describe('export killed mid-write', () => {
  it(`${KILLS} SIGKILLs at random moments: the scan and the next export clean up, the file-set ends whole`, async () => {
    const random = mulberry32(SEED);
    const stick = join(dir, 'stick');
    const first = join(dir, 'first');
    await mkdir(stick);
    await mkdir(first);
    const base = await writeStudySet(first, { prefix: 'crashbase', perPatient: 2 });
    const made = await run(['export', '--profile', 'STD-GEN-USB-JPEG', '--out', stick, first]);
    expect(made.code, made.stderr).toBe(0);

    const sources: string[] = [];
    const all = [...base];
    for (let i = 0; i < KILLS; i++) {
      const src = join(dir, `src${i}`);
      await mkdir(src);
      // Half of them in Implicit VR LE, so the rewrite (convert) path is killed too.
      all.push(...(await writeStudySet(src, { prefix: `crash${i}`, perPatient: 8, rows: 512, columns: 512, ...(i % 2 ? { ts: IMPLICIT_VR_LE } : {}) })));
      sources.push(src);
    }
    const outcomes: string[] = [];
    for (let i = 0; i < KILLS; i++) {
      const args = ['export', '--profile', 'STD-GEN-USB-JPEG', '--out', stick, '--add', sources[i]!];
      outcomes.push(await killWhileWriting(args, stick, Math.floor(random() * 40)));
    }
    const temps = (await hiddenOn(stick)).filter((n) => n.endsWith('.tmp'));
    expect(outcomes.filter((o) => o === 'killed').length, `seed ${SEED}: ${outcomes.join(' ')}`).toBeGreaterThan(KILLS / 2);

    // A file named like our temporaries in an input folder is never exported as an instance.
    await copyFile(all[2]!, join(sources[0]!, '.I0000001.123.456.tmp'));

    // The scan cleans up and the file-set reads whole (each kill happened before or after the commit).
    const read = await run(['media', 'read', stick]);
    expect(read.code, `seed ${SEED}: ${read.stdout}${read.stderr}`).toBe(0);
    if (temps.length > 0) expect(read.stdout).toMatch(/^cleaned up after an interrupted export: /m);
    expect(await hiddenOn(stick)).toEqual([]);

    const again = await run(['export', '--profile', 'STD-GEN-USB-JPEG', '--out', stick, '--add', ...sources]);
    expect(again.code, again.stderr).toBe(0);
    const seen = await verifyFileSet(stick, dir, await sopsOf(all));
    expect(seen.sops).toHaveLength(2 + KILLS * 8);
    const ent = await runTool('dcentvfy', seen.files.filter((f) => f !== 'DICOMDIR').map((f) => join(stick, f)));
    expect(ent.stdout + ent.stderr).not.toMatch(/^Error/m);
    expect(ent.code, ent.stdout + ent.stderr).toBe(0);
  });
});

/**
 * Memory bound of capture (issue 8): a cine is written while it is recorded, so the peak
 * resident set of `sonicart capture` does not grow with the cine's length, and a big still is
 * not held more than once or twice. Measured on the real command (bin/sonicart.js, a child
 * process) by the kernel's own high-water mark (VmHWM); memory, not time, is asserted.
 * The files are then checked by dciodvfy and dcmdump. Speed and the 120 s figures: bench/.
 */
import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNodeWithPeakRss } from '../helpers/peak-rss.js';
import { runTool, scratchDir } from '../helpers/run-tool.js';

const SONICART = join(import.meta.dirname, '../../bin/sonicart.js');
const MiB = 2 ** 20;

async function checkFile(dir: string): Promise<string> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.dcm'));
  expect(files).toHaveLength(1);
  expect(await readdir(dir)).toEqual(files); // no spool left behind
  const path = join(dir, files[0]!);
  const v = await runTool('dciodvfy', [path]);
  expect(v.stderr.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
  expect((await runTool('dcmdump', ['-q', path])).code).toBe(0);
  return path;
}

describe('capture memory stays bounded', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await scratchDir('sonicart-capture-mem-')));
  afterAll(() => cleanup());

  it('an 8 s 800×600 RGB cine (330 MiB of frames) peaks under 250 MiB', async () => {
    const out = join(dir, 'cine');
    execFileSync('mkdir', ['-p', out]);
    const r = await runNodeWithPeakRss(SONICART, ['capture', '--kind', 'cine', '--seconds', '8', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\n240 frame\(s\), RGB, 345\.60 MB/);
    // Holding the frames would need 240 × 1.44 MB = 330 MiB on top of Node itself.
    expect(r.peakMiB).toBeLessThan(250);
    await checkFile(out);
  });

  it('a 4096×3072 RGB still from live video (36 MiB a frame) peaks under 200 MiB', async () => {
    // A grabber delivering big frames at 5 frames/s: only the newest is kept, never a queue.
    const video = join(dir, 'big.mkv');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=4096x3072:rate=5', '-t', '1', '-c:v', 'mjpeg', '-q:v', '3', '-y', video]);
    const out = join(dir, 'still');
    execFileSync('mkdir', ['-p', out]);
    const r = await runNodeWithPeakRss(SONICART, ['capture', '--kind', 'still', '--source', `file:${video}`, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.peakMiB).toBeLessThan(200);
    const path = await checkFile(out);
    expect((await runTool('dcmdump', ['+P', '0028,0010', '+P', '0028,0011', path])).stdout).toMatch(/US 3072[\s\S]*US 4096/);
  });
});

import { describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { main } from '../../../device/cli/main.js';
import { CAPTURE_INCOMPLETE, captureCommand } from '../../../device/cli/commands/capture.js';
import { SimulatedFrameSource } from '../../../hw-sim/frame-grabber/index.js';
import { scratchDir } from '../../helpers/run-tool.js';

describe('sonicart capture', () => {
  it('captures a short cine from the simulator into DIR', async () => {
    const { dir, cleanup } = await scratchDir();
    try {
      const out: string[] = [];
      const code = await main(['capture', '--kind', 'cine', '--seconds', '0.3', '--ts', 'jpeg-lossless', '--out', dir], { out: (s) => out.push(s), err: (s) => out.push(s) });
      expect(code, out.join('\n')).toBe(0);
      expect((await readdir(dir)).filter((f) => f.endsWith('.dcm'))).toHaveLength(1);
      expect(out[1]).toMatch(/^9 frame\(s\), RGB/);
    } finally {
      await cleanup();
    }
  });
  it('refuses, with status 2 and before recording, an uncompressed cine longer than a Pixel Data element can hold', async () => {
    const { dir, cleanup } = await scratchDir();
    try {
      const err: string[] = [];
      // 120 s × 30 frames/s × 1.44 MB = 5.2 GB > 4 GiB (the element's 32-bit length); it used to write a corrupt file and exit 0.
      expect(await main(['capture', '--kind', 'cine', '--seconds', '120', '--out', dir], { out: () => undefined, err: (s) => err.push(s) })).toBe(2);
      expect(err.join('\n')).toMatch(/4 GiB.*at most 99 s with --ts explicit/);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await cleanup();
    }
  });
  it('a cine with frames missing (lost by the source) is stored but exits 3 with a warning, not plain success', async () => {
    const { dir, cleanup } = await scratchDir();
    try {
      const out: string[] = [];
      const err: string[] = [];
      // The grabber loses frames 5 and 6 of what it captures.
      const lossy = () => Promise.resolve(new SimulatedFrameSource({ width: 64, height: 48, fps: 20, skip: (n) => n === 5 || n === 6 }));
      const code = await captureCommand({ kind: 'cine', seconds: '0.6', ts: 'jpeg-lossless', out: dir }, lossy, (s) => out.push(s), (s) => err.push(s));
      expect(code).toBe(CAPTURE_INCOMPLETE);
      expect(err.join('\n')).toMatch(/warning: .*\.dcm is incomplete: 2 frame\(s\) missing inside the cine .*\[CAPTURE_INCOMPLETE\]/);
      expect((await readdir(dir)).filter((f) => f.endsWith('.dcm'))).toHaveLength(1);
      expect(out[1]).toMatch(/lost by source 2$/);
    } finally {
      await cleanup();
    }
  });
  it('a cine cut short by the source ending exits 3; a complete one exits 0', async () => {
    const { dir, cleanup } = await scratchDir();
    try {
      const err: string[] = [];
      const short = () => Promise.resolve(new SimulatedFrameSource({ width: 64, height: 48, fps: 20, maxFrames: 4 }));
      expect(await captureCommand({ kind: 'cine', seconds: '1', ts: 'explicit', out: dir }, short, () => undefined, (s) => err.push(s))).toBe(CAPTURE_INCOMPLETE);
      expect(err.join('\n')).toMatch(/the source ended before 1 s were recorded \(\d frame\(s\)\)/);
      const whole = () => Promise.resolve(new SimulatedFrameSource({ width: 64, height: 48, fps: 20 }));
      expect(await captureCommand({ kind: 'cine', seconds: '0.3', ts: 'explicit', out: dir }, whole, () => undefined, (s) => err.push(s))).toBe(0);
    } finally {
      await cleanup();
    }
  });
  it('refuses a bad command line with status 2', async () => {
    const err: string[] = [];
    expect(await main(['capture', '--kind', 'movie', '--out', '/tmp'], { out: () => undefined, err: (s) => err.push(s) })).toBe(2);
    expect(await main(['capture', '--kind', 'still', '--ts', 'j2k', '--out', '/tmp'], { out: () => undefined, err: (s) => err.push(s) })).toBe(2);
  });
});

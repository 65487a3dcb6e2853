/**
 * The frame spool shared by capture and transcoding: frames back in order, the Basic Offset
 * Table of one fragment per frame with odd sizes padded (PS3.5 A.4), native chunks across
 * frame boundaries, a reader that follows appends and sees the writer's failure, no file left.
 */
import { access } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameSpool } from '../../../device/codecs/index.js';
import { scratchDir } from '../../helpers/run-tool.js';

const bytes = (n: number, v: number) => new Uint8Array(n).fill(v);

describe('frame spool', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await scratchDir('sonicart-spool-')));
  afterAll(() => cleanup());

  it('gives the frames back, an offset table with odd fragments padded, and removes its file', async () => {
    const s = await FrameSpool.create(dir);
    for (const [n, v] of [[5, 1], [8, 2], [3, 3]] as const) await s.append(bytes(n, v));
    expect([s.count, s.bytes, s.fragmentBytes]).toEqual([3, 16, 6 + 8 + 4]);
    const t = new DataView(s.offsetTable().buffer);
    expect([0, 1, 2].map((i) => t.getUint32(4 * i, true))).toEqual([0, 8 + 6, 8 + 6 + 8 + 8]);
    const back: number[][] = [];
    for await (const f of s.frames()) back.push([...f]);
    expect(back).toEqual([[1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2, 2, 2], [3, 3, 3]]);
    const all: number[] = [];
    for await (const c of s.chunks()) all.push(...c);
    expect(all).toEqual(back.flat());
    await s.dispose();
    await expect(access(s.path)).rejects.toMatchObject({ code: 'ENOENT' });
    await s.dispose(); // twice is fine
  });

  it('lets a reader follow frames as they are appended, and end with the writer', async () => {
    const s = await FrameSpool.create(dir);
    const got: number[] = [];
    const reader = (async () => {
      for await (const f of s.follow()) got.push(f[0]!);
    })();
    for (let i = 1; i <= 4; i++) {
      await s.append(bytes(10, i));
      await new Promise((r) => setImmediate(r));
    }
    s.endAppending();
    await reader;
    expect(got).toEqual([1, 2, 3, 4]);
    await s.dispose();
  });

  it("makes the follower fail with the writer's error instead of ending as if complete", async () => {
    const s = await FrameSpool.create(dir);
    await s.append(bytes(4, 1));
    const failure = Object.assign(new Error('grabber gone'), { code: 'CAPTURE_SOURCE_FAILED' });
    const reader = (async () => {
      for await (const f of s.follow()) void f;
    })();
    s.endAppending(failure);
    await expect(reader).rejects.toBe(failure);
    await s.dispose();
  });
});

/**
 * The encoder pool's contract: results equal the in-thread encoder's, byte for byte (the codec
 * itself is checked against DCMTK in test/interop/jpeg-lossless-dcmtk.test.ts); buffers move
 * by transfer only when the caller gives them up; the queue is bounded; codec errors and a
 * closed pool reject with typed errors; the pool keeps working after an error.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EncoderPool } from '../../../device/codecs/index.js';
import { encodeJpegLossless } from '../../../dicom/pixel/index.js';
import { runTool } from '../../helpers/run-tool.js';

const rows = 48;
const columns = 64;
function frame(seed: number): Uint8Array {
  const f = new Uint8Array(rows * columns * 3);
  for (let i = 0; i < f.length; i++) f[i] = (i * seed + (i >> 7)) & 0xff;
  return f;
}
const job = (data: Uint8Array | Uint16Array, bitsStored = 8) => ({ kind: 'jpeg-lossless' as const, data, rows, columns, samplesPerPixel: 3 as const, bitsStored });

describe('encoder pool (worker threads)', () => {
  const pool = new EncoderPool({ size: 2, maxQueued: 2 });
  afterAll(() => pool.close());

  it('gives the same bytes as the encoder run in this thread, in the order asked', async () => {
    const frames = [1, 2, 3, 4, 5, 6, 7].map(frame);
    const out = await Promise.all(frames.map((f) => pool.run(job(f))));
    out.forEach((o, i) => expect(Buffer.from(o).equals(Buffer.from(encodeJpegLossless(frames[i]!, { rows, columns, samplesPerPixel: 3, bitsStored: 8, predictor: 1 })))).toBe(true));
  });

  it('moves a buffer the caller gives up, and copies one it keeps', async () => {
    const kept = frame(3);
    await pool.run(job(kept));
    expect(kept.byteLength).toBe(rows * columns * 3);
    expect(kept[100]).toBe(frame(3)[100]);
    const given = frame(3);
    const p = pool.run(job(given), { owned: true });
    expect(given.byteLength).toBe(0); // detached: it went to the worker, not copied
    await p;
  });

  it('clears bits above Bits Stored in 16-bit samples, as the transcoder needs (PS3.5 8.1.1)', async () => {
    const s = new Uint16Array(rows * columns * 3).map((_, i) => (i % 4096) | 0xf000);
    const out = await pool.run(job(s, 12));
    const expected = encodeJpegLossless(s.map((v) => v & 0x0fff), { rows, columns, samplesPerPixel: 3, bitsStored: 12, predictor: 1 });
    expect(Buffer.from(out).equals(Buffer.from(expected))).toBe(true);
  });

  it('holds at most maxQueued jobs; more callers wait their turn (back-pressure)', async () => {
    const all = Array.from({ length: 9 }, (_, i) => pool.run(job(frame(i + 1))));
    expect(pool.load.queued).toBeLessThanOrEqual(2);
    expect(pool.load.running).toBeLessThanOrEqual(2);
    expect((await Promise.all(all)).every((o) => o[0] === 0xff && o[1] === 0xd8)).toBe(true);
    expect(pool.load).toMatchObject({ queued: 0, running: 0 });
  });

  it('rejects a frame the codec refuses with a typed error naming the codec code, then carries on', async () => {
    const bad = { ...job(frame(1)), rows: 0 };
    await expect(pool.run(bad)).rejects.toMatchObject({ name: 'CaptureError', code: 'CAPTURE_ENCODER_FAILED', detail: { code: 'JPEG_ENCODE_BAD_ARGUMENT' } });
    const wrongSize = { ...job(frame(1)), rows: rows + 1 };
    await expect(pool.run(wrongSize)).rejects.toMatchObject({ code: 'CAPTURE_ENCODER_FAILED', detail: { code: 'JPEG_ENCODE_BAD_ARGUMENT' } });
    expect((await pool.run(job(frame(2))))[1]).toBe(0xd8);
  });

  it('never keeps a process alive while idle: a command that used it exits without closing it', async () => {
    // It used to: a warmed worker that never got a job held the process open for ever.
    const child = join(import.meta.dirname, 'idle-pool.child.ts');
    const r = await runTool(process.execPath, ['--import', 'tsx', child], { timeoutMs: 30_000 });
    expect(r).toMatchObject({ code: 0, stdout: 'encoded\n' });
  });

  it('after close(), queued and new jobs are refused with ENCODER_POOL_CLOSED and the threads are gone', async () => {
    const p = new EncoderPool({ size: 1, maxQueued: 4 });
    await p.warm();
    expect(p.load.workers).toBe(1);
    const running = p.run(job(frame(1)));
    const queued = p.run(job(frame(2)));
    queued.catch(() => undefined);
    await p.close();
    await expect(queued).rejects.toMatchObject({ code: 'CAPTURE_ENCODER_FAILED', detail: { code: 'ENCODER_POOL_CLOSED' } });
    expect((await running)[1]).toBe(0xd8); // the running one finished
    await expect(p.run(job(frame(3)))).rejects.toMatchObject({ detail: { code: 'ENCODER_POOL_CLOSED' } });
    expect(p.load.workers).toBe(0);
  });
});

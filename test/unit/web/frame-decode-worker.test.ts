/**
 * Playback and thumbnail decode on the encoder pool's worker threads (frame-image.ts →
 * codecs/frame8.ts): a corrupt JPEG frame is a clear 422 naming the frame and the decoder's
 * code, the worker and the pool survive it (the next frame decodes), and a closed pool is a 503,
 * not a hang.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncoderPool } from '../../../device/codecs/index.js';
import { decodeFrame8 } from '../../../device/web/frame-image.js';
import { scratchDir } from '../../helpers/run-tool.js';
import { captureToDir, sim } from '../capture/capture-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let good: string;
let corrupt: string;
const pool = new EncoderPool({ size: 1 });

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-frame-worker-'));
  good = (await captureToDir(sim({ width: 64, height: 48 }), 'cine', 'jpeg-lossless', dir, { seconds: 0.2 })).path;
  // Frame 0's entropy-coded data overwritten: the stream's markers are gone after its SOI.
  const bytes = new Uint8Array(await readFile(good));
  const soi = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xd8 && bytes[i + 2] === 0xff);
  bytes.fill(0x00, soi + 2, soi + 40);
  corrupt = `${good}.corrupt.dcm`;
  await writeFile(corrupt, bytes);
});
afterAll(async () => {
  await pool.close();
  await cleanup();
});

describe('frame decode on worker threads', () => {
  it('decodes a JPEG Lossless frame to the RGB samples', async () => {
    const f = await decodeFrame8(good, 1, pool);
    expect([f.width, f.height, f.channels, f.data.length]).toEqual([64, 48, 3, 64 * 48 * 3]);
  });

  it('a corrupt frame is a 422 naming the frame and the decoder code; the worker lives on', async () => {
    const failed = decodeFrame8(corrupt, 0, pool);
    await expect(failed).rejects.toMatchObject({ httpStatus: 422, code: 'API_UNDECODABLE_PIXELS' });
    await expect(failed).rejects.toThrow(/^frame 0 cannot be decoded: .+ \[JPEG_[A-Z_]+\]$/);
    // Frame 1 of the same file is intact, and the same worker decodes it.
    expect((await decodeFrame8(corrupt, 1, pool)).data.length).toBe(64 * 48 * 3);
    expect(pool.load.workers).toBe(1);
  });

  it('a closed pool answers 503, not a hang', async () => {
    const closed = new EncoderPool({ size: 1 });
    await closed.close();
    await expect(decodeFrame8(good, 0, closed)).rejects.toMatchObject({ httpStatus: 503, code: 'API_DECODER_UNAVAILABLE' });
  });
});

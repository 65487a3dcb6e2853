// Child process of encoder-pool.test.ts: warms a pool, uses one of its two workers, and ends
// without closing it. The process must exit on its own (idle workers do not hold it open).
import { EncoderPool } from '../../../device/codecs/index.js';

const pool = new EncoderPool({ size: 2 });
await pool.warm();
await pool.run({ kind: 'jpeg-lossless', data: new Uint8Array(8 * 8), rows: 8, columns: 8, samplesPerPixel: 1, bitsStored: 8 });
process.stdout.write('encoded\n');

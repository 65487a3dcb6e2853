/**
 * Thumbnails and playback frames from stored files: sizes, the disk cache for thumbnails, the
 * bounded in-memory cache for frames (a hit is served without the file; a tiny budget evicts),
 * and typed refusals for unknown instances, missing frames and undecodable pixel data.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JPEG_BASELINE } from '../../../dicom/encoding/index.js';
import { nullLogger } from '../../../device/log/logger.js';
import { Thumbnails } from '../../../device/web/thumbnails.js';
import { scratchDir } from '../../helpers/run-tool.js';
import { writeUsFile } from '../media/us-files.js';

let dir: string;
let cleanup: () => Promise<void>;
const files = new Map<string, string>();
const spec = { patientName: 'Doe^Jane', patientId: 'P1', study: '2.25.1', series: '2.25.2' };

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-thumbs-'));
  for (const [uid, opts] of [
    ['2.25.10', { rows: 240, columns: 320 }],
    ['2.25.11', { rows: 240, columns: 320 }],
    ['2.25.12', { rows: 16, columns: 16 }],
    ['2.25.13', { ts: JPEG_BASELINE }],
  ] as const) {
    const path = join(dir, `${uid}.dcm`);
    await writeUsFile(path, { ...spec, sop: uid, ...opts });
    files.set(uid, path);
  }
});
afterAll(() => cleanup());

const make = (frameCacheBytes?: number): Thumbnails =>
  new Thumbnails({ cacheDir: join(dir, 'cache'), fileOf: (uid) => files.get(uid), log: nullLogger, ...(frameCacheBytes !== undefined ? { frameCacheBytes } : {}) });

describe('thumbnails', () => {
  it('reduces to at most 160 px, keeps the aspect, never enlarges; the disk cache answers once the file is gone', async () => {
    const t = make();
    const big = jpeg.decode(await t.get('2.25.10'));
    expect([big.width, big.height]).toEqual([160, 120]);
    const small = jpeg.decode(await t.get('2.25.12'));
    expect([small.width, small.height]).toEqual([16, 16]);
    await rm(files.get('2.25.10')!);
    expect(jpeg.decode(await make().get('2.25.10')).width).toBe(160);
  });

  it('refuses an unknown instance (404) and undecodable pixel data (422) with codes', async () => {
    await expect(make().get('2.25.99')).rejects.toMatchObject({ httpStatus: 404, code: 'API_NO_SUCH_INSTANCE' });
    await expect(make().get('2.25.13')).rejects.toMatchObject({ httpStatus: 422, code: 'API_UNDECODABLE_PIXELS' });
  });
});

describe('playback frames', () => {
  it('full size; a cached frame is served without the file; past the last frame is 404', async () => {
    const t = make();
    const a = await t.frame('2.25.11', 0);
    expect([jpeg.decode(a).width, jpeg.decode(a).height]).toEqual([320, 240]);
    await expect(t.frame('2.25.11', 1)).rejects.toMatchObject({ httpStatus: 404, code: 'API_NO_SUCH_FRAME' });
    const path = files.get('2.25.11')!;
    files.delete('2.25.11');
    expect(await t.frame('2.25.11', 0)).toBe(a);
    files.set('2.25.11', path);
  });

  it('the memory budget evicts: with room for nothing, every request decodes again', async () => {
    const t = make(1);
    await t.frame('2.25.12', 0);
    const path = files.get('2.25.12')!;
    files.delete('2.25.12');
    await expect(t.frame('2.25.12', 0)).rejects.toMatchObject({ code: 'API_NO_SUCH_INSTANCE' });
    files.set('2.25.12', path);
  });
});

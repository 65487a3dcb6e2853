/**
 * The packed ring of a lossless capture: the Sub filter + deflate packing gives back exactly the
 * samples it was given (RGB and grey, simulator frames and noise), smaller; a ring fed by the
 * RingEncoder with the packer holds frames raw at once and packed once packed, and its leases
 * give raw samples (so a capture encodes them as it would a raw ring's); frames the packer
 * skipped or failed on stay raw; a corrupt packing is a typed failure of the capture, never a
 * wrong image; the packer and the ring refuse what they cannot take.
 */
import { describe, expect, it } from 'vitest';
import { FrameRingBuffer, RingEncoder, SUB_DEFLATE_PACKING, SubDeflatePacker, subFilter, unSubFilter, type Frame } from '../../../device/capture/index.js';
import { jpegLosslessEncoder } from '../../../device/codecs/index.js';
import { SimulatedFrameSource } from '../../../hw-sim/frame-grabber/index.js';

const W = 160;
const H = 120;
const source = new SimulatedFrameSource({ width: W, height: H, fps: 25, seed: 3, realtime: false });
const frame = (sequence: number): Frame => ({ data: source.renderFrame(sequence), width: W, height: H, format: 'RGB24', timestampMs: sequence * 40, sequence });
const packedRing = (maxBytes = 64 * W * H * 3) => new FrameRingBuffer({ width: W, height: H, format: 'RGB24', seconds: 100, maxBytes, packing: new SubDeflatePacker() });
const noise = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 24);

describe('ring packing (Sub filter + deflate)', () => {
  it('the filter is undone exactly, for RGB and grey, whatever the samples', () => {
    for (const bpp of [1, 3] as const) {
      for (const data of [noise(3 * 1000), source.renderFrame(7), new Uint8Array(300).fill(255)]) {
        const filtered = subFilter(data, bpp);
        expect(filtered.length).toBe(data.length);
        expect(Buffer.from(unSubFilter(filtered, bpp)).equals(Buffer.from(data))).toBe(true);
      }
    }
  });

  it('packs a simulator frame smaller and unpacks it bit for bit; grey frames too', async () => {
    const p = new SubDeflatePacker();
    const f = frame(11);
    const packed = await p.encode({ data: f.data, width: W, height: H, samplesPerPixel: 3 });
    expect(packed.length).toBeLessThan(f.data.length / 1.5);
    expect(packed.buffer.byteLength).toBe(packed.byteLength); // the ring counts what it holds: no larger zlib chunk behind it
    expect(Buffer.from(await p.unpack(packed, f)).equals(Buffer.from(f.data))).toBe(true);
    const grey: Frame = { data: noise(W * H), width: W, height: H, format: 'GRAY8', timestampMs: 0, sequence: 1 };
    const g = await p.encode({ data: grey.data, width: W, height: H, samplesPerPixel: 1 });
    expect(Buffer.from(await p.unpack(g, grey)).equals(Buffer.from(grey.data))).toBe(true);
  });

  it('refuses samples it cannot pack, and a packing that does not unpack to the frame, with typed errors', async () => {
    const p = new SubDeflatePacker();
    await expect(p.encode({ data: new Uint16Array(W * H * 3), width: W, height: H, samplesPerPixel: 3 })).rejects.toMatchObject({ code: 'CAPTURE_ENCODER_FAILED' });
    await expect(p.encode({ data: new Uint8Array(10), width: W, height: H, samplesPerPixel: 3 })).rejects.toMatchObject({ code: 'CAPTURE_ENCODER_FAILED' });
    const f = frame(2);
    await expect(p.unpack(new Uint8Array([1, 2, 3, 4, 5]), f)).rejects.toMatchObject({ code: 'CAPTURE_ENCODER_FAILED', detail: { sequence: 2 } });
    const short = await p.encode({ data: f.data.subarray(0, W * 3), width: W, height: 1, samplesPerPixel: 3 });
    await expect(p.unpack(short, f)).rejects.toThrow(/frame 2 unpacked from the ring is 480 bytes/);
    const long = await p.encode({ data: new Uint8Array(W * H * 6), width: W, height: H * 2, samplesPerPixel: 3 });
    await expect(p.unpack(long, f)).rejects.toMatchObject({ code: 'CAPTURE_ENCODER_FAILED' });
  });
});

describe('packed ring', () => {
  it('holds frames raw at once, packed once packed; its leases give the raw samples back, in order', async () => {
    const r = packedRing();
    const re = new RingEncoder({ ring: r, encoder: () => new SubDeflatePacker() });
    for (let n = 0; n < 6; n++) expect(re.offer(frame(n))).toBe(true);
    expect(r.stats()).toMatchObject({ frames: 6 });
    expect(r.stats().rawFrames).toBeGreaterThan(0); // not packed yet: held raw, no gap
    await re.drained();
    const s = r.stats();
    expect(s).toMatchObject({ frames: 6, rawFrames: 0, encoderFailed: 0, encoderSkipped: 0 });
    expect(s.bytes).toBeLessThan((6 * W * H * 3) / 1.5);
    const lease = r.leaseLast(100);
    expect(lease.transferSyntaxUid).toBeUndefined(); // a capture encodes what the lease gives
    const got: Frame[] = [];
    for (let f = await lease.next(); f; f = await lease.next()) got.push(f);
    expect(got.map((f) => f.sequence)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const f of got) expect(Buffer.from(f.data).equals(Buffer.from(source.renderFrame(f.sequence))), `frame ${f.sequence}`).toBe(true);
    expect(r.held()[0]!.data.length).toBeLessThan(W * H * 3); // still packed in the ring
    lease.release();
    await re.close();
  });

  it('frames the packer skipped or failed on stay raw and are given as they are; push() takes frames to pack', async () => {
    const r = packedRing();
    const p = new SubDeflatePacker();
    for (let n = 0; n < 4; n++) expect(r.push(frame(n))).toBe(true);
    expect(r.stats().rawFrames).toBe(4);
    r.settle(0, 'skipped');
    r.settle(1, 'failed');
    r.settle(2, await p.encode({ data: frame(2).data, width: W, height: H, samplesPerPixel: 3 }));
    expect(r.stats()).toMatchObject({ rawFrames: 3, encoderSkipped: 1, encoderFailed: 1 });
    const lease = r.leaseLast(100);
    for (let f = await lease.next(); f; f = await lease.next()) expect(Buffer.from(f.data).equals(Buffer.from(source.renderFrame(f.sequence))), `frame ${f.sequence}`).toBe(true);
    lease.release();
  });

  it('a corrupt packed frame fails the reader with a typed error naming it, not with a wrong image', async () => {
    const r = packedRing();
    r.pushRaw(frame(0));
    r.settle(0, new Uint8Array([9, 9, 9]));
    const lease = r.leaseLast(100);
    await expect(lease.next()).rejects.toMatchObject({ code: 'CAPTURE_ENCODER_FAILED', detail: { sequence: 0 } });
    lease.release();
  });

  it('under the byte budget, evicts the oldest and holds more frames packed than raw', async () => {
    const r = packedRing(4 * W * H * 3); // four raw frames
    const re = new RingEncoder({ ring: r, encoder: () => new SubDeflatePacker(), maxInFlight: 1 });
    for (let n = 0; n < 12; n++) {
      re.offer(frame(n));
      await re.drained();
    }
    const s = r.stats();
    expect(s.bytes).toBeLessThanOrEqual(4 * W * H * 3);
    expect(s.frames).toBeGreaterThan(4);
    expect(s).toMatchObject({ droppedFull: 0, sourceGaps: 0 });
    expect(r.held().at(-1)!.sequence).toBe(11);
    await re.close();
  });

  it('is fed only by its packer, and is packed or encoded, not both', () => {
    expect(() => new RingEncoder({ ring: packedRing(), encoder: () => jpegLosslessEncoder() })).toThrow(new RegExp(`holds ${SUB_DEFLATE_PACKING.replace(/\./g, '\\.')}`));
    expect(() => new FrameRingBuffer({ width: W, height: H, format: 'RGB24', seconds: 1, maxBytes: 1e6, transferSyntaxUid: '1.2.840.10008.1.2.4.70', packing: new SubDeflatePacker() })).toThrow(/encoded or packed, not both/);
  });
});

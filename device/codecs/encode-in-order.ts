/**
 * Runs a FrameEncoder over a stream of frames with several frames in flight (the worker pool,
 * ffmpeg's pipeline and libuv's pool use both cores only when they have more than one frame),
 * and hands the results over in input order. The input is pulled only while fewer than
 * `encoder.parallelism` frames are in flight, so a slow encoder slows the reader instead of
 * piling frames up in memory.
 *
 * An encoder failure rejects with `wrapError(error, index)`; a failure of `onEncoded` (the
 * writer: a full disk) or of the input rejects unchanged, so callers can tell them apart.
 */
import type { FrameEncoder, RawImage } from './frame-encoder.js';

export async function encodeInOrder<T>(
  input: AsyncIterable<T> | Iterable<T>,
  encoder: FrameEncoder,
  toImage: (item: T) => RawImage,
  onEncoded: (encoded: Uint8Array, item: T, index: number) => Promise<void>,
  wrapError: (error: unknown, index: number) => Error,
  /** Produces an item's bytes instead of encoder.encode(toImage(item)) (frames a ring holds encoded already). */
  encodeItem?: (item: T) => Promise<Uint8Array>,
): Promise<number> {
  const limit = Math.max(1, encoder.parallelism);
  const inFlight: { item: T; index: number; result: Promise<Uint8Array> }[] = [];
  let launched = 0;
  const settleOldest = async (): Promise<void> => {
    const { item, index, result } = inFlight.shift()!;
    let encoded: Uint8Array;
    try {
      encoded = await result;
    } catch (e) {
      throw wrapError(e, index);
    }
    await onEncoded(encoded, item, index);
  };
  try {
    for await (const item of input) {
      const index = launched++;
      let result: Promise<Uint8Array>;
      try {
        result = encodeItem ? encodeItem(item) : encoder.encode(toImage(item));
      } catch (e) {
        result = Promise.reject(e);
      }
      result.catch(() => undefined); // awaited in order below; no unhandled rejection meanwhile
      inFlight.push({ item, index, result });
      if (inFlight.length >= limit) await settleOldest();
    }
    encoder.finish?.(); // an encoder that buffers frames (ffmpeg) flushes them now
    while (inFlight.length > 0) await settleOldest();
    return launched;
  } finally {
    inFlight.length = 0;
  }
}

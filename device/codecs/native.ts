/** Uncompressed samples (Explicit VR Little Endian): RGB with Planar Configuration 0, or MONOCHROME2. */
import { EXPLICIT_VR_LE } from '../../dicom/encoding/index.js';
import type { FrameEncoder, RawImage } from './frame-encoder.js';

export const nativeEncoder: FrameEncoder = {
  transferSyntaxUid: EXPLICIT_VR_LE,
  encapsulated: false,
  lossy: false,
  parallelism: 1,
  // Little-endian bytes of the samples (the machine is little endian, as Node on x86/ARM is).
  encode: (image: RawImage) => Promise.resolve(image.data instanceof Uint8Array ? image.data : new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength)),
  photometric: (spp) => (spp === 3 ? 'RGB' : 'MONOCHROME2'),
};

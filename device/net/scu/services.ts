/**
 * The SOP classes and transfer syntaxes of conformance §2, as tables: what each SCU proposes.
 */
import { EXPLICIT_VR_BE, EXPLICIT_VR_LE, IMPLICIT_VR_LE, JPEG_BASELINE, JPEG_LOSSLESS_SV1 } from '../../../dicom/encoding/index.js';

export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';
export const MWL_FIND_SOP_CLASS = '1.2.840.10008.5.1.4.31';

/** The three uncompressed syntaxes, in our order of preference. */
export const UNCOMPRESSED_SYNTAXES: readonly string[] = [EXPLICIT_VR_LE, IMPLICIT_VR_LE, EXPLICIT_VR_BE];

/** Conformance §2: what every storage SOP class is proposed with. */
export const STORAGE_SYNTAXES: readonly string[] = [...UNCOMPRESSED_SYNTAXES, JPEG_BASELINE, JPEG_LOSSLESS_SV1];

export const VERIFICATION_SYNTAXES: readonly string[] = [IMPLICIT_VR_LE, EXPLICIT_VR_LE, EXPLICIT_VR_BE];

/** Conformance §2: Implicit VR LE, Explicit VR LE also offered. */
export const FIND_SYNTAXES: readonly string[] = [IMPLICIT_VR_LE, EXPLICIT_VR_LE];

/** The storage SOP classes the cart sends (conformance §2), with names for people. */
export const CART_STORAGE_CLASSES: readonly { readonly uid: string; readonly name: string }[] = [
  { uid: '1.2.840.10008.5.1.4.1.1.3.1', name: 'US Multi-frame Image Storage' },
  { uid: '1.2.840.10008.5.1.4.1.1.6.1', name: 'US Image Storage' },
  { uid: '1.2.840.10008.5.1.4.1.1.7', name: 'Secondary Capture Image Storage' },
  { uid: '1.2.840.10008.5.1.4.1.1.7.4', name: 'Multi-frame True Color SC Image Storage' },
  { uid: '1.2.840.10008.5.1.4.1.1.7.2', name: 'Multi-frame Grayscale Byte SC Image Storage' },
];

import { EXPLICIT_VR_BE, EXPLICIT_VR_LE, IMPLICIT_VR_LE, JPEG_BASELINE, JPEG_EXTENDED, JPEG_LOSSLESS_SV1 } from '../encoding/index.js';
import type { RecordTypeName } from './record-keys.js';

/**
 * Media Application Profiles (PS3.11) as data, after DCMTK's profile enum with checks per
 * profile: which SOP classes a file-set may hold (and the directory record each one gets), which
 * transfer syntaxes are written as they are, which are rewritten, and which a reader accepts.
 * A new profile is one more entry in PROFILES.
 */
export interface MediaProfile {
  /** The identifier of PS3.11, e.g. `STD-GEN-USB-JPEG`. */
  readonly id: string;
  readonly description: string;
  /** SOP Class UID → its name and the record type that references it. */
  readonly sopClasses: ReadonlyMap<string, { readonly name: string; readonly recordType: RecordTypeName }>;
  /** Written to the medium as they are. */
  readonly writeTransferSyntaxes: ReadonlySet<string>;
  /** Rewritten to the given syntax on export (the pixel data stays as it is: uncompressed only). */
  readonly transcode: ReadonlyMap<string, string>;
  /** What a file-set reader accepts in a file-set of this profile (write set plus read-only ones). */
  readonly readTransferSyntaxes: ReadonlySet<string>;
  /** File systems PS3.12 names for the medium, for the export report (what is mounted is used). */
  readonly fileSystems: readonly string[];
}

/**
 * The image storage SOP classes the cart writes (conformance §2/§4) and reads from elsewhere.
 * PS3.11 Annex V lets the general purpose USB/SD profiles hold composite image storage; these
 * are the ones we vouch for. Retired classes (US …1.1.6, US MF …1.1.3) are absent on purpose.
 */
const IMAGE_SOP_CLASSES: readonly [uid: string, name: string][] = [
  ['1.2.840.10008.5.1.4.1.1.6.1', 'Ultrasound Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.3.1', 'Ultrasound Multi-frame Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.7', 'Secondary Capture Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.7.1', 'Multi-frame Single Bit Secondary Capture Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.7.2', 'Multi-frame Grayscale Byte Secondary Capture Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.7.3', 'Multi-frame Grayscale Word Secondary Capture Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.7.4', 'Multi-frame True Color Secondary Capture Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.1', 'Computed Radiography Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.2', 'CT Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.4', 'MR Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.1.1', 'Digital X-Ray Image Storage - For Presentation'],
  ['1.2.840.10008.5.1.4.1.1.12.1', 'X-Ray Angiographic Image Storage'],
  ['1.2.840.10008.5.1.4.1.1.77.1.4', 'VL Photographic Image Storage'],
];

const imageClasses = new Map(IMAGE_SOP_CLASSES.map(([uid, name]) => [uid, { name, recordType: 'IMAGE' as const }]));

/** PS3.11 Annex V: general purpose USB and flash memory profiles with JPEG. */
const GEN_JPEG_WRITE = new Set([EXPLICIT_VR_LE, JPEG_LOSSLESS_SV1, JPEG_BASELINE]);
const GEN_JPEG_READ = new Set([...GEN_JPEG_WRITE, JPEG_EXTENDED]);
/** Implicit VR LE and Explicit VR BE are not allowed on media: rewritten as Explicit VR LE. */
const TO_EXPLICIT_LE = new Map([
  [IMPLICIT_VR_LE, EXPLICIT_VR_LE],
  [EXPLICIT_VR_BE, EXPLICIT_VR_LE],
]);

export const PROFILES: readonly MediaProfile[] = [
  {
    id: 'STD-GEN-USB-JPEG',
    description: 'General Purpose USB Media Interchange with JPEG',
    sopClasses: imageClasses,
    writeTransferSyntaxes: GEN_JPEG_WRITE,
    transcode: TO_EXPLICIT_LE,
    readTransferSyntaxes: GEN_JPEG_READ,
    fileSystems: ['vfat (FAT16/FAT32)'],
  },
  {
    id: 'STD-GEN-SD-JPEG',
    description: 'General Purpose SD Card Media Interchange with JPEG',
    sopClasses: imageClasses,
    writeTransferSyntaxes: GEN_JPEG_WRITE,
    transcode: TO_EXPLICIT_LE,
    readTransferSyntaxes: GEN_JPEG_READ,
    fileSystems: ['vfat (FAT16; SDHC cards come FAT32, SDXC exFAT)'],
  },
];

export const PROFILE_IDS = PROFILES.map((p) => p.id);

export function mediaProfile(id: string): MediaProfile | undefined {
  return PROFILES.find((p) => p.id === id);
}

/** What the export does with a file of this transfer syntax under this profile. */
export type TransferDecision =
  | { readonly action: 'copy' }
  | { readonly action: 'transcode'; readonly to: string }
  | { readonly action: 'refuse' };

export function transferDecision(profile: MediaProfile, transferSyntaxUid: string): TransferDecision {
  if (profile.writeTransferSyntaxes.has(transferSyntaxUid)) return { action: 'copy' };
  const to = profile.transcode.get(transferSyntaxUid);
  return to ? { action: 'transcode', to } : { action: 'refuse' };
}

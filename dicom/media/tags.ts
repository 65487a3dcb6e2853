import { tag } from '../core/index.js';

/** Media Storage Directory Storage (PS3.4 Annex I): the SOP class of a DICOMDIR. */
export const MEDIA_STORAGE_DIRECTORY_SOP_CLASS = '1.2.840.10008.1.3.10';

/** The Basic Directory IOD (PS3.3 Annex F) attributes the file-set code reads and writes. */
export const DIR = {
  fileSetId: tag(0x0004, 0x1130),
  fileSetDescriptorFileId: tag(0x0004, 0x1141),
  fileSetDescriptorCharset: tag(0x0004, 0x1142),
  firstRootRecord: tag(0x0004, 0x1200),
  lastRootRecord: tag(0x0004, 0x1202),
  consistencyFlag: tag(0x0004, 0x1212),
  recordSequence: tag(0x0004, 0x1220),
  nextRecord: tag(0x0004, 0x1400),
  inUse: tag(0x0004, 0x1410),
  lowerLevel: tag(0x0004, 0x1420),
  recordType: tag(0x0004, 0x1430),
  referencedFileId: tag(0x0004, 0x1500),
  referencedSopClass: tag(0x0004, 0x1510),
  referencedSopInstance: tag(0x0004, 0x1511),
  referencedTransferSyntax: tag(0x0004, 0x1512),
} as const;

/** The instance attributes that feed directory record keys and the export plan. */
export const KEY = {
  specificCharacterSet: tag(0x0008, 0x0005),
  sopClassUid: tag(0x0008, 0x0016),
  sopInstanceUid: tag(0x0008, 0x0018),
  studyDate: tag(0x0008, 0x0020),
  seriesDate: tag(0x0008, 0x0021),
  acquisitionDate: tag(0x0008, 0x0022),
  contentDate: tag(0x0008, 0x0023),
  studyTime: tag(0x0008, 0x0030),
  seriesTime: tag(0x0008, 0x0031),
  acquisitionTime: tag(0x0008, 0x0032),
  contentTime: tag(0x0008, 0x0033),
  accessionNumber: tag(0x0008, 0x0050),
  modality: tag(0x0008, 0x0060),
  studyDescription: tag(0x0008, 0x1030),
  patientName: tag(0x0010, 0x0010),
  patientId: tag(0x0010, 0x0020),
  patientBirthDate: tag(0x0010, 0x0030),
  patientSex: tag(0x0010, 0x0040),
  studyInstanceUid: tag(0x0020, 0x000d),
  seriesInstanceUid: tag(0x0020, 0x000e),
  studyId: tag(0x0020, 0x0010),
  seriesNumber: tag(0x0020, 0x0011),
  instanceNumber: tag(0x0020, 0x0013),
} as const;

/** In-use flag values (PS3.3 F.3.2.2): 0xFFFF in use, 0x0000 inactive (to be ignored). */
export const RECORD_IN_USE = 0xffff;
export const RECORD_INACTIVE = 0x0000;

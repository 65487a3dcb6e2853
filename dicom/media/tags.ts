import { Tags } from '../dictionary/index.js';

/** Media Storage Directory Storage (PS3.4 Annex I): the SOP class of a DICOMDIR. */
export const MEDIA_STORAGE_DIRECTORY_SOP_CLASS = '1.2.840.10008.1.3.10';

/** The Basic Directory IOD (PS3.3 Annex F) attributes the file-set code reads and writes. */
export const DIR = {
  fileSetId: Tags.FileSetID,
  fileSetDescriptorFileId: Tags.FileSetDescriptorFileID,
  fileSetDescriptorCharset: Tags.SpecificCharacterSetOfFileSetDescriptorFile,
  firstRootRecord: Tags.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity,
  lastRootRecord: Tags.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity,
  consistencyFlag: Tags.FileSetConsistencyFlag,
  recordSequence: Tags.DirectoryRecordSequence,
  nextRecord: Tags.OffsetOfTheNextDirectoryRecord,
  inUse: Tags.RecordInUseFlag,
  lowerLevel: Tags.OffsetOfReferencedLowerLevelDirectoryEntity,
  recordType: Tags.DirectoryRecordType,
  referencedFileId: Tags.ReferencedFileID,
  referencedSopClass: Tags.ReferencedSOPClassUIDInFile,
  referencedSopInstance: Tags.ReferencedSOPInstanceUIDInFile,
  referencedTransferSyntax: Tags.ReferencedTransferSyntaxUIDInFile,
} as const;

/** The instance attributes that feed directory record keys and the export plan. */
export const KEY = {
  specificCharacterSet: Tags.SpecificCharacterSet,
  sopClassUid: Tags.SOPClassUID,
  sopInstanceUid: Tags.SOPInstanceUID,
  studyDate: Tags.StudyDate,
  seriesDate: Tags.SeriesDate,
  acquisitionDate: Tags.AcquisitionDate,
  contentDate: Tags.ContentDate,
  studyTime: Tags.StudyTime,
  seriesTime: Tags.SeriesTime,
  acquisitionTime: Tags.AcquisitionTime,
  contentTime: Tags.ContentTime,
  accessionNumber: Tags.AccessionNumber,
  modality: Tags.Modality,
  studyDescription: Tags.StudyDescription,
  patientName: Tags.PatientName,
  patientId: Tags.PatientID,
  patientBirthDate: Tags.PatientBirthDate,
  patientSex: Tags.PatientSex,
  studyInstanceUid: Tags.StudyInstanceUID,
  seriesInstanceUid: Tags.SeriesInstanceUID,
  studyId: Tags.StudyID,
  seriesNumber: Tags.SeriesNumber,
  instanceNumber: Tags.InstanceNumber,
} as const;

/** In-use flag values (PS3.3 F.3.2.2): 0xFFFF in use, 0x0000 inactive (to be ignored). */
export const RECORD_IN_USE = 0xffff;
export const RECORD_INACTIVE = 0x0000;

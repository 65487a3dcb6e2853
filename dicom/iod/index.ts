/** Building the cart's image objects (PS3.3): US, US Multi-frame, SC, multi-frame SC; exam context from a worklist entry. */
export { buildImageObject, sopClassFor, SOP_CLASS } from './build.js';
export type { BuiltObject, Equipment, ImageObjectInput, ObjectKind, Photometric, PixelDescription, SeriesInfo } from './build.js';
export { cineTiming, type CineTiming } from './timing.js';
export { ultrasoundRegionItems, type UltrasoundRegion } from './regions.js';
export { examFromWorklist, unscheduledExam, type ExamContext, type UnscheduledPatient } from './exam.js';
export { dataSetFromDicomJson, declaredCharset, toDicomJson, jsonKey, MAX_JSON_SEQUENCE_DEPTH, type DicomJson, type JsonAttribute, type JsonPersonName, type JsonValue } from './dicom-json.js';
export { dicomDate, dicomDateTime, dicomTime } from './datetime.js';
export { photometricForJpegBaseline, readJpegFrameHeader, type JpegFrameHeader } from './jpeg-header.js';
export { IodError, type IodErrorCode } from './errors.js';
export {
  assertPixelConsistency,
  checkPixelConsistency,
  extentInMemory,
  PixelConsistencyError,
  type PixelConsistencyCode,
  type PixelDataExtent,
  type PixelInconsistency,
} from './pixel-consistency.js';
export {
  buildCommitmentRequest,
  buildCommitmentReport,
  parseCommitmentReport,
  parseCommitmentRequest,
  STORAGE_COMMITMENT_PUSH_SOP_CLASS,
  STORAGE_COMMITMENT_PUSH_INSTANCE,
  COMMITMENT_ACTION_TYPE,
  COMMITMENT_EVENT,
  type CommitmentReport,
  type FailedSopReference,
  type SopReference,
} from './commitment.js';
export {
  buildMppsInProgress,
  buildMppsCompleted,
  buildMppsDiscontinued,
  DISCONTINUATION_REASONS,
  MPPS_SOP_CLASS,
  type CodedReason,
  type MppsStart,
  type MppsStatus,
  type PerformedSeries,
} from './mpps.js';

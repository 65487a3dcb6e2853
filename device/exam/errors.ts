/** Exam failures other than a refused transition (machine.ts ExamRefusal). */
export type ExamErrorCode = 'EXAM_BAD_PATIENT' | 'EXAM_BAD_WORKLIST_ITEM' | 'EXAM_BAD_REQUEST' | 'EXAM_NOT_FOUND' | 'EXAM_STORE_FAILED' | 'EXAM_STOPPING';

export class ExamError extends Error {
  constructor(
    readonly code: ExamErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExamError';
  }
}

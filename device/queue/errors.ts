/** Typed errors of the job queue (code + message; the job when one is concerned). */

export type QueueErrorCode = 'QUEUE_NO_SUCH_JOB' | 'QUEUE_NOT_ALLOWED' | 'QUEUE_NO_SUCH_INSTANCE' | 'QUEUE_BAD_REQUEST';

export class QueueError extends Error {
  override readonly name = 'QueueError';
  constructor(
    readonly code: QueueErrorCode,
    message: string,
    readonly jobId?: number,
  ) {
    super(message);
  }
}

export { JobQueue, type Job, type JobFilter, type JobKind, type JobPage, type JobQueueOptions, type QueueEvent, type QueueSummary, type ClaimedJob, type WorkKind } from './job-queue.js';
export { Forwarder, CLAIM_BATCH, type ForwarderEvent, type ForwarderOptions, type SendProgress, type StoreDestination } from './forwarder.js';
export { JOB_STATES, JOB_EVENTS, TERMINAL, TABLE, step, isJobState, type JobState, type JobEvent, type JobEffect, type Transition } from './job-machine.js';
export { classifyOutcome, ACTION_EVENT, NET_ERROR_EVENT, type SendOutcome } from './policy.js';
export { backoffMs, checkRetryPolicy, DEFAULT_RETRY, type RetryPolicy } from './backoff.js';
export { QueueError, type QueueErrorCode } from './errors.js';

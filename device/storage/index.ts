export { InstanceStore, type InstanceRecord, type InstanceFilter, type InstanceEvent, type InstanceState, type InstanceStoreOptions, type Page, type PutRequest, type ReconcileReport } from './instance-store.js';
export { StorageError, type StorageErrorCode } from './errors.js';
export { readIdentity, type InstanceIdentity } from './identity.js';
export { Quota, type QuotaLimits, type QuotaOptions, type QuotaReport, type DiskSpace } from './quota.js';

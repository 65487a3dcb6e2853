export { DbAuditLog } from './audit-log.js';
